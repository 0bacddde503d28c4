//! Integer division of a computed value by constants: the floor and the truncated quotient,
//! the pieces of `Mod`, integer `Div` and integer `Cast` of values computed from the input.
//!
//! Every value here is the integer the circuit holds (a tensor's fixed-point integer `X` at its
//! scale). For `d >= 1` and `h = floor(d / 2)`, `floor(X / d)` is the `Div` primitive's rounded
//! quotient of `X - h` by `d`: that primitive proves `q = floor((2(X - h) + d) / (2d))`, and with
//! `X = q'd + r`, `0 <= r < d`, the fraction `(2r + d - 2h) / (2d)` lies in `[0, 1)`, so
//! `q = q'`. The quotient is pinned by the Div chip's remainder range checks for every `X`, with
//! no bound on `X` assumed (no magic multiplier whose exactness would depend on a range).
//! The truncated quotient is `trunc(X / d) = floor((X + (d - 1)·[X < 0]) / d)` (the ceiling for
//! negative `X`), with the comparison bit [`super::compare::negative`].

use super::broadcast::identity_index;
use super::compare::negative;
use super::elementwise::{affine, Operand};
use super::layout::const_tensor;
use crate::error::{OpError, OpResult};
use crate::{DivOp, LinearParams, LowerCtx, QOp, TensorId};

/// How a quotient is rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rounding {
    /// Toward minus infinity (Python's `//`, ONNX `Mod` without `fmod`).
    Floor,
    /// Toward zero (C's `/`, ONNX integer `Div`, `Mod` with `fmod`, `Cast` to an integer).
    Trunc,
}

/// Per output element, what `quotient` divides: `(sign · X + offset) / d`, with `sign` ±1 (a
/// negative divisor's sign, moved onto the dividend) and `d >= 1`.
pub(crate) struct Divisors {
    /// ±1.
    pub sign: Vec<i64>,
    /// Added to the signed dividend.
    pub offset: Vec<i64>,
    /// The positive divisor.
    pub d: Vec<i64>,
}

impl Divisors {
    /// `X / d[e]` for every element.
    pub fn plain(d: Vec<i64>) -> Self {
        Self { sign: vec![1; d.len()], offset: vec![0; d.len()], d }
    }
}

/// One quotient per output element, `(sign[e] · X[index[e]] + offset[e]) / d[e]` rounded by
/// `rounding`, as an exact scale-0 tensor of `shape`.
pub(crate) fn quotient(
    ctx: &mut LowerCtx,
    x: TensorId,
    index: Vec<u32>,
    by: &Divisors,
    rounding: Rounding,
    shape: Vec<usize>,
) -> OpResult<TensorId> {
    let (sign, offset, d) = (&by.sign, &by.offset, &by.d);
    let n = d.len();
    if index.len() != n || sign.len() != n || offset.len() != n || shape.iter().product::<usize>() != n {
        return Err(OpError::Invalid("quotient: operand lengths differ".into()));
    }
    if let Some(bad) = d.iter().find(|&&v| !(1..1 << 40).contains(&v)) {
        return Err(OpError::Unsupported(format!(
            "a divisor of {bad} units of the dividend's fixed-point step (it must be a whole number of steps \
             between 1 and 2^40)"
        )));
    }
    let scale = ctx.tensor(x).scale;
    let mut dividend = exact_affine(ctx, &[Operand { id: x, index, weight: sign.clone() }], offset, &shape, scale)?;
    if rounding == Rounding::Trunc {
        // Add d - 1 where the dividend is negative: the floor then rounds toward zero.
        let below = negative(ctx, dividend)?;
        let ids = identity_index(n)?;
        let operands = [
            Operand { id: dividend, index: ids.clone(), weight: vec![1; n] },
            Operand { id: below, index: ids, weight: d.iter().map(|&v| v - 1).collect() },
        ];
        dividend = exact_affine(ctx, &operands, &vec![0; n], &shape, scale)?;
    }
    // floor(X / d) is the rounded quotient of X - floor(d / 2) by d (module docs).
    let ids = identity_index(n)?;
    let halves: Vec<i64> = d.iter().map(|&v| -(v / 2)).collect();
    let shifted =
        exact_affine(ctx, &[Operand { id: dividend, index: ids.clone(), weight: vec![1; n] }], &halves, &shape, scale)?;
    let divisor = const_tensor(ctx, x, d.to_vec(), LinearParams::Structural, scale)?;
    ctx.exact(divisor);
    let op = DivOp { a_index: ids.clone(), b_index: ids, shift: 0, den_bits: 0, quot_bits: 0 };
    let q = ctx.push(QOp::Div(op), vec![shifted, divisor], shape, 0);
    ctx.exact(q);
    Ok(q)
}

/// `X[index[e]] - m[e] · q[e]` at `scale` (the remainder of a division whose quotient is `q`).
pub(crate) fn remainder(
    ctx: &mut LowerCtx,
    x: TensorId,
    index: Vec<u32>,
    q: TensorId,
    m: Vec<i64>,
    shape: &[usize],
    scale: u32,
) -> OpResult<TensorId> {
    let n = m.len();
    let operands = [
        Operand { id: x, index, weight: vec![1; n] },
        Operand { id: q, index: identity_index(n)?, weight: m.iter().map(|&v| -v).collect() },
    ];
    affine(ctx, &operands, &vec![0; n], LinearParams::Structural, shape.to_vec(), scale)
}

/// `Σ w·t + bias` elementwise over same-shape tensors, exact at `scale`.
pub(crate) fn exact_sum(
    ctx: &mut LowerCtx,
    terms: &[(TensorId, i64)],
    bias: i64,
    shape: &[usize],
    scale: u32,
) -> OpResult<TensorId> {
    let n: usize = shape.iter().product();
    let operands = terms
        .iter()
        .map(|&(id, w)| Ok(Operand { id, index: identity_index(n)?, weight: vec![w; n] }))
        .collect::<OpResult<Vec<_>>>()?;
    exact_affine(ctx, &operands, &vec![bias; n], shape, scale)
}

/// An elementwise affine map of integers whose result is used at its own scale.
pub(crate) fn exact_affine(
    ctx: &mut LowerCtx,
    operands: &[Operand],
    bias: &[i64],
    shape: &[usize],
    scale: u32,
) -> OpResult<TensorId> {
    let y = affine(ctx, operands, bias, LinearParams::Structural, shape.to_vec(), scale)?;
    ctx.exact(y);
    Ok(y)
}

/// A quotient by constants and what its remainder needs.
pub(crate) struct ByConstants {
    /// The dividend, materialized.
    pub x: TensorId,
    /// Each output element's dividend in `x`.
    pub index: Vec<u32>,
    /// The quotient (scale 0).
    pub q: TensorId,
    /// Each output element's divisor in the dividend's integer units (signed).
    pub m: Vec<i64>,
    /// The broadcast output shape.
    pub shape: Vec<usize>,
    /// The dividend's scale.
    pub scale: u32,
}

/// `x / c` rounded by `rounding`, with numpy broadcasting of the constant divisor `c`. The
/// divisor is taken in the dividend's units: `c · 2^s`, exact when that is an integer (every
/// integer `c` at scale 0), else rounded to the nearest step (refused below one step).
pub(crate) fn by_constants(
    ctx: &mut LowerCtx,
    x: TensorId,
    c: &crate::Tensor,
    rounding: Rounding,
) -> OpResult<ByConstants> {
    use super::broadcast::{broadcast_index, broadcast_shape, broadcast_to};
    let x = ctx.materialize(x)?;
    let t = ctx.tensor(x).clone();
    let shape = broadcast_shape(&t.shape, c.shape())?;
    let index = broadcast_index(&t.shape, &shape)?;
    let unit = 2f64.powi(t.scale as i32);
    let mut m = Vec::with_capacity(index.len());
    for &v in broadcast_to(c, &shape)?.iter() {
        let steps = (f64::from(v) * unit).round();
        if !steps.is_finite() || steps == 0.0 || steps.abs() >= 2f64.powi(40) {
            return Err(OpError::Unsupported(format!(
                "a divisor of {v}, {steps} steps of the dividend's fixed-point scale 2^-{} (it must be between 1 and \
                 2^40 steps)",
                t.scale
            )));
        }
        m.push(steps as i64);
    }
    let by = Divisors {
        sign: m.iter().map(|v| v.signum()).collect(),
        offset: vec![0; m.len()],
        d: m.iter().map(|v| v.abs()).collect(),
    };
    let q = quotient(ctx, x, index.clone(), &by, rounding, shape.clone())?;
    Ok(ByConstants { x, index, q, m, shape, scale: t.scale })
}
