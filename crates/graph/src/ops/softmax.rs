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
}

impl Op for Softmax {
    fn name(&self) -> &'static str {
        "Softmax"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 1)?;
        softmax_groups(inputs[0], self.axis, self.coerce_2d)?;
        Ok(inputs[0].to_vec())
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 1)?;
        eval_softmax(inputs[0], self.axis, self.coerce_2d, false)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        lower_softmax(ctx, inputs, self.axis, self.coerce_2d, false)
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
    let data = flat(x);
    let mut out = vec![0f32; data.len()];
    for g in softmax_groups(x.shape(), axis, coerce_2d)? {
        let m = g.iter().map(|&i| f64::from(data[i])).fold(f64::NEG_INFINITY, f64::max);
        let s: f64 = g.iter().map(|&i| (f64::from(data[i]) - m).exp()).sum();
        for &i in &g {
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
    let n = t.len();
    let group_of = group_index(&groups, n);
    let m = max_reduce(ctx, &[x], &groups_u32(&groups)?, vec![groups.len()], Extremum::Max)?;
    // d = x - m[group] <= 0, at x's scale (the max has it too); its magnitude is below twice x's.
    let d = subtract_by_group(ctx, x, m, &group_of, t.shape.clone())?;
    let max_d = 2.0 * ctx.in_max_abs(0);
    let exp_scale = ctx.scale_for_max(1.0);
    let e = ctx.lookup_as(d, max_d, TableFn::ExpNonPos, exp_scale)?;
    // s = Σ e over the group: 1 <= s <= group size.
    let width = groups.iter().map(Vec::len).max().unwrap_or(1);
    let index = groups.iter().flat_map(|g| (0..width).map(move |j| g.get(j).map(|&i| i as u32))).collect::<Vec<_>>();
    let sum = LinearOp::single_channel(groups.len(), width, index, vec![1; width]);
    let s = ctx.push(QOp::Linear(sum), vec![e], vec![groups.len()], exp_scale);
    let out = if log {
        let ls = ctx.lookup_as(s, width as f64, TableFn::Ln, ctx.out_scale())?;
        subtract_by_group(ctx, d, ls, &group_of, t.shape)?
    } else {
        div_indexed(ctx, e, s, (0..n as u32).collect(), group_of, t.shape)?
    };
    Ok(LValue::Act { id: out, exclusive: true })
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
