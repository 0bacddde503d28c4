//! `Expand`: broadcasts the input to a shape.

use super::broadcast::{broadcast_index, broadcast_shape, broadcast_to, expect_inputs};
use super::layout::non_empty;
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// Broadcasts its input against `shape` (numpy rules in both directions: a 1 in `shape` keeps
/// the input's dimension). The output is a re-wiring of the input: no constraint, no row.
#[derive(Debug, Clone)]
pub struct Expand {
    /// The target shape (ONNX's second input, a constant).
    pub shape: Vec<usize>,
}

impl Op for Expand {
    fn name(&self) -> &'static str {
        "Expand"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 2)?;
        broadcast_shape(inputs[0], &self.shape)
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 2)?;
        broadcast_to(inputs[0], &broadcast_shape(inputs[0].shape(), &self.shape)?)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let Some(LValue::Act { id, .. }) = inputs.first() else {
            return Err(OpError::Invalid("expected an activation as first input".into()));
        };
        let input = ctx.tensor(*id).shape.clone();
        let shape = broadcast_shape(&input, &self.shape)?;
        non_empty(&shape)?;
        Ok(LValue::Act { id: ctx.gather(*id, broadcast_index(&input, &shape)?, shape), exclusive: true })
    }
}
