//! `BatchNormalization` (inference mode).

use super::broadcast::{expect_inputs, identity_index};
use super::elementwise::{affine, Operand};
use crate::error::{OpError, OpResult};
use crate::{LValue, LinearParams, LowerCtx, Op, QOp, Tensor, TensorId};

/// `y = (x - mean) / sqrt(var + epsilon) * scale + bias`, per channel (axis 1), with constant
/// statistics: the per-channel affine map `y = a[c] * x + b[c]`.
///
/// Lowering: when `x` is the exclusive output of a linear op (Conv, Gemm, MatMul) whose output
/// channels each lie in one BatchNorm channel, the map folds into that op: its integer weights
/// are multiplied by `a[c]` and re-rounded at a scale that keeps their magnitude (so they keep
/// their bit width), and `b[c]` joins the bias — no new cells. Otherwise it is one linear op
/// (the same lowering as `Mul` then `Add` by per-channel constants).
#[derive(Debug, Clone)]
pub struct BatchNorm {
    /// Added to the variance before the square root.
    pub epsilon: f32,
}

impl Default for BatchNorm {
    fn default() -> Self {
        Self { epsilon: 1e-5 }
    }
}

impl BatchNorm {
    fn check(shapes: &[&[usize]]) -> OpResult<usize> {
        expect_inputs(shapes, 5, 5)?;
        let c =
            *shapes[0].get(1).ok_or_else(|| OpError::Shape(format!("input {:?} has no channel axis", shapes[0])))?;
        if let Some(bad) = shapes[1..].iter().find(|s| **s != [c]) {
            return Err(OpError::Shape(format!("scale, bias, mean and var must be [{c}], found {bad:?}")));
        }
        Ok(c)
    }

    /// Per-channel `(a, b)` of `y = a * x + b`.
    fn coefficients(&self, p: [&Tensor; 4]) -> (Vec<f64>, Vec<f64>) {
        let [scale, bias, mean, var] = p.map(|t| t.iter().map(|&v| v as f64).collect::<Vec<f64>>());
        let a: Vec<f64> = scale.iter().zip(&var).map(|(s, v)| s / (v + self.epsilon as f64).sqrt()).collect();
        let b = bias.iter().zip(&mean).zip(&a).map(|((b, m), a)| b - m * a).collect();
        (a, b)
    }
}

/// Channel of element `e` of a tensor `[N, c, inner...]`.
fn channel(e: usize, c: usize, inner: usize) -> usize {
    (e / inner.max(1)) % c.max(1)
}

impl Op for BatchNorm {
    fn name(&self) -> &'static str {
        "BatchNormalization"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        Self::check(inputs)?;
        Ok(inputs[0].to_vec())
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        let shapes: Vec<&[usize]> = inputs.iter().map(|t| t.shape()).collect();
        let c = Self::check(&shapes)?;
        let inner: usize = inputs[0].shape()[2..].iter().product();
        let p: Vec<Vec<f32>> = inputs[1..].iter().map(|t| t.iter().copied().collect()).collect();
        let mut out = inputs[0].as_standard_layout().to_owned();
        for (e, v) in out.iter_mut().enumerate() {
            let k = channel(e, c, inner);
            *v = (*v - p[2][k]) / (p[3][k] + self.epsilon).sqrt() * p[0][k] + p[1][k];
        }
        Ok(out)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let [LValue::Act { id, exclusive }, LValue::Const(s), LValue::Const(b), LValue::Const(m), LValue::Const(v)] =
            inputs
        else {
            return Err(OpError::Unsupported("BatchNormalization needs constant scale, bias, mean and var".into()));
        };
        let shape = ctx.tensor(*id).shape.clone();
        let c = Self::check(&[&shape, s.shape(), b.shape(), m.shape(), v.shape()])?;
        let (a, b) = self.coefficients([s, b, m, v]);
        let inner: usize = shape[2..].iter().product();
        if *exclusive && fold(ctx, *id, &a, &b, c, inner)? {
            return Ok(LValue::Act { id: *id, exclusive: true });
        }
        let x = ctx.materialize(*id)?;
        let scale = ctx.tensor(x).scale;
        let n: usize = shape.iter().product();
        let per_elem = |v: &[f64]| {
            Tensor::from_shape_vec(vec![n], (0..n).map(|e| v[channel(e, c, inner)] as f32).collect())
                .map_err(|e| OpError::Shape(e.to_string()))
        };
        let (at, bt) = (per_elem(&a)?, per_elem(&b)?);
        let sw = ctx.const_scale(&at);
        let weight = ctx.quantize_const(&at, sw)?;
        let bias = ctx.quantize_const(&bt, scale + sw)?;
        let out = affine(
            ctx,
            &[Operand { id: x, index: identity_index(n)?, weight }],
            &bias,
            LinearParams::All,
            shape,
            scale + sw,
        )?;
        Ok(LValue::Act { id: out, exclusive: true })
    }
}

/// Folds `y = a[c] * x + b[c]` into the linear op producing `id`; false (changing nothing) when
/// the producer is not a linear op or one of its output channels spans several BatchNorm channels.
fn fold(ctx: &mut LowerCtx, id: TensorId, a: &[f64], b: &[f64], c: usize, inner: usize) -> OpResult<bool> {
    let acc_scale = ctx.tensor(id).scale as i64;
    let Some(node) = ctx.producer_mut(id) else { return Ok(false) };
    let QOp::Linear(op) = &mut node.op else { return Ok(false) };
    let mut chan = vec![None; op.channels];
    for p in 0..op.positions {
        for (o, ch) in chan.iter_mut().enumerate() {
            let k = channel(p * op.pos_stride + o * op.chan_stride, c, inner);
            match ch {
                None => *ch = Some(k),
                Some(j) if *j != k => return Ok(false),
                Some(_) => {}
            }
        }
    }
    let chan: Vec<usize> = chan.into_iter().map(|k| k.unwrap_or(0)).collect();
    let terms = op.terms;
    let max_w = op.weight.iter().fold(0f64, |m, &w| m.max((w as f64).abs()));
    let max_wa =
        op.weight.iter().enumerate().fold(0f64, |m, (i, &w)| m.max((w as f64 * a[chan[i / terms.max(1)]]).abs()));
    // Shift k keeps the largest weight at (or just under) its current magnitude.
    let k = if max_w > 0.0 && max_wa > 0.0 { (max_w / max_wa).log2().floor() as i64 } else { 0 };
    let k = k.max(-acc_scale);
    let new_scale = acc_scale + k;
    if new_scale > 62 - 2 {
        return Ok(false);
    }
    let factor = 2f64.powi(k as i32);
    let round = |v: f64| {
        let r = v.round();
        if r.is_finite() && r.abs() < 2f64.powi(62) {
            Ok(r as i64)
        } else {
            Err(OpError::Invalid(format!("folded BatchNormalization weight {v} overflows")))
        }
    };
    let weight = op
        .weight
        .iter()
        .enumerate()
        .map(|(i, &w)| round(w as f64 * a[chan[i / terms.max(1)]] * factor))
        .collect::<OpResult<Vec<i64>>>()?;
    let bias = op
        .bias
        .iter()
        .enumerate()
        .map(|(o, &v)| round(v as f64 * a[chan[o]] * factor + b[chan[o]] * 2f64.powi(new_scale as i32)))
        .collect::<OpResult<Vec<i64>>>()?;
    (op.weight, op.bias, op.params) = (weight, bias, LinearParams::All);
    ctx.refold(id, new_scale as u32);
    Ok(true)
}
