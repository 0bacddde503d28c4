//! A Softmax behind a mask computed from the model's inputs (a padding mask): HF-style
//! `scores + (1 - keep)·fill` or `Where(keep, scores, fill)` with a constant `fill` at or below
//! [`crate::MASK_BELOW`] and `keep` computed (an `attention_mask` input, a comparison). Folded
//! at import by [`crate::fold_masks`] into one op of two inputs, `[scores, keep]`.
//!
//! The result is the softmax over the kept elements of each group, 0 at the masked ones, as the
//! model computes it wherever a group keeps at least one element; a group that keeps none is
//! refused (by the f32 evaluation, and in the circuit, which has no witness for it).
//!
//! In the circuit: `keep` (scale 0) is held to 0 or 1 (`compare::boolean`), and the fill,
//! which cannot be quantized with the scores, is replaced by a bounded one, `-B` with `B` just
//! large enough that `e^(x - B - max)` rounds to the integer 0 for every input the range checks
//! admit (the constant-mask check, `softmax::check_vanishes`). So `x' = x - B·(1 - keep)` is one
//! Linear position per element, and the Softmax of `x'` over whole groups (saturating the
//! exponential's table) is the softmax over the kept elements, exactly. Per group, `Σ keep ≥ 1`
//! is checked by `z = 4·relu(1 - Σ keep)` at the smallest range bound (only 0 passes), added to
//! the group's first element.

use super::broadcast::{broadcast_index, broadcast_to, expect_inputs};
use super::elementwise::{affine, Operand};
use super::layout::flat;
use super::softmax::{check_vanishes, eval_groups, group_index, lower_groups, softmax_groups};
use crate::error::{OpError, OpResult};
use crate::{LValue, LinearOp, LinearParams, LowerCtx, Op, QOp, RequantOp, Tensor};

/// `Softmax` of `scores` over the elements `keep` marks (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct SoftmaxKeep {
    /// The Softmax's axis.
    pub axis: i64,
    /// The Softmax's pre-opset-13 coercion to 2-D.
    pub coerce_2d: bool,
    /// `keep` marks the masked elements instead (`Where(masked, fill, scores)`).
    pub invert: bool,
}

impl SoftmaxKeep {
    /// Per group, its kept elements (flat indices of `scores`), for the f32 evaluation.
    fn kept(&self, scores: &Tensor, keep: &Tensor) -> OpResult<Vec<Vec<usize>>> {
        let keep = flat(&broadcast_to(keep, scores.shape())?);
        let mut groups = softmax_groups(scores.shape(), self.axis, self.coerce_2d)?;
        for g in &mut groups {
            g.retain(|&i| (keep[i] != 0.0) != self.invert);
            if g.is_empty() {
                return Err(OpError::Invalid(
                    "every element of a softmax row is masked by the computed mask (the model's value there is \
                     uniform or NaN)"
                        .into(),
                ));
            }
        }
        Ok(groups)
    }
}

impl Op for SoftmaxKeep {
    fn name(&self) -> &'static str {
        "Softmax"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 2, 2)?;
        broadcast_index(inputs[1], inputs[0])?;
        Ok(inputs[0].to_vec())
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 2, 2)?;
        eval_groups(inputs[0], &self.kept(inputs[0], inputs[1])?, false)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let [LValue::Act { id: x, .. }, LValue::Act { id: k, .. }] = inputs else {
            return Err(OpError::Unsupported("a computed softmax mask of constants (it folds at import)".into()));
        };
        let x = ctx.materialize(*x)?;
        let t = ctx.tensor(x).clone();
        let k = ctx.materialize(*k)?;
        if ctx.tensor(k).scale != 0 {
            return Err(OpError::Unsupported(
                "a softmax mask computed at a fixed-point scale (it must be 0 or 1: a boolean or integer input, or a \
                 comparison)"
                    .into(),
            ));
        }
        let k = super::compare::boolean(ctx, k)?;
        let n = t.len();
        let k_index = broadcast_index(&ctx.tensor(k).shape, &t.shape)?;
        // B: the bounded fill, checked like a constant mask's.
        let floor = f64::from(ctx.scale_for_max(1.0) + 1) * std::f64::consts::LN_2;
        let reach = 4.0 * ctx.margin() * ctx.in_max_abs(0);
        let b = (reach + floor + 1.0).ceil();
        check_vanishes(ctx, -b as f32)?;
        let b_int = (b * (1u64 << t.scale.min(62)) as f64) as i64;
        // Per group: z = 4·relu(1 - Σ keep), 0 exactly when the group keeps an element.
        let groups = softmax_groups(&t.shape, self.axis, self.coerce_2d)?;
        // Groups along an axis all have one width; `1 - Σ keep` (inverted: `1 - width + Σ masked`).
        let width = groups.first().map_or(1, Vec::len);
        let (w, bias) = if self.invert { (1, 1 - width as i64) } else { (-1, 1) };
        let index = groups.iter().flat_map(|g| (0..width).map(|j| g.get(j).map(|&i| k_index[i]))).collect();
        let mut sum = LinearOp::single_channel(groups.len(), width, index, vec![w; width]);
        sum.bias = vec![bias];
        let short = ctx.push(QOp::Linear(sum), vec![k], vec![groups.len()], 0);
        let r = ctx.rescale(short, 0, true)?;
        let four = [Operand { id: r, index: (0..groups.len() as u32).collect(), weight: vec![4; groups.len()] }];
        let check = affine(ctx, &four, &vec![0; groups.len()], LinearParams::Structural, vec![groups.len()], 0)?;
        let z =
            ctx.push(QOp::Requant(RequantOp { shift: 0, relu: false, bits: 0 }), vec![check], vec![groups.len()], 0);
        ctx.label(z, "the check that every softmax row keeps an element: nonzero when one keeps none");
        // x' = x - B·(1 - keep) (+ z at each group's first element).
        let group_of = group_index(&groups, n);
        let first: Vec<bool> = (0..n).map(|i| groups[group_of[i] as usize].first() == Some(&i)).collect();
        let (kw, kb) = if self.invert { (-b_int, 0) } else { (b_int, -b_int) };
        let operands = [
            Operand { id: x, index: (0..n as u32).collect(), weight: vec![1; n] },
            Operand { id: k, index: k_index, weight: vec![kw; n] },
            Operand { id: z, index: group_of.clone(), weight: first.iter().map(|&f| i64::from(f)).collect() },
        ];
        let shifted = affine(ctx, &operands, &vec![kb; n], LinearParams::Structural, t.shape.clone(), t.scale)?;
        ctx.exact(shifted);
        let out = lower_groups(ctx, shifted, &groups, t.shape, false, ctx.in_max_abs(0) + b)?;
        Ok(LValue::Act { id: out, exclusive: true })
    }
}
