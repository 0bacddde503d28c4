//! `Equal`, `Less`, `LessOrEqual`, `Greater`, `GreaterOrEqual` and `Not`: boolean results (1 or
//! 0) with numpy broadcasting.
//!
//! On constants they fold at import. On a computed value they are proven exactly on the
//! fixed-point integers: `a` and `b` are aligned to one scale and `d = a - b` (a `Linear`, no
//! rounding), and the bit `[d < 0]` is `relu(-d) - relu(-d - 1)`, an identity of integers (it
//! is 1 exactly when `-d >= 1`), from two ReLU requants at shift 0 and two `Linear`s. The bit's
//! scale is 0 (its integer is the boolean). `a <= b` is `1 - [b - a < 0]`, `a == b` is
//! `1 - [a - b < 0] - [b - a < 0]`, `not c` is `1 - c`. So a comparison decides on the values as
//! the circuit holds them: two reals closer than the fixed-point step compare as their rounded
//! values do.

use super::broadcast::{broadcast_all, expect_inputs, identity_index, zip_broadcast};
use super::elementwise::{affine, lower_add, Operand};
use crate::error::{OpError, OpResult};
use crate::{LValue, LinearParams, LowerCtx, Op, QOp, RequantOp, Tensor, TensorId};

/// Which comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `a == b`.
    Equal,
    /// `a < b`.
    Less,
    /// `a <= b`.
    LessOrEqual,
    /// `a > b`.
    Greater,
    /// `a >= b`.
    GreaterOrEqual,
    /// `!a` (one input).
    Not,
}

/// A comparison: folded where its inputs are constants (mask and shape arithmetic), proven on
/// the fixed-point integers where they are computed (the module docs).
#[derive(Debug, Clone)]
pub struct Compare {
    /// The comparison.
    pub kind: Comparison,
}

impl Compare {
    fn arity(&self) -> usize {
        if self.kind == Comparison::Not {
            1
        } else {
            2
        }
    }
}

impl Op for Compare {
    fn name(&self) -> &'static str {
        match self.kind {
            Comparison::Equal => "Equal",
            Comparison::Less => "Less",
            Comparison::LessOrEqual => "LessOrEqual",
            Comparison::Greater => "Greater",
            Comparison::GreaterOrEqual => "GreaterOrEqual",
            Comparison::Not => "Not",
        }
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, self.arity(), self.arity())?;
        broadcast_all(inputs)
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, self.arity(), self.arity())?;
        let bool = |b: bool| f32::from(u8::from(b));
        let f: fn(f32, f32) -> bool = match self.kind {
            Comparison::Not => return Ok(inputs[0].mapv(|v| bool(v == 0.0))),
            Comparison::Equal => |a, b| a == b,
            Comparison::Less => |a, b| a < b,
            Comparison::LessOrEqual => |a, b| a <= b,
            Comparison::Greater => |a, b| a > b,
            Comparison::GreaterOrEqual => |a, b| a >= b,
        };
        zip_broadcast(inputs[0], inputs[1], |a, b| bool(f(a, b)))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        expect_inputs(inputs, self.arity(), self.arity())?;
        let (a, b) = (&inputs[0], inputs.get(1).unwrap_or(&inputs[0]));
        let out = match self.kind {
            Comparison::Less => less(ctx, a, b)?,
            Comparison::Greater => less(ctx, b, a)?,
            Comparison::LessOrEqual => {
                let gt = less(ctx, b, a)?;
                ones_minus(ctx, &[gt])?
            }
            Comparison::GreaterOrEqual => {
                let lt = less(ctx, a, b)?;
                ones_minus(ctx, &[lt])?
            }
            Comparison::Equal => {
                let (lt, gt) = (less(ctx, a, b)?, less(ctx, b, a)?);
                ones_minus(ctx, &[lt, gt])?
            }
            Comparison::Not => {
                let LValue::Act { id, .. } = a else {
                    return Err(OpError::Invalid("Not of a constant folds at import".into()));
                };
                let bit = ctx.materialize(*id)?;
                if ctx.tensor(bit).scale != 0 {
                    return Err(OpError::Unsupported(
                        "Not of a computed value that is not a boolean (a comparison's result)".into(),
                    ));
                }
                ones_minus(ctx, &[bit])?
            }
        };
        Ok(LValue::Act { id: out, exclusive: true })
    }
}

/// `[x < y]` elementwise, as a scale-0 bit (at least one of `x`, `y` an activation).
fn less(ctx: &mut LowerCtx, x: &LValue, y: &LValue) -> OpResult<TensorId> {
    let LValue::Act { id, .. } = lower_add(ctx, &[x.clone(), y.clone()], true)? else {
        return Err(OpError::Invalid("a difference with an activation is an activation".into()));
    };
    negative(ctx, id)
}

/// `[d < 0]` for every element of the integer tensor `d`, as a scale-0 bit:
/// `relu(-d) - relu(-d - 1)`.
pub(crate) fn negative(ctx: &mut LowerCtx, d: TensorId) -> OpResult<TensorId> {
    let t = ctx.tensor(d).clone();
    let n = t.len();
    let shifted = |ctx: &mut LowerCtx, x: TensorId, w: i64, bias: i64| -> OpResult<TensorId> {
        let operands = [Operand { id: x, index: identity_index(n)?, weight: vec![w; n] }];
        let y = affine(ctx, &operands, &vec![bias; n], LinearParams::Structural, t.shape.clone(), t.scale)?;
        ctx.rescale(y, t.scale, true)
    };
    let u = shifted(ctx, d, -1, 0)?;
    let v = shifted(ctx, u, 1, -1)?;
    let operands = [
        Operand { id: u, index: identity_index(n)?, weight: vec![1; n] },
        Operand { id: v, index: identity_index(n)?, weight: vec![-1; n] },
    ];
    let bit = affine(ctx, &operands, &vec![0; n], LinearParams::Structural, t.shape, 0)?;
    ctx.exact(bit);
    Ok(bit)
}

/// `1 - Σ bits` elementwise (the bits disjoint, so the result is a bit), at scale 0.
fn ones_minus(ctx: &mut LowerCtx, bits: &[TensorId]) -> OpResult<TensorId> {
    let t = ctx.tensor(bits[0]).clone();
    let n = t.len();
    let operands = bits
        .iter()
        .map(|&id| Ok(Operand { id, index: identity_index(n)?, weight: vec![-1; n] }))
        .collect::<OpResult<Vec<_>>>()?;
    let out = affine(ctx, &operands, &vec![1; n], LinearParams::Structural, t.shape, 0)?;
    ctx.exact(out);
    Ok(out)
}

/// The one-hot rows of the integer tensor `ids` (scale 0) over `0..depth`: output shape
/// `ids.shape ++ [depth]`, element `[k, v]` the bit `[ids[k] == v]`, at scale 0.
///
/// With `n[k, v] = [ids[k] - v < 0]` for `v` in `0..=depth` (the `negative` bits), the bit is
/// `n[k, v+1] - n[k, v]`: the bits of one row are disjoint and sum to `n[k, depth] - n[k, 0]`,
/// which is 1 exactly when `0 <= ids[k] < depth`. That is enforced: `z = 4·(n[k, depth] -
/// n[k, 0] - 1)` is range-checked at the smallest bound (`-2 <= z < 2`, see `BoundFit::bits`),
/// which only `z = 0` meets among the integers `z` can be (0, -4 or -8), and `z` is added to the
/// first bit of its row (so it is read, and the honest 0 changes nothing). An index outside
/// `0..depth` has no satisfying witness.
pub(super) fn one_hot(ctx: &mut LowerCtx, ids: TensorId, depth: usize) -> OpResult<TensorId> {
    let t = ctx.tensor(ids).clone();
    if t.scale != 0 {
        return Err(OpError::Unsupported(format!(
            "indices computed at fixed-point scale {} (a lookup by index needs integer indices, e.g. an int64 input)",
            t.scale
        )));
    }
    let (n, m) = (t.len(), depth + 1);
    let big = |_| OpError::Unsupported("tensor too large".into());
    let flat = |f: &dyn Fn(usize) -> usize, len: usize| -> OpResult<Vec<u32>> {
        (0..len).map(|e| u32::try_from(f(e))).collect::<Result<Vec<_>, _>>().map_err(big)
    };
    // d[k, v] = ids[k] - v for v in 0..=depth, and its bits n[k, v] = [d[k, v] < 0].
    let wide: Vec<usize> = [t.shape.as_slice(), &[m]].concat();
    let diff = Operand { id: ids, index: flat(&|e| e / m, n * m)?, weight: vec![1; n * m] };
    let bias: Vec<i64> = (0..n * m).map(|e| -((e % m) as i64)).collect();
    let d = affine(ctx, &[diff], &bias, LinearParams::Structural, wide, 0)?;
    let below = negative(ctx, d)?;
    // z = 4·(n[k, depth] - n[k, 0] - 1), range-checked at the smallest bound.
    let column = |col: usize, w: i64| -> OpResult<Operand> {
        Ok(Operand { id: below, index: flat(&|k| k * m + col, n)?, weight: vec![w; n] })
    };
    let sum = [column(depth, 4)?, column(0, -4)?];
    let check = affine(ctx, &sum, &vec![-4; n], LinearParams::Structural, t.shape.clone(), 0)?;
    let z = ctx.push(QOp::Requant(RequantOp { shift: 0, relu: false, bits: 0 }), vec![check], t.shape.clone(), 0);
    ctx.label(z, &format!("the check that every index is in [0, {depth}): nonzero when one is not"));
    // bit[k, v] = n[k, v+1] - n[k, v] (+ z[k] when v = 0).
    let len = n * depth;
    let operands = [
        Operand { id: below, index: flat(&|e| (e / depth) * m + e % depth + 1, len)?, weight: vec![1; len] },
        Operand { id: below, index: flat(&|e| (e / depth) * m + e % depth, len)?, weight: vec![-1; len] },
        Operand {
            id: z,
            index: flat(&|e| e / depth, len)?,
            weight: (0..len).map(|e| i64::from(e % depth == 0)).collect(),
        },
    ];
    let shape: Vec<usize> = [t.shape.as_slice(), &[depth]].concat();
    let bits = affine(ctx, &operands, &vec![0; len], LinearParams::Structural, shape, 0)?;
    ctx.exact(bits);
    Ok(bits)
}

/// The boolean input `b` (scale 0, range-checked), checked to be 0 or 1: `z = 4·(relu(-b) +
/// relu(b - 1))` is range-checked at the smallest bound (`-2 <= z < 2`), which of the integers
/// `z` can be (0, 4, 8, ...) only 0 meets, and the result is `b + z`, so the check is read and
/// the honest 0 changes nothing. Without it a private boolean input could hold 2 (a `Where` by
/// it would double its branch).
pub(crate) fn boolean(ctx: &mut LowerCtx, b: TensorId) -> OpResult<TensorId> {
    let t = ctx.tensor(b).clone();
    let n = t.len();
    let side = |ctx: &mut LowerCtx, w: i64, bias: i64| -> OpResult<Operand> {
        let operands = [Operand { id: b, index: identity_index(n)?, weight: vec![w; n] }];
        let y = affine(ctx, &operands, &vec![bias; n], LinearParams::Structural, t.shape.clone(), 0)?;
        Ok(Operand { id: ctx.rescale(y, 0, true)?, index: identity_index(n)?, weight: vec![4; n] })
    };
    let sides = [side(ctx, -1, 0)?, side(ctx, 1, -1)?];
    let check = affine(ctx, &sides, &vec![0; n], LinearParams::Structural, t.shape.clone(), 0)?;
    let z = ctx.push(QOp::Requant(RequantOp { shift: 0, relu: false, bits: 0 }), vec![check], t.shape.clone(), 0);
    ctx.label(z, "the check that every value is 0 or 1: nonzero when one is not");
    let operands = [
        Operand { id: b, index: identity_index(n)?, weight: vec![1; n] },
        Operand { id: z, index: identity_index(n)?, weight: vec![1; n] },
    ];
    let out = affine(ctx, &operands, &vec![0; n], LinearParams::Structural, t.shape, 0)?;
    ctx.exact(out);
    Ok(out)
}
