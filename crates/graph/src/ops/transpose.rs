//! `Transpose`.

use super::broadcast::expect_inputs;
use super::layout::{lower_gather, rewire_f32, strides, unravel};
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// Permutes the axes: output axis `i` is input axis `perm[i]`. A pure re-wiring (a free gather).
#[derive(Debug, Clone, Default)]
pub struct Transpose {
    /// The permutation; `None` reverses the axes (the ONNX default).
    pub perm: Option<Vec<usize>>,
}

impl Transpose {
    /// Output shape and, per output element, the flat input index it copies.
    pub fn map(&self, input: &[usize]) -> OpResult<(Vec<usize>, Vec<usize>)> {
        let rank = input.len();
        let perm: Vec<usize> = self.perm.clone().unwrap_or_else(|| (0..rank).rev().collect());
        let mut seen = vec![false; rank];
        if perm.len() != rank || perm.iter().any(|&p| p >= rank || std::mem::replace(&mut seen[p], true)) {
            return Err(OpError::Invalid(format!("perm {perm:?} is not a permutation of the {rank} input axes")));
        }
        let shape: Vec<usize> = perm.iter().map(|&p| input[p]).collect();
        let in_strides = strides(input);
        let n: usize = shape.iter().product();
        let index =
            (0..n).map(|e| unravel(e, &shape).iter().zip(&perm).map(|(c, &p)| c * in_strides[p]).sum()).collect();
        Ok((shape, index))
    }
}

impl Op for Transpose {
    fn name(&self) -> &'static str {
        "Transpose"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 1)?;
        Ok(self.map(inputs[0])?.0)
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 1)?;
        let (shape, index) = self.map(inputs[0].shape())?;
        let index: Vec<Option<usize>> = index.into_iter().map(Some).collect();
        rewire_f32(inputs[0], &index, 0.0, shape)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        expect_inputs(inputs, 1, 1)?;
        let LValue::Act { id, .. } = &inputs[0] else {
            return Err(OpError::Invalid("expected an activation input".into()));
        };
        let (shape, index) = self.map(&ctx.tensor(*id).shape)?;
        lower_gather(ctx, &inputs[0], &index, shape)
    }
}
