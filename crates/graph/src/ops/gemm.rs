//! `Gemm`: `Y = alpha * A' * B' + beta * C` with optional transposes.

use ndarray::{Array2, ArrayView2, Ix2};

use super::broadcast::{broadcast_to, expect_inputs};
use super::elementwise::{affine, Operand};
use crate::error::{OpError, OpResult};
use crate::{LValue, LinearOp, LinearParams, LowerCtx, Op, QOp, Tensor};

/// ONNX `Gemm` (opset 7+ semantics: `C` broadcasts unidirectionally to `[M, N]`).
#[derive(Debug, Clone)]
pub struct Gemm {
    /// Factor on the product `A' * B'`.
    pub alpha: f32,
    /// Factor on the bias `C`.
    pub beta: f32,
    /// Use `A` transposed (`A` is `[K, M]`).
    pub trans_a: bool,
    /// Use `B` transposed (`B` is `[N, K]`).
    pub trans_b: bool,
}

impl Default for Gemm {
    fn default() -> Self {
        Self { alpha: 1.0, beta: 1.0, trans_a: false, trans_b: false }
    }
}

impl Gemm {
    /// `(M, K, N)` from the shapes of `A` and `B`.
    fn dims(&self, a: &[usize], b: &[usize]) -> OpResult<(usize, usize, usize)> {
        let (&[a0, a1], &[b0, b1]) = (a, b) else {
            return Err(OpError::Shape(format!("A {a:?} and B {b:?} must both be 2-D")));
        };
        let (m, k) = if self.trans_a { (a1, a0) } else { (a0, a1) };
        let (kb, n) = if self.trans_b { (b1, b0) } else { (b0, b1) };
        if k != kb {
            return Err(OpError::Shape(format!("inner dims differ: A' is [{m}, {k}], B' is [{kb}, {n}]")));
        }
        Ok((m, k, n))
    }

    fn view2<'a>(t: &'a Tensor, trans: bool) -> OpResult<ArrayView2<'a, f32>> {
        let v = t.view().into_dimensionality::<Ix2>().map_err(|e| OpError::Shape(e.to_string()))?;
        Ok(if trans { v.reversed_axes() } else { v })
    }
}

impl Op for Gemm {
    fn name(&self) -> &'static str {
        "Gemm"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 2, 3)?;
        let (m, _, n) = self.dims(inputs[0], inputs[1])?;
        if let Some(c) = inputs.get(2) {
            super::broadcast::broadcast_index(c, &[m, n])?;
        }
        Ok(vec![m, n])
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 2, 3)?;
        let a = Self::view2(inputs[0], self.trans_a)?;
        let b = Self::view2(inputs[1], self.trans_b)?;
        let mut y: Array2<f32> = a.dot(&b);
        if self.alpha != 1.0 {
            y.mapv_inplace(|v| v * self.alpha);
        }
        let mut y = y.into_dyn();
        if let Some(c) = inputs.get(2) {
            let c = broadcast_to(c, y.shape())?;
            y.zip_mut_with(&c, |v, &c| *v += self.beta * c);
        }
        Ok(y)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let (id, b, c) = match inputs {
            [LValue::Act { id, .. }, LValue::Const(b), rest @ ..] => (*id, b, rest),
            _ => return Err(OpError::Unsupported("Gemm needs an activation A and a constant B".into())),
        };
        let c = match c {
            [] => None,
            [LValue::Const(c)] => Some(c),
            _ => return Err(OpError::Unsupported("Gemm's bias C must be a constant".into())),
        };
        let x = ctx.materialize(id)?;
        let t = ctx.tensor(x).clone();
        let (m, k, n) = self.dims(&t.shape, b.shape())?;
        // Weights in [N, K] order: channel o's row is column o of alpha * B'.
        let bt = Self::view2(b, self.trans_b)?;
        let w = bt.t().mapv(|v| v * self.alpha).into_dyn();
        let sw = ctx.const_scale(&w);
        let weight = ctx.quantize_const(&w.as_standard_layout().to_owned(), sw)?;
        let acc_scale = t.scale + sw;
        let mut index = Vec::with_capacity(m * k);
        for p in 0..m {
            for q in 0..k {
                let i = if self.trans_a { q * m + p } else { p * k + q };
                index.push(Some(u32::try_from(i).map_err(|_| OpError::Unsupported("A is too large".into()))?));
            }
        }
        // A bias that is the same for every row goes into the linear op; otherwise it is added after.
        let bias = match c {
            Some(c) => ctx.quantize_const(&broadcast_to(&c.mapv(|v| v * self.beta), &[m, n])?, acc_scale)?,
            None => vec![0; m * n],
        };
        let per_channel = bias.chunks(n.max(1)).all(|row| row == &bias[..n]);
        let op = LinearOp {
            positions: m,
            channels: n,
            terms: k,
            index,
            weight,
            bias: if per_channel { bias[..n].to_vec() } else { vec![0; n] },
            pos_stride: n,
            chan_stride: 1,
            params: LinearParams::All,
        };
        let mut out = ctx.push(QOp::Linear(op), vec![x], vec![m, n], acc_scale);
        if !per_channel {
            let operand = Operand { id: out, index: super::broadcast::identity_index(m * n)?, weight: vec![1; m * n] };
            out = affine(ctx, &[operand], &bias, LinearParams::BiasOnly, vec![m, n], acc_scale)?;
        }
        Ok(LValue::Act { id: out, exclusive: true })
    }
}
