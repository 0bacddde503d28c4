//! `Unsqueeze`.

use super::broadcast::{expect_inputs, identity_index};
use super::layout::{axes, non_empty};
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// Inserts axes of size 1. Same row-major data, so it lowers to a free gather.
/// From opset 13 the axes are a constant input; the importer reads them into this struct.
#[derive(Debug, Clone, Default)]
pub struct Unsqueeze {
    /// Positions of the new axes in the output, in `[-out_rank, out_rank)`.
    pub axes: Vec<i64>,
}

impl Unsqueeze {
    /// The output shape.
    pub fn shape(&self, input: &[usize]) -> OpResult<Vec<usize>> {
        let rank = input.len() + self.axes.len();
        let new = axes(&self.axes, rank)?;
        let mut dims = input.iter();
        (0..rank)
            .map(|i| {
                if new.contains(&i) {
                    Ok(1)
                } else {
                    dims.next().copied().ok_or_else(|| OpError::Invalid("axes do not fit the input".into()))
                }
            })
            .collect()
    }
}

impl Op for Unsqueeze {
    fn name(&self) -> &'static str {
        "Unsqueeze"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 2)?;
        self.shape(inputs[0])
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 2)?;
        let shape = self.shape(inputs[0].shape())?;
        Tensor::from_shape_vec(shape, inputs[0].iter().copied().collect()).map_err(|e| OpError::Shape(e.to_string()))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let Some(LValue::Act { id, .. }) = inputs.first() else {
            return Err(OpError::Invalid("expected an activation as first input".into()));
        };
        let t = ctx.tensor(*id).clone();
        let shape = self.shape(&t.shape)?;
        non_empty(&shape)?;
        Ok(LValue::Act { id: ctx.gather(*id, identity_index(t.len())?, shape), exclusive: true })
    }
}
