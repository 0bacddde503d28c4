//! `Relu`.

use super::broadcast::expect_inputs;
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// `max(x, 0)`, fused with the rescale of its input to the output scale.
#[derive(Debug, Clone, Default)]
pub struct Relu;

impl Op for Relu {
    fn name(&self) -> &'static str {
        "Relu"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 1)?;
        Ok(inputs[0].to_vec())
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 1)?;
        Ok(inputs[0].mapv(|v| v.max(0.0)))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        match inputs {
            // No materialize first: the relu's own rescale brings the accumulator down.
            [LValue::Act { id, .. }] => Ok(LValue::Act { id: ctx.relu(*id)?, exclusive: true }),
            _ => Err(OpError::Invalid("expected one activation input".into())),
        }
    }
}
