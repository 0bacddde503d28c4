//! `Tile`: repeats the input along each axis.

use super::broadcast::expect_inputs;
use super::layout::{non_empty, rewire_f32, strides, to_u32, unravel};
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// Repeats the input `repeats[d]` times along each axis `d`. The output is a re-wiring of the
/// input: no constraint, no row.
#[derive(Debug, Clone)]
pub struct Tile {
    /// Repetitions per axis (ONNX's second input, a constant), one per input dimension.
    pub repeats: Vec<usize>,
}

impl Tile {
    /// The output shape and, per output element, the input element it copies.
    fn map(&self, input: &[usize]) -> OpResult<(Vec<usize>, Vec<usize>)> {
        if self.repeats.len() != input.len() {
            return Err(OpError::Invalid(format!(
                "{} repeats for an input of rank {} (one per dimension)",
                self.repeats.len(),
                input.len()
            )));
        }
        let shape: Vec<usize> = input.iter().zip(&self.repeats).map(|(d, r)| d * r).collect();
        non_empty(&shape)?;
        let n: usize = shape.iter().product();
        let st = strides(input);
        let index = (0..n)
            .map(|flat| unravel(flat, &shape).iter().zip(input).zip(&st).map(|((o, d), s)| (o % d) * s).sum())
            .collect();
        Ok((shape, index))
    }
}

impl Op for Tile {
    fn name(&self) -> &'static str {
        "Tile"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 2)?;
        Ok(self.map(inputs[0])?.0)
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 2)?;
        let (shape, index) = self.map(inputs[0].shape())?;
        let index: Vec<Option<usize>> = index.into_iter().map(Some).collect();
        rewire_f32(inputs[0], &index, 0.0, shape)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let Some(LValue::Act { id, .. }) = inputs.first() else {
            return Err(OpError::Invalid("expected an activation as first input".into()));
        };
        let (shape, index) = self.map(&ctx.tensor(*id).shape.clone())?;
        Ok(LValue::Act { id: ctx.gather(*id, to_u32(&index)?, shape), exclusive: true })
    }
}
