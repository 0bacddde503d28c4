//! `Mul`: elementwise product with numpy broadcasting.

use super::broadcast::{broadcast_index, broadcast_shape, broadcast_to, expect_inputs, zip_broadcast};
use super::elementwise::{affine, Operand};
use crate::error::{OpError, OpResult};
use crate::{LValue, LinearParams, LowerCtx, MulOp, Op, QOp, Tensor, TensorId};

/// `a * b`. Activation times constant is a linear op (the constant's scale adds to the
/// input's); activation times activation is the `Mul` primitive, whose output scale is the sum
/// of the input scales, left for consumers to materialize.
#[derive(Debug, Clone, Default)]
pub struct Mul;

impl Op for Mul {
    fn name(&self) -> &'static str {
        "Mul"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 2, 2)?;
        broadcast_shape(inputs[0], inputs[1])
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 2, 2)?;
        zip_broadcast(inputs[0], inputs[1], |a, b| a * b)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let out = match inputs {
            [LValue::Act { id: a, .. }, LValue::Act { id: b, .. }] => mul_acts(ctx, *a, *b)?,
            [LValue::Act { id, .. }, LValue::Const(c)] | [LValue::Const(c), LValue::Act { id, .. }] => {
                mul_const(ctx, *id, c)?
            }
            _ => return Err(OpError::Invalid("expected two inputs, at least one of them an activation".into())),
        };
        Ok(LValue::Act { id: out, exclusive: true })
    }
}

pub(crate) fn mul_acts(ctx: &mut LowerCtx, a: TensorId, b: TensorId) -> OpResult<TensorId> {
    let (a, b) = (ctx.materialize(a)?, ctx.materialize(b)?);
    let (ta, tb) = (ctx.tensor(a).clone(), ctx.tensor(b).clone());
    let shape = broadcast_shape(&ta.shape, &tb.shape)?;
    let op = MulOp { a_index: broadcast_index(&ta.shape, &shape)?, b_index: broadcast_index(&tb.shape, &shape)? };
    Ok(ctx.push(QOp::Mul(op), vec![a, b], shape, ta.scale + tb.scale))
}

pub(crate) fn mul_const(ctx: &mut LowerCtx, id: TensorId, c: &Tensor) -> OpResult<TensorId> {
    let x = ctx.materialize(id)?;
    let t = ctx.tensor(x).clone();
    let shape = broadcast_shape(&t.shape, c.shape())?;
    let cb = broadcast_to(c, &shape)?;
    let sw = ctx.const_scale(&cb);
    let weight = ctx.quantize_const(&cb, sw)?;
    let n = weight.len();
    let operands = [Operand { id: x, index: broadcast_index(&t.shape, &shape)?, weight }];
    affine(ctx, &operands, &vec![0; n], LinearParams::All, shape, t.scale + sw)
}
