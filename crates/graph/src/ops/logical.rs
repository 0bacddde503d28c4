//! `And`, `Or` and `Xor` of booleans, with numpy broadcasting.
//!
//! On constants they fold at import. On computed booleans (scale-0 bits: a comparison's result,
//! `Not`, a boolean model input, which the circuit holds to 0 or 1) they are the integer
//! identities of bits: `a ∧ b = a·b`, `a ∨ b = a + b - a·b`, `a ⊕ b = a + b - 2·a·b`: one
//! product per element (`Mul`, exact) and one `Linear`. With one operand a constant `c` (0 or 1)
//! they are affine in the other, a `Linear` alone: `c·a`, `(1 - c)·a + c`, `(1 - 2c)·a + c`.

use super::broadcast::{broadcast_index, broadcast_shape, broadcast_to, expect_inputs, zip_broadcast};
use super::elementwise::{affine, Operand};
use super::Mul;
use crate::error::{OpError, OpResult};
use crate::{LValue, LinearParams, LowerCtx, Op, Tensor, TensorId};

/// Which connective.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connective {
    /// `a ∧ b`.
    And,
    /// `a ∨ b`.
    Or,
    /// `a ⊕ b`.
    Xor,
}

impl Connective {
    /// `(weight of a, bias)` of the affine map `a ↦ op(a, c)` for a constant bit `c`.
    fn by_constant(self, c: i64) -> (i64, i64) {
        match self {
            Self::And => (c, 0),
            Self::Or => (1 - c, c),
            Self::Xor => (1 - 2 * c, c),
        }
    }

    /// The weight of `a·b` in `op(a, b) = w_a·a + w_b·b + w·a·b` (`w_a = w_b = 0` for `And`).
    fn product_weight(self) -> i64 {
        match self {
            Self::And => 1,
            Self::Or => -1,
            Self::Xor => -2,
        }
    }
}

/// A logical connective of booleans (the module docs).
#[derive(Debug, Clone)]
pub struct Logical {
    /// The connective.
    pub kind: Connective,
}

impl Op for Logical {
    fn name(&self) -> &'static str {
        match self.kind {
            Connective::And => "And",
            Connective::Or => "Or",
            Connective::Xor => "Xor",
        }
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 2, 2)?;
        broadcast_shape(inputs[0], inputs[1])
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 2, 2)?;
        let f: fn(bool, bool) -> bool = match self.kind {
            Connective::And => |a, b| a && b,
            Connective::Or => |a, b| a || b,
            Connective::Xor => |a, b| a != b,
        };
        zip_broadcast(inputs[0], inputs[1], |a, b| f32::from(u8::from(f(a != 0.0, b != 0.0))))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        expect_inputs(inputs, 2, 2)?;
        let out = match inputs {
            [LValue::Act { id: a, .. }, LValue::Act { id: b, .. }] => {
                let (a, b) = (bits(ctx, *a, self.name())?, bits(ctx, *b, self.name())?);
                let acts = [LValue::Act { id: a, exclusive: false }, LValue::Act { id: b, exclusive: false }];
                let LValue::Act { id: p, .. } = Mul.lower(ctx, &acts)? else {
                    return Err(OpError::Invalid("a product of activations is an activation".into()));
                };
                let shape = ctx.tensor(p).shape.clone();
                let n = ctx.tensor(p).len();
                let sides = if self.kind == Connective::And { 0 } else { 1 };
                let operand = |ctx: &LowerCtx, id: TensorId, w: i64| -> OpResult<Operand> {
                    Ok(Operand { id, index: broadcast_index(&ctx.tensor(id).shape, &shape)?, weight: vec![w; n] })
                };
                let operands =
                    [operand(ctx, a, sides)?, operand(ctx, b, sides)?, operand(ctx, p, self.kind.product_weight())?];
                affine(ctx, &operands, &vec![0; n], LinearParams::Structural, shape, 0)?
            }
            [LValue::Act { id, .. }, LValue::Const(c)] | [LValue::Const(c), LValue::Act { id, .. }] => {
                let a = bits(ctx, *id, self.name())?;
                let t = ctx.tensor(a).clone();
                let shape = broadcast_shape(&t.shape, c.shape())?;
                let (weight, bias): (Vec<i64>, Vec<i64>) =
                    broadcast_to(c, &shape)?.iter().map(|&c| self.kind.by_constant(i64::from(c != 0.0))).unzip();
                let operands = [Operand { id: a, index: broadcast_index(&t.shape, &shape)?, weight }];
                affine(ctx, &operands, &bias, LinearParams::Structural, shape, 0)?
            }
            _ => return Err(OpError::Invalid(format!("{} of constants folds at import", self.name()))),
        };
        ctx.exact(out);
        Ok(LValue::Act { id: out, exclusive: true })
    }
}

/// `id` as the bits it must hold: a computed boolean is a scale-0 tensor.
fn bits(ctx: &mut LowerCtx, id: TensorId, op: &str) -> OpResult<TensorId> {
    let x = ctx.materialize(id)?;
    if ctx.tensor(x).scale != 0 {
        return Err(OpError::Unsupported(format!(
            "{op} of a computed value that is not a boolean (a comparison's result or a boolean input)"
        )));
    }
    Ok(x)
}
