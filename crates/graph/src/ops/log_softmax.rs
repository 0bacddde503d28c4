//! `LogSoftmax`.

use super::broadcast::expect_inputs;
use super::softmax::{eval_softmax, lower_softmax, softmax_groups};
use crate::error::OpResult;
use crate::{LValue, LowerCtx, Op, Tensor};

/// `x - max - ln Σ exp(x - max)` over `axis` (lowered like [`super::Softmax`], with a table of
/// `ln` over the sum instead of a division). `coerce_2d` as for `Softmax` (before opset 13).
#[derive(Debug, Clone, Default)]
pub struct LogSoftmax {
    /// The axis to normalize over (negative counts from the end).
    pub axis: i64,
    /// Normalize over all axes from `axis` on (ONNX before opset 13).
    pub coerce_2d: bool,
}

impl Op for LogSoftmax {
    fn name(&self) -> &'static str {
        "LogSoftmax"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 1)?;
        softmax_groups(inputs[0], self.axis, self.coerce_2d)?;
        Ok(inputs[0].to_vec())
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 1)?;
        eval_softmax(inputs[0], self.axis, self.coerce_2d, true)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        lower_softmax(ctx, inputs, self.axis, self.coerce_2d, true)
    }
}
