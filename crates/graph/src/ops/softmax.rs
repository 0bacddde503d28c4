//! `Softmax`, and the lowering it shares with `LogSoftmax`.
//!
//! Per group (the elements along the axis): `m = max x` (a tree of ReLUs of differences),
//! `d = x - m <= 0`, `e = exp(d)` by lookup table (so `0 < e <= 1` whatever the range of `x`),
//! `s = Σ e >= 1`, then `softmax = e / s` (the `Div` primitive: an exact rounded quotient) or
//! `log_softmax = d - ln(s)` (`ln` by lookup table over `[1, group size]`).

use super::broadcast::expect_inputs;
use super::div::div_indexed;
use super::layout::{axis as norm_axis, flat};
use super::max_tree::{groups_u32, max_reduce, Extremum};
use super::reduce::Reduce;
use crate::error::{OpError, OpResult};
use crate::{LValue, LinearOp, LowerCtx, Op, QOp, TableFn, Tensor, TensorId};

/// `exp(x - max) / Σ exp(x - max)` over `axis`. Before opset 13 the input is coerced to 2-D at
/// `axis` (`coerce_2d`: the groups are all the trailing axes); from 13 the group is one axis.
#[derive(Debug, Clone, Default)]
pub struct Softmax {
    /// The axis to normalize over (negative counts from the end).
    pub axis: i64,
    /// Normalize over all axes from `axis` on (ONNX before opset 13).
    pub coerce_2d: bool,
    /// A constant mask folded in at import (see [`crate::fold_masks`]).
    pub mask: Option<SoftmaxMask>,
}

/// The elements that a constant mask (`x + fill` or `Where(cond, x, fill)` with `fill` at or
/// below [`crate::MASK_BELOW`]) drives to `e^(fill + x - max) = 0`: their output is exactly 0
/// and the others are normalized among themselves. Each group keeps at least one element.
#[derive(Debug, Clone)]
pub struct SoftmaxMask {
    /// Per element of the input (flat, row-major): whether it is masked.
    pub masked: Vec<bool>,
    /// The largest masked value, for the check at lowering that it does vanish.
    pub fill: f32,
}

impl Softmax {
    /// The groups of flat indices normalized together, masked elements left out.
    fn kept_groups(&self, shape: &[usize]) -> OpResult<Vec<Vec<usize>>> {
        let mut groups = softmax_groups(shape, self.axis, self.coerce_2d)?;
        if let Some(mask) = &self.mask {
            if mask.masked.len() != shape.iter().product::<usize>() {
                return Err(OpError::Shape(format!("a mask of {} elements for input {shape:?}", mask.masked.len())));
            }
            for g in &mut groups {
                g.retain(|&i| !mask.masked[i]);
                if g.is_empty() {
                    return Err(OpError::Unsupported(
                        "a softmax row whose every element is masked (its f32 value is NaN or uniform)".into(),
                    ));
                }
            }
        }
        Ok(groups)
    }
}

impl Op for Softmax {
    fn name(&self) -> &'static str {
        "Softmax"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 1)?;
        self.kept_groups(inputs[0])?;
        Ok(inputs[0].to_vec())
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 1)?;
        eval_groups(inputs[0], &self.kept_groups(inputs[0].shape())?, false)
    }

    fn with_mask(&self, shape: &[usize], masked: Vec<bool>, fill: f32) -> Option<OpResult<Box<dyn Op>>> {
        let op = Self { mask: Some(SoftmaxMask { masked, fill }), ..self.clone() };
        Some(op.kept_groups(shape).map(|_| Box::new(op) as Box<dyn Op>))
    }

    fn with_keep(&self, invert: bool) -> Option<Box<dyn Op>> {
        let keep = super::SoftmaxKeep { axis: self.axis, coerce_2d: self.coerce_2d, invert };
        self.mask.is_none().then(|| Box::new(keep) as Box<dyn Op>)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let [LValue::Act { id, .. }] = inputs else {
            return Err(OpError::Unsupported("softmax of a constant (it folds at import) or of several inputs".into()));
        };
        let Some(mask) = &self.mask else {
            return lower_softmax(ctx, inputs, self.axis, self.coerce_2d, false);
        };
        let x = ctx.materialize(*id)?;
        let t = ctx.tensor(x).clone();
        check_vanishes(ctx, mask.fill)?;
        // Normalize the kept elements (gathered into one flat tensor), then place them back
        // with the masked ones 0 (a Linear position with no term).
        let kept: Vec<usize> = (0..t.len()).filter(|&i| !mask.masked[i]).collect();
        let mut pos = vec![None; t.len()];
        for (p, &i) in kept.iter().enumerate() {
            pos[i] = Some(p as u32);
        }
        let groups = self.kept_groups(&t.shape)?;
        let groups: Vec<Vec<usize>> =
            groups.iter().map(|g| g.iter().filter_map(|&i| pos[i].map(|p| p as usize)).collect()).collect();
        let xk = ctx.gather(x, kept.iter().map(|&i| i as u32).collect(), vec![kept.len()]);
        let out = lower_groups(ctx, xk, &groups, vec![kept.len()], false, ctx.in_max_abs(0))?;
        let scale = ctx.tensor(out).scale;
        let place = LinearOp::single_channel(t.len(), 1, pos, vec![1]);
        Ok(LValue::Act { id: ctx.push(QOp::Linear(place), vec![out], t.shape, scale), exclusive: true })
    }
}

/// A masked element's `e^(fill + x - max)` rounds to 0 at the exponential's output scale for
/// every input its range checks let through (below twice the calibrated range times the
/// margin), so leaving it out changes no integer of the result.
pub(super) fn check_vanishes(ctx: &LowerCtx, fill: f32) -> OpResult<()> {
    let bound = 2.0 * ctx.margin() * ctx.in_max_abs(0);
    let reach = 2.0 * bound;
    let floor = -f64::from(ctx.scale_for_max(1.0) + 1) * std::f64::consts::LN_2;
    if f64::from(fill) + reach < floor {
        Ok(())
    } else {
        Err(OpError::Unsupported(format!(
            "a softmax mask of {fill} does not vanish against inputs up to {:.1} in magnitude (it needs to stay below {:.1})",
            bound,
            floor - reach
        )))
    }
}

/// The groups of flat indices that one softmax normalizes together.
pub(crate) fn softmax_groups(shape: &[usize], axis: i64, coerce_2d: bool) -> OpResult<Vec<Vec<usize>>> {
    let rank = shape.len();
    if rank == 0 {
        return Err(OpError::Invalid("softmax of a scalar".into()));
    }
    let a = norm_axis(axis, rank)?;
    let axes: Vec<i64> = if coerce_2d { (a..rank).map(|i| i as i64).collect() } else { vec![a as i64] };
    let (_, groups) = Reduce { axes: Some(axes), keepdims: true, ..Reduce::default() }.map(shape)?;
    if groups.iter().any(Vec::is_empty) {
        return Err(OpError::Invalid(format!("softmax over an empty axis of {shape:?}")));
    }
    Ok(groups)
}

/// f32 reference, in f64 with the max subtracted (as the lowering does).
pub(crate) fn eval_softmax(x: &Tensor, axis: i64, coerce_2d: bool, log: bool) -> OpResult<Tensor> {
    eval_groups(x, &softmax_groups(x.shape(), axis, coerce_2d)?, log)
}

/// [`eval_softmax`] over `groups` (an element in no group is 0).
pub(super) fn eval_groups(x: &Tensor, groups: &[Vec<usize>], log: bool) -> OpResult<Tensor> {
    let data = flat(x);
    let mut out = vec![0f32; data.len()];
    for g in groups {
        let m = g.iter().map(|&i| f64::from(data[i])).fold(f64::NEG_INFINITY, f64::max);
        let s: f64 = g.iter().map(|&i| (f64::from(data[i]) - m).exp()).sum();
        for &i in g {
            let d = f64::from(data[i]) - m;
            out[i] = if log { d - s.ln() } else { d.exp() / s } as f32;
        }
    }
    Tensor::from_shape_vec(x.shape(), out).map_err(|e| OpError::Shape(e.to_string()))
}

/// Lowers a softmax (`log`: a log-softmax) of the activation in `inputs`.
pub(crate) fn lower_softmax(
    ctx: &mut LowerCtx,
    inputs: &[LValue],
    axis: i64,
    coerce_2d: bool,
    log: bool,
) -> OpResult<LValue> {
    let [LValue::Act { id, .. }] = inputs else {
        return Err(OpError::Unsupported("softmax of a constant (it folds at import) or of several inputs".into()));
    };
    let x = ctx.materialize(*id)?;
    let t = ctx.tensor(x).clone();
    let groups = softmax_groups(&t.shape, axis, coerce_2d)?;
    let out = lower_groups(ctx, x, &groups, t.shape, log, ctx.in_max_abs(0))?;
    Ok(LValue::Act { id: out, exclusive: true })
}

/// The softmax (`log`: log-softmax) of activation `x` of `shape` over `groups`, every element
/// in exactly one group.
pub(super) fn lower_groups(
    ctx: &mut LowerCtx,
    x: TensorId,
    groups: &[Vec<usize>],
    shape: Vec<usize>,
    log: bool,
    max_x: f64,
) -> OpResult<TensorId> {
    let n = shape.iter().product();
    let group_of = group_index(groups, n);
    let m = max_reduce(ctx, &[x], &groups_u32(groups)?, vec![groups.len()], Extremum::Max)?;
    // d = x - m[group] <= 0, at x's scale (the max has it too); its magnitude is below twice x's.
    let d = subtract_by_group(ctx, x, m, &group_of, shape.clone())?;
    let max_d = 2.0 * max_x;
    let exp_scale = ctx.scale_for_max(1.0);
    let e = ctx.lookup_as(d, max_d, TableFn::ExpNonPos, exp_scale)?;
    // s = Σ e over the group: 1 <= s <= group size.
    let width = groups.iter().map(Vec::len).max().unwrap_or(1);
    let index = groups.iter().flat_map(|g| (0..width).map(move |j| g.get(j).map(|&i| i as u32))).collect::<Vec<_>>();
    let sum = LinearOp::single_channel(groups.len(), width, index, vec![1; width]);
    let s = ctx.push(QOp::Linear(sum), vec![e], vec![groups.len()], exp_scale);
    let out = if log {
        let ls = ctx.lookup_as(s, width as f64, TableFn::Ln, ctx.out_scale())?;
        subtract_by_group(ctx, d, ls, &group_of, shape)?
    } else {
        div_indexed(ctx, e, s, (0..n as u32).collect(), group_of, shape)?
    };
    Ok(out)
}

/// For each of `len` elements, the index of the group that holds it.
pub(crate) fn group_index(groups: &[Vec<usize>], len: usize) -> Vec<u32> {
    let mut group_of = vec![0u32; len];
    for (g, members) in groups.iter().enumerate() {
        for &i in members {
            group_of[i] = g as u32;
        }
    }
    group_of
}

/// `d[i] - l[group_of[i]]` at the finer of the two scales (exact).
fn subtract_by_group(
    ctx: &mut LowerCtx,
    d: TensorId,
    l: TensorId,
    group_of: &[u32],
    shape: Vec<usize>,
) -> OpResult<TensorId> {
    let (sd, sl) = (ctx.tensor(d).scale, ctx.tensor(l).scale);
    let scale = sd.max(sl);
    if scale - sd.min(sl) > 30 {
        return Err(OpError::Invalid(format!("scale gap 2^{} too large", scale - sd.min(sl))));
    }
    let n = group_of.len();
    let index = (0..n as u32).flat_map(|i| [Some(i), Some(n as u32 + group_of[i as usize])]).collect();
    let weight = vec![1i64 << (scale - sd), -(1i64 << (scale - sl))];
    Ok(ctx.push(QOp::Linear(LinearOp::single_channel(n, 2, index, weight)), vec![d, l], shape, scale))
}
