//! Linear interpolation between lookup-table entries, built from the existing primitives.
//!
//! A table has at most `2^table_bits` entries, so an activation `x` at scale `s_x` whose range
//! needs more is looked up at a coarser scale `s_t = s_x - L`. Rounding `x` to that grid costs
//! `|f'|·2^-s_t/2`; interpolating between the entries on either side costs `|f''|·2^-2s_t/8`:
//!
//! ```text
//! x'  = x - 2^(L-1)                         Linear (1 term + bias)
//! hi  = floor(x / 2^L)                      Requant(x', shift L): remainder range-checked
//! lo  = x - hi·2^L          ∈ [0, 2^L)      ┐
//! w   = 2^L - lo            ∈ (0, 2^L]      ├ one Linear, three channels over [x', hi]
//! hi1 = hi + 1                              ┘
//! y0  = T(hi), y1 = T(hi1)                  two lookups into the same table (out scale s_o + g)
//! acc = y0·w + y1·lo                        two Mul products and a Linear (2 terms)
//! out = round(acc / 2^(L+g))                Requant: the only rounding of the output
//! ```
//!
//! `floor` rather than `round` makes `lo` and `w` non-negative, so the output is a convex
//! combination of two table entries: it interpolates instead of extrapolating (3x smaller error
//! bound for smooth functions), and it keeps every bound the function has (`Abs ≥ 0` stays
//! `≥ 0` for a `Sqrt` that follows; `Sigmoid` stays in `[0, 1]`; `Clip` within its bounds).
//! Kinks (Abs, Clip, LeakyRelu, HardSigmoid, HardSwish, Elu) only cost accuracy within one
//! table step of the kink. The table entries carry `g` guard bits beyond the output scale so
//! that their rounding (`2^-(s_o+g+1)`) is small next to the final rounding (`2^-(s_o+1)`).
//!
//! Cost per element, against one requant row and one lookup row without interpolation: two
//! lookup rows, two requant rows (three when `x` is a raw accumulator that must first be
//! brought to its activation scale), three Linear positions (one dot row each when the dot
//! chip is at least 3 inputs by 3 outputs; with private parameters, one output per row, five)
//! and two products (lanes of the Mul chip, which a model without products gains).

use super::lower::LowerCtx;
use super::saturate::{clamp, Sides};
use super::{GatherOp, LinearOp, LinearParams, MulOp, QOp, RequantOp, TableFn, TableOp, TensorId};
use crate::error::OpResult;

/// Guard bits of the table entries over the output scale.
pub(super) const GUARD_BITS: u32 = 3;

/// Table entries stay below `2^ENTRY_BITS` (the integer table function gives up at `2^52`).
const ENTRY_BITS: i32 = 51;

/// `y·2^L` (the accumulator) stays below `2^ACC_BITS` (an `i64` witness, with head-room).
const ACC_BITS: i32 = 61;

/// Lowers `out = f(x)` at scale `s_o` for activation `x` (at its scale `s_x`) by interpolating
/// a table with input scale `table_scale < s_x`, for inputs up to `reach` in magnitude (the
/// calibrated range times the margin). Returns `None` when the entries or products could
/// overflow (`Exp` over a very wide range); the caller then looks `x` up without interpolation.
pub(super) fn interpolate(
    ctx: &mut LowerCtx,
    x: TensorId,
    table_scale: u32,
    reach: f64,
    (func, s_o): (TableFn, u32),
    sides: Sides,
) -> OpResult<Option<TensorId>> {
    let t = ctx.tensor(x).clone();
    let s_x = t.scale;
    let l = match s_x.checked_sub(table_scale) {
        Some(l) if l > 0 => l,
        _ => return Ok(None),
    };
    let Some(guard) = guard_bits(func, reach, s_o, l) else { return Ok(None) };
    let s_y = s_o + guard;
    let n = t.len();
    // Both lookups use the identical TableOp: calibration gives them one domain, one table.
    let table = TableOp { func, in_scale: table_scale, out_scale: s_y, bits: 0 };
    // Clamped to thresholds on the table's grid, `hi` and `hi + 1` both read the limit entry
    // wherever `x` was beyond them, and `lo` weighs two equal entries: the same output.
    let x = clamp(ctx, x, &table, l, sides)?;
    let (half, step) = (1i64 << (l - 1), 1i64 << l);

    // x' = x - 2^(L-1), so that Requant's round-half-up is a floor.
    let mut shifted = LinearOp::single_channel(n, 1, (0..n as u32).map(Some).collect(), vec![1]);
    shifted.bias = vec![-half];
    let x_shifted = ctx.push(QOp::Linear(shifted), vec![x], t.shape.clone(), s_x);
    let hi = ctx.push(
        QOp::Requant(RequantOp { shift: l, relu: false, bits: 0 }),
        vec![x_shifted],
        t.shape.clone(),
        table_scale,
    );

    // Position p reads x'[p] and hi[p] (the inputs are concatenated).
    let pairs = || (0..n as u32).flat_map(|p| [Some(p), Some(n as u32 + p)]).collect::<Vec<_>>();
    // Over [x', hi]: channel 0 `lo = x' + 2^(L-1) - hi·2^L`, 1 `w = 2^L - lo`, 2 `hi + 1`.
    let parts = LinearOp {
        positions: n,
        channels: 3,
        terms: 2,
        index: pairs(),
        weight: vec![1, -step, -1, step, 0, 1],
        bias: vec![half, half, 1],
        pos_stride: 1,
        chan_stride: n,
        params: LinearParams::Structural,
    };
    let parts = ctx.push(QOp::Linear(parts), vec![x_shifted, hi], vec![3 * n], s_x);
    let range = |start: usize| (start as u32..(start + n) as u32).collect::<Vec<u32>>();
    let hi1 = ctx.push(QOp::Gather(GatherOp { index: range(2 * n) }), vec![parts], t.shape.clone(), table_scale);

    let y0 = ctx.push(QOp::Table(table.clone()), vec![hi], t.shape.clone(), s_y);
    let y1 = ctx.push(QOp::Table(table), vec![hi1], t.shape.clone(), s_y);

    let p0 =
        ctx.push(QOp::Mul(MulOp { a_index: range(0), b_index: range(n) }), vec![y0, parts], t.shape.clone(), s_y + l);
    let p1 =
        ctx.push(QOp::Mul(MulOp { a_index: range(0), b_index: range(0) }), vec![y1, parts], t.shape.clone(), s_y + l);
    let sum = LinearOp::single_channel(n, 2, pairs(), vec![1, 1]);
    let acc = ctx.push(QOp::Linear(sum), vec![p0, p1], t.shape.clone(), s_y + l);
    let out = ctx.push(QOp::Requant(RequantOp { shift: l + guard, relu: false, bits: 0 }), vec![acc], t.shape, s_o);
    Ok(Some(out))
}

/// The most guard bits (up to [`GUARD_BITS`]) for which every table entry and every
/// accumulator over `|x| <= reach` (the calibrated range times the margin) fits, judged from
/// `|f|` on a sweep; `None` when not even zero guard bits fit. Inputs beyond `reach` fail the
/// calibrated range checks, or else an overflow check of the integer evaluation.
fn guard_bits(func: TableFn, reach: f64, s_o: u32, l: u32) -> Option<u32> {
    let fmax = (0..=1024)
        .map(|i| func.real(reach * (f64::from(i) / 512.0 - 1.0)).abs())
        .filter(|v| v.is_finite())
        .fold(0f64, f64::max)
        // Head-room for the entries between sweep points and one table step beyond `reach`.
        * 2.0
        + 1.0;
    let log = fmax.log2();
    (0..=GUARD_BITS).rev().find(|&g| {
        let s_y = (s_o + g) as i32;
        s_y <= 62 && log + s_y as f64 <= ENTRY_BITS as f64 && log + (s_y + l as i32) as f64 <= ACC_BITS as f64
    })
}
