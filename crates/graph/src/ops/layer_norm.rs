//! `LayerNormalization` (opset 17): `(x - mean) / sqrt(var + eps) * scale + bias` over the
//! trailing axes from `axis`; `RMSNormalization` (opset 23): `x / sqrt(mean(x²) + eps) * scale`,
//! the same without centering or bias; `InstanceNormalization` (opset 6): a layer normalization
//! over the spatial axes (from axis 2) with one scale and bias per channel (axis 1).
//!
//! Lowered exactly up to one lookup: per group of `N` elements, `c = N x - Σ x` (= `N (x - mean)`,
//! a linear op; `c = x` for RMS), `v = Σ c²` (= `N³ var`, or `N · mean(x²)`: products and a sum),
//! `r = (v / N³ + eps)^-1/2` (`(v / N + eps)^-1/2`) by a lookup table, then
//! `y = c r · scale / N + bias` (`c r · scale`: a product and a linear op with the per-element
//! constants).

use super::broadcast::{broadcast_index, broadcast_to, expect_inputs, identity_index};
use super::elementwise::{affine, Operand};
use super::layout::{axis as norm_axis, flat};
use super::reduce::Reduce;
use super::softmax::group_index;
use crate::error::{OpError, OpResult};
use crate::{LValue, LinearOp, LinearParams, LowerCtx, MulOp, Op, QOp, TableFn, Tensor, TensorId};

/// What the outputs of one layer normalization share.
struct Stats {
    /// `N x - Σ_group x` per element, at the input's scale.
    c: TensorId,
    /// `(var + eps)^-1/2` per group, at `r_scale`.
    r: TensorId,
    r_scale: u32,
    /// Per element, its group.
    group_of: Vec<u32>,
    /// The factor `c` carries: `N` (centered), or 1 (RMS).
    m: usize,
}

/// Which normalization a [`LayerNorm`] computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NormKind {
    /// `LayerNormalization`: centered; `scale` and `bias` broadcast to the normalized shape.
    #[default]
    Layer,
    /// `RMSNormalization`: not centered (the mean square, not the variance), no bias.
    Rms,
    /// `InstanceNormalization`: centered over the axes from `axis` (2); `scale` and `bias` hold
    /// one value per channel (axis 1).
    Instance,
}

/// Layer normalization over the axes `axis..rank`; `scale` and `bias` are constant inputs
/// (broadcast to the normalized shape, or per channel: [`NormKind`]).
#[derive(Debug, Clone)]
pub struct LayerNorm {
    /// First normalized axis (negative counts from the end).
    pub axis: i64,
    /// Added to the variance before the square root; must be positive.
    pub epsilon: f32,
    /// Which normalization.
    pub kind: NormKind,
}

impl LayerNorm {
    /// Whether the mean is subtracted (all but RMS).
    fn centered(&self) -> bool {
        self.kind != NormKind::Rms
    }

    /// The groups of flat indices normalized together.
    fn groups(&self, shape: &[usize]) -> OpResult<Vec<Vec<usize>>> {
        let a = norm_axis(self.axis, shape.len().max(1))?;
        let axes = (a..shape.len()).map(|i| i as i64).collect();
        let (_, groups) = Reduce { axes: Some(axes), keepdims: true, ..Reduce::default() }.map(shape)?;
        Ok(groups)
    }

    /// The pieces every output shares: `c = N x - Σ x` per element and `r = (var + eps)^-1/2`
    /// per group (see the module docs), for the materialized activation `x`.
    fn stats(&self, ctx: &mut LowerCtx, x: TensorId) -> OpResult<Stats> {
        if !(self.epsilon.is_finite() && self.epsilon > 0.0) {
            return Err(OpError::Invalid(format!("epsilon must be positive, found {}", self.epsilon)));
        }
        let t = ctx.tensor(x).clone();
        let groups = self.groups(&t.shape)?;
        let len = t.len();
        let width = groups.first().map_or(0, Vec::len);
        if width == 0 || groups.iter().any(|g| g.len() != width) {
            return Err(OpError::Invalid("empty normalized shape".into()));
        }
        let group_of = group_index(&groups, len);
        let to_u32 = |i: usize| u32::try_from(i).map_err(|_| OpError::Unsupported("tensor too large".into()));

        // c = N x - Σ_group x: a position per element, terms [x_i, the group's members]
        // (c = x, m = 1 for RMS).
        let (c, m) = if self.centered() {
            let mut index = Vec::with_capacity(len * (width + 1));
            for i in 0..len {
                index.push(Some(to_u32(i)?));
                for &j in &groups[group_of[i] as usize] {
                    index.push(Some(to_u32(j)?));
                }
            }
            let weight = std::iter::once(width as i64).chain(std::iter::repeat_n(-1, width)).collect();
            let c_op = LinearOp::single_channel(len, width + 1, index, weight);
            (ctx.push(QOp::Linear(c_op), vec![x], t.shape.clone(), t.scale), width)
        } else {
            (x, 1)
        };

        // v = Σ_group c² (= m² N var: N³ var, or N mean(x²) for RMS), read at scale 2 s_x + e
        // with 2^e <= m² N < 2^(e+1): as a real number it is var · m² N / 2^e, in [var, 2 var),
        // which a table can take.
        let ids: Vec<u32> = (0..len).map(to_u32).collect::<OpResult<_>>()?;
        let sq = ctx.push(QOp::Mul(MulOp { a_index: ids.clone(), b_index: ids }), vec![c, c], vec![len], 2 * t.scale);
        let index = groups.iter().flatten().map(|&i| to_u32(i).map(Some)).collect::<OpResult<Vec<_>>>()?;
        let sum = LinearOp::single_channel(groups.len(), width, index, vec![1; width]);
        let cube = (m as u128).pow(2) * width as u128;
        let e = 127 - cube.leading_zeros();
        if 2 * t.scale + e > 62 {
            return Err(OpError::Unsupported(format!("{} over {width} elements at scale 2^{}", self.name(), t.scale)));
        }
        let v = ctx.push(QOp::Linear(sum), vec![sq], vec![groups.len()], 2 * t.scale + e);

        // r = (var + eps)^-1/2 with var = v · 2^e / N³ <= max|x|².
        let max_x = ctx.in_max_abs(0);
        let func = TableFn::InvSqrt { mul: (1u128 << e) as f64 / cube as f64, add: f64::from(self.epsilon) };
        let r_scale = ctx.scale_for_max(1.0);
        let r = ctx.lookup_as(v, 2.0 * max_x * max_x, func, r_scale)?;

        Ok(Stats { c, r, r_scale, group_of, m })
    }

    /// f64 reference of one group of `data`: its mean and `(var + eps)^-1/2`.
    fn moments(&self, data: &[f32], g: &[usize]) -> (f64, f64) {
        let n = g.len() as f64;
        let mean = if self.centered() { g.iter().map(|&i| f64::from(data[i])).sum::<f64>() / n } else { 0.0 };
        let var = g.iter().map(|&i| (f64::from(data[i]) - mean).powi(2)).sum::<f64>() / n;
        (mean, 1.0 / (var + f64::from(self.epsilon)).sqrt())
    }

    /// The shape of the per-group outputs: the input's with the normalized axes 1.
    pub fn stat_shape(&self, shape: &[usize]) -> OpResult<Vec<usize>> {
        let a = norm_axis(self.axis, shape.len().max(1))?;
        Ok(shape.iter().enumerate().map(|(i, &d)| if i < a { d } else { 1 }).collect())
    }

    /// `scale` or `bias` broadcast to the input's shape (for instance normalization, a value
    /// per channel: as if shaped `[C, 1, .., 1]`).
    fn param(&self, t: Option<&Tensor>, shape: &[usize], default: f32) -> OpResult<Vec<f32>> {
        match t {
            Some(t) if self.kind == NormKind::Instance => {
                if shape.len() < 2 || t.ndim() != 1 || t.len() != shape[1] {
                    return Err(OpError::Shape(format!(
                        "InstanceNormalization of {shape:?} needs a scale and bias of {} values (one per channel), found {:?}",
                        shape.get(1).copied().unwrap_or(0),
                        t.shape()
                    )));
                }
                let per_channel: Vec<usize> =
                    std::iter::once(t.len()).chain(std::iter::repeat_n(1, shape.len() - 2)).collect();
                let t = t.to_shape(per_channel).map_err(|e| OpError::Shape(e.to_string()))?.to_owned();
                Ok(flat(&broadcast_to(&t, shape)?))
            }
            Some(t) => Ok(flat(&broadcast_to(t, shape)?)),
            None => Ok(vec![default; shape.iter().product()]),
        }
    }
}

impl Op for LayerNorm {
    fn name(&self) -> &'static str {
        match self.kind {
            NormKind::Layer => "LayerNormalization",
            NormKind::Rms => "RMSNormalization",
            NormKind::Instance => "InstanceNormalization",
        }
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 2, 3)?;
        self.groups(inputs[0])?;
        Ok(inputs[0].to_vec())
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 2, 3)?;
        let x = inputs[0];
        let data = flat(x);
        let gamma = self.param(Some(inputs[1]), x.shape(), 1.0)?;
        let beta = self.param(inputs.get(2).copied(), x.shape(), 0.0)?;
        let mut out = vec![0f32; data.len()];
        for g in self.groups(x.shape())? {
            let (mean, r) = self.moments(&data, &g);
            for &i in &g {
                out[i] = ((f64::from(data[i]) - mean) * r * f64::from(gamma[i]) + f64::from(beta[i])) as f32;
            }
        }
        Tensor::from_shape_vec(x.shape(), out).map_err(|e| OpError::Shape(e.to_string()))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let (id, gamma, beta) = match inputs {
            [LValue::Act { id, .. }, LValue::Const(g)] => (*id, g, None),
            [LValue::Act { id, .. }, LValue::Const(g), LValue::Const(b)] => (*id, g, Some(b)),
            _ => {
                return Err(OpError::Unsupported(format!(
                    "{} needs an activation input and constant scale and bias",
                    self.name()
                )))
            }
        };
        let x = ctx.materialize(id)?;
        let Stats { c, r, r_scale, group_of, m } = self.stats(ctx, x)?;
        let t = ctx.tensor(x).clone();
        let (len, mf) = (t.len(), m as f64);
        let to_u32 = |i: usize| u32::try_from(i).map_err(|_| OpError::Unsupported("tensor too large".into()));

        // y = (c r) · scale / m + bias.
        let b_index = group_of;
        let a_index: Vec<u32> = (0..len).map(to_u32).collect::<OpResult<_>>()?;
        let cr = ctx.push(QOp::Mul(MulOp { a_index, b_index }), vec![c, r], t.shape.clone(), t.scale + r_scale);
        let g = Tensor::from_shape_vec(t.shape.clone(), self.param(Some(gamma), &t.shape, 1.0)?)
            .map_err(|e| OpError::Shape(e.to_string()))?;
        // The weights `scale / m` get the scale `scale` itself would, plus `log2 m` bits
        // (rounded up): past the constants' cap, so that dividing by N loses none of the
        // weights' significant bits (over 120 elements the cap alone left them 9 of 17).
        let spread = u32::BITS - (m.max(1) as u32 - 1).leading_zeros();
        let sw = ctx.const_scale(&g) + spread;
        let weight = ctx.quantize_const(&g.mapv(|v| (f64::from(v) / mf) as f32), sw)?;
        let out_scale = t.scale + r_scale + sw;
        let b = Tensor::from_shape_vec(t.shape.clone(), self.param(beta, &t.shape, 0.0)?)
            .map_err(|e| OpError::Shape(e.to_string()))?;
        let bias = ctx.quantize_const(&b, out_scale)?;
        let operands = [Operand { id: cr, index: broadcast_index(&t.shape, &t.shape)?, weight }];
        Ok(LValue::Act {
            id: affine(ctx, &operands, &bias, LinearParams::All, t.shape.clone(), out_scale)?,
            exclusive: true,
        })
    }
}

/// LayerNormalization's third output, `InvStdDev = (var + eps)^-1/2` per group (the input's
/// shape with the normalized axes 1): the lookup its first output uses, read out.
#[derive(Debug, Clone)]
pub struct LayerNormInvStdDev {
    /// The normalization it belongs to.
    pub norm: LayerNorm,
}

impl Op for LayerNormInvStdDev {
    fn name(&self) -> &'static str {
        "LayerNormalization"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 1)?;
        self.norm.stat_shape(inputs[0])
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 1)?;
        let x = inputs[0];
        let data = flat(x);
        let out = self.norm.groups(x.shape())?.iter().map(|g| self.norm.moments(&data, g).1 as f32).collect();
        Tensor::from_shape_vec(self.norm.stat_shape(x.shape())?, out).map_err(|e| OpError::Shape(e.to_string()))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let [LValue::Act { id, .. }] = inputs else {
            return Err(OpError::Unsupported("LayerNormalization of a constant (it folds at import)".into()));
        };
        let x = ctx.materialize(*id)?;
        let shape = self.norm.stat_shape(&ctx.tensor(x).shape)?;
        let r = self.norm.stats(ctx, x)?.r;
        let index = identity_index(ctx.tensor(r).len())?;
        Ok(LValue::Act { id: ctx.gather(r, index, shape), exclusive: true })
    }
}
