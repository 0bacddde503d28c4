//! `Unsqueeze`.

use super::broadcast::expect_inputs;
use super::layout::{axes, eval_reshaped, lower_reshaped};
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
        eval_reshaped(inputs[0], self.shape(inputs[0].shape())?)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        lower_reshaped(ctx, inputs, |shape| self.shape(shape))
    }
}
