//! `Identity`.

use super::broadcast::{expect_inputs, identity_index};
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// Passes its input through unchanged.
#[derive(Debug, Clone, Default)]
pub struct Identity;

impl Op for Identity {
    fn name(&self) -> &'static str {
        "Identity"
    }

    fn passes_through(&self) -> bool {
        true
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 1)?;
        Ok(inputs[0].to_vec())
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 1)?;
        Ok(inputs[0].clone())
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        match inputs {
            // Sole consumer: the output can be the same tensor.
            [v @ LValue::Act { exclusive: true, .. }] => Ok(v.clone()),
            // Shared: a (free) copy, so nothing folds into a tensor that others read.
            [LValue::Act { id, .. }] => {
                let t = ctx.tensor(*id).clone();
                let out = ctx.gather(*id, identity_index(t.len())?, t.shape);
                Ok(LValue::Act { id: out, exclusive: true })
            }
            _ => Err(OpError::Invalid("expected one activation input".into())),
        }
    }
}
