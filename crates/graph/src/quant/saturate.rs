//! Saturating tables: where a function's rounded output is constant beyond a point (`e^x` below
//! about `-(s+1)·ln 2`, the tails of sigmoid, tanh, erf and GELU, a clip), the table input is
//! clamped there before the lookup, with the max/ReLU pieces:
//!
//! ```text
//! low side  y = a + relu(x - a)      Linear (1 term + bias), Requant(shift 0, ReLU), Linear
//! high side y = b - relu(b - x)      the same, negated
//! ```
//!
//! `a` and `b` are [`TableOp::saturation`]'s thresholds on the table's grid (scaled up to `x`'s
//! scale when the lookup interpolates), so `value(clamp(x)) = value(x)` for every `x`: the
//! result is bit-identical to the unclamped integer function, and the table need only cover
//! `[a, b]`, however wide the calibrated range: the lookup chooses a finer table input scale,
//! and the table no longer refuses a value beyond its domain on a clamped side (the range checks
//! of the values before it still bound what the circuit admits).

use super::lower::LowerCtx;
use super::{LinearOp, QOp, TableFn, TableOp, TensorId};
use crate::error::OpResult;

/// How much narrower clamping must make a table to be worth its rows.
const MIN_GAIN: f64 = 4.0;

/// Which sides of a lookup's input are clamped.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Sides {
    pub lo: bool,
    pub hi: bool,
}

/// For a lookup of `func` into a table of output scale `out_scale` (guard bits included), of an
/// input at most `max` in magnitude (calibrated; the range checks allow `margin` times more)
/// and at most `cap` fractional bits: the magnitude the table must cover, and the sides to
/// clamp. A side is clamped when its threshold lies inside the calibrated range, and only when
/// clamping makes the table at least [`MIN_GAIN`] times narrower: each clamped side costs a
/// ReLU row (with its range check) and two Linear positions per element, worth paying for two
/// more bits of table input, not for one. A table made coarser because the tables set the
/// circuit's size (`coarsened`: see the `refine` module) is clamped wherever both thresholds lie
/// inside the range checks' reach: a table clamped on both sides covers only its thresholds,
/// without the margin, so there clamping saves table rows.
pub(super) fn plan(func: TableFn, cap: u32, out_scale: u32, max: f64, margin: f64, coarsened: bool) -> (f64, Sides) {
    let probe = TableOp { func, in_scale: cap, out_scale, bits: 0 };
    let (lo, hi) = probe.saturation();
    let real = |v: i64| v as f64 / (1u64 << cap.min(62)) as f64;
    let reach = max * margin;
    let lo = lo.map(real).filter(|&a| -a < reach);
    // Softmax's `e^min(d, 0)` only ever sees `d <= 0`: its high side needs no room.
    let nonpositive = matches!(func, TableFn::ExpNonPos);
    let hi = hi.map(real).filter(|&b| b < reach && !nonpositive);
    let lo_extent = lo.map_or(max, f64::abs);
    let hi_extent = if nonpositive { 0.0 } else { hi.map_or(max, f64::abs) };
    let extent = lo_extent.max(hi_extent);
    // (A function constant everywhere, a Clip with min > max, has thresholds that cross: no gain.)
    let clamp = (coarsened && lo.is_some() && hi.is_some() && extent < reach) || extent * MIN_GAIN <= max;
    if clamp {
        (extent, Sides { lo: lo.is_some(), hi: hi.is_some() })
    } else {
        (max, Sides::default())
    }
}

/// Clamps `x` (at `table`'s input scale plus `shift` bits) to `table`'s saturation thresholds
/// on `sides`.
pub(super) fn clamp(ctx: &mut LowerCtx, x: TensorId, table: &TableOp, shift: u32, sides: Sides) -> OpResult<TensorId> {
    let (lo, hi) = table.saturation();
    let up = |v: i64| v.checked_mul(1i64 << shift.min(62));
    let mut y = x;
    if let Some(a) = lo.filter(|_| sides.lo).and_then(up) {
        y = relu_about(ctx, y, a, 1)?;
    }
    if let Some(b) = hi.filter(|_| sides.hi).and_then(up) {
        y = relu_about(ctx, y, b, -1)?;
    }
    Ok(y)
}

/// `t + sign·relu(sign·(x - t))`: `max(x, t)` for `sign = 1`, `min(x, t)` for `sign = -1`.
fn relu_about(ctx: &mut LowerCtx, x: TensorId, t: i64, sign: i64) -> OpResult<TensorId> {
    let shape = ctx.tensor(x).shape.clone();
    let scale = ctx.tensor(x).scale;
    let n = shape.iter().product::<usize>();
    let affine = |weight: i64, bias: i64| {
        let mut op = LinearOp::single_channel(n, 1, (0..n as u32).map(Some).collect(), vec![weight]);
        op.bias = vec![bias];
        QOp::Linear(op)
    };
    let d = ctx.push(affine(sign, -sign * t), vec![x], shape.clone(), scale);
    let r = ctx.rescale(d, scale, true)?;
    Ok(ctx.push(affine(sign, t), vec![r], shape, scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The thresholds are exact: beyond them the rounded function is constant (checked on a
    /// window and at points far out), one step inside it is not.
    #[test]
    fn saturation_thresholds_are_where_the_rounded_function_stops_changing() {
        let funcs = [
            TableFn::Sigmoid,
            TableFn::Tanh,
            TableFn::Erf,
            TableFn::Exp,
            TableFn::ExpNonPos,
            TableFn::Softplus,
            TableFn::Mish,
            TableFn::Gelu { tanh: false },
            TableFn::Gelu { tanh: true },
            TableFn::Elu { alpha: 1.0 },
            TableFn::Selu { alpha: 1.673_263_2, gamma: 1.050_701 },
            TableFn::HardSigmoid { alpha: 0.2, beta: 0.5 },
            TableFn::HardSwish,
            TableFn::Clip { min: -1.5, max: 2.0 },
        ];
        for func in funcs {
            for (in_scale, out_scale) in [(4, 4), (8, 14), (12, 17)] {
                let t = TableOp { func, in_scale, out_scale, bits: 0 };
                let (lo, hi) = t.saturation();
                let (lo_tail, hi_tail) = func.tails();
                assert_eq!(lo.is_some(), lo_tail.is_some(), "{func:?} low side");
                assert_eq!(hi.is_some(), hi_tail.is_some(), "{func:?} high side");
                let far = [1i64 << 20, 1 << 30, 1 << 45];
                if let Some(a) = lo {
                    let v = t.value(a);
                    assert!((a - 3000..=a).all(|x| t.value(x) == v), "{func:?} below {a}");
                    assert!(far.iter().all(|&d| t.value(a - d) == v), "{func:?} far below {a}");
                    // The search stops at the tail's monotone bound; short of it, `a` is the last.
                    let bound = lo_tail.map_or(0.0, |m| m * f64::from(1u32 << in_scale));
                    if (a as f64) < bound.floor() {
                        assert_ne!(t.value(a + 1), v, "{func:?}: {a} is the last point of the low tail");
                    }
                }
                if let Some(b) = hi {
                    let v = t.value(b);
                    assert!((b..=b + 3000).all(|x| t.value(x) == v), "{func:?} above {b}");
                    assert!(far.iter().all(|&d| t.value(b + d) == v), "{func:?} far above {b}");
                    let bound = hi_tail.map_or(0.0, |m| m * f64::from(1u32 << in_scale));
                    if (b as f64) > bound.ceil() {
                        assert_ne!(t.value(b - 1), v, "{func:?}: {b} is the first point of the high tail");
                    }
                }
            }
        }
    }

    /// A wide calibrated range is clamped on the sides where the function saturates, and only
    /// where that narrows the table enough to pay for the rows.
    #[test]
    fn the_plan_clamps_only_where_it_narrows_the_table() {
        // tanh at output scale 17 saturates near ±6.6: a range of ±50 shrinks to that.
        let (extent, sides) = plan(TableFn::Tanh, 14, 17, 50.0, 2.0, false);
        assert!(extent < 7.0 && sides.lo && sides.hi, "{extent} {sides:?}");
        // ±10 would gain less than two bits: not worth the rows.
        let (extent, sides) = plan(TableFn::Tanh, 14, 17, 10.0, 2.0, false);
        assert!(extent == 10.0 && !sides.lo && !sides.hi, "{extent} {sides:?}");
        // Unless the table is being made coarser for rows: then any threshold within the range
        // checks' reach is clamped, even one beyond the calibrated range itself.
        let (extent, sides) = plan(TableFn::Tanh, 14, 17, 5.0, 2.0, true);
        assert!(extent < 7.0 && sides.lo && sides.hi, "{extent} {sides:?}");
        let (extent, sides) = plan(TableFn::Tanh, 14, 17, 3.0, 2.0, true);
        assert!(extent == 3.0 && !sides.lo && !sides.hi, "{extent} {sides:?}");
        // Exp grows without bound above: clamping below alone cannot narrow the table.
        let (_, sides) = plan(TableFn::Exp, 14, 17, 50.0, 2.0, false);
        assert!(!sides.lo && !sides.hi);
        // Softmax's e^min(d, 0) needs no room above 0.
        let (extent, sides) = plan(TableFn::ExpNonPos, 14, 17, 100.0, 2.0, false);
        assert!(extent < 13.0 && sides.lo && !sides.hi, "{extent} {sides:?}");
    }
}
