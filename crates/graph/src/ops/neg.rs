//! `Neg`.

use super::broadcast::{expect_inputs, identity_index};
use super::elementwise::{affine, Operand};
use crate::error::{OpError, OpResult};
use crate::{LValue, LinearParams, LowerCtx, Op, QOp, Tensor};

/// `-x`. When `x` is the exclusive output of a linear op, its weights and bias are negated in
/// place (no new cells); otherwise one linear op with weight -1 at the input's scale.
#[derive(Debug, Clone, Default)]
pub struct Neg;

impl Op for Neg {
    fn name(&self) -> &'static str {
        "Neg"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 1)?;
        Ok(inputs[0].to_vec())
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 1)?;
        Ok(inputs[0].mapv(|v| -v))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let [LValue::Act { id, exclusive }] = inputs else {
            return Err(OpError::Invalid("expected one activation input".into()));
        };
        if *exclusive {
            if let Some(node) = ctx.producer_mut(*id) {
                if let QOp::Linear(op) = &mut node.op {
                    op.weight.iter_mut().chain(op.bias.iter_mut()).for_each(|w| *w = -*w);
                    ctx.retarget(*id);
                    return Ok(LValue::Act { id: *id, exclusive: true });
                }
            }
        }
        let t = ctx.tensor(*id).clone();
        let n = t.len();
        let operand = Operand { id: *id, index: identity_index(n)?, weight: vec![-1; n] };
        let out = affine(ctx, &[operand], &vec![0; n], LinearParams::Structural, t.shape, t.scale)?;
        Ok(LValue::Act { id: out, exclusive: true })
    }
}
