//! `AveragePool`.

use super::broadcast::expect_inputs;
use super::layout::{non_empty, strides, unravel};
use crate::error::{OpError, OpResult};
use crate::{LValue, LinearOp, LowerCtx, Op, QOp, Tensor};

/// Mean over sliding windows of the spatial axes of `[N, C, spatial...]` (any number of spatial
/// axes; `ceil_mode = 0`). Padding never contributes a value; `count_include_pad` decides whether
/// it counts in the divisor.
///
/// Lowering: one linear op, a position per output element reading its window (padding reads
/// zero) with weight `1/count`. A linear op's weights are shared by all positions, so when
/// windows at the border have smaller counts (`count_include_pad = 0`), each distinct count gets
/// its own block of terms and a position fills only the block of its count.
#[derive(Debug, Clone, Default)]
pub struct AveragePool {
    /// Window size per spatial axis.
    pub kernel: Vec<usize>,
    /// Stride per spatial axis; empty means all 1.
    pub strides: Vec<usize>,
    /// `[x1_begin, x2_begin, ..., x1_end, x2_end, ...]`; empty means no padding.
    pub pads: Vec<usize>,
    /// Count padded elements in the divisor.
    pub count_include_pad: bool,
}

/// The windows of a pool: output shape and, per output element, its input taps and divisor.
pub(crate) struct Windows {
    pub shape: Vec<usize>,
    pub taps: Vec<Vec<usize>>,
    pub counts: Vec<usize>,
}

impl AveragePool {
    fn out_shape(&self, input: &[usize]) -> OpResult<Vec<usize>> {
        let d = self.kernel.len();
        if input.len() != d + 2 || d == 0 {
            return Err(OpError::Shape(format!("input {input:?} must be [N, C] plus {d} spatial axes")));
        }
        let ones = vec![1; d];
        let strides = if self.strides.is_empty() { &ones } else { &self.strides };
        let zeros = vec![0; 2 * d];
        let pads = if self.pads.is_empty() { &zeros } else { &self.pads };
        if strides.len() != d || pads.len() != 2 * d || strides.contains(&0) || self.kernel.contains(&0) {
            return Err(OpError::Invalid(format!(
                "kernel {:?}, strides {strides:?} and pads {pads:?} do not fit {d} spatial axes",
                self.kernel
            )));
        }
        let mut shape = input[..2].to_vec();
        for i in 0..d {
            let padded = input[2 + i] + pads[i] + pads[d + i];
            if padded < self.kernel[i] {
                return Err(OpError::Shape(format!(
                    "kernel {:?} does not fit the padded input {input:?}",
                    self.kernel
                )));
            }
            shape.push((padded - self.kernel[i]) / strides[i] + 1);
        }
        Ok(shape)
    }

    /// Every window of the pool over an input of shape `input`.
    pub(crate) fn windows(&self, input: &[usize]) -> OpResult<Windows> {
        let shape = self.out_shape(input)?;
        let d = self.kernel.len();
        let stride = |i: usize| self.strides.get(i).copied().unwrap_or(1);
        let pad = |i: usize| self.pads.get(i).copied().unwrap_or(0) as i64;
        let in_strides = strides(input);
        let k: usize = self.kernel.iter().product();
        let n: usize = shape.iter().product();
        let (mut taps, mut counts) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for e in 0..n {
            let c = unravel(e, &shape);
            let base = c[0] * in_strides[0] + c[1] * in_strides[1];
            let mut t = Vec::with_capacity(k);
            for j in 0..k {
                let kc = unravel(j, &self.kernel);
                let mut flat = Some(base);
                for i in 0..d {
                    let pos = (c[2 + i] * stride(i) + kc[i]) as i64 - pad(i);
                    flat = flat
                        .filter(|_| (0..input[2 + i] as i64).contains(&pos))
                        .map(|f| f + pos as usize * in_strides[2 + i]);
                }
                t.extend(flat);
            }
            let count = if self.count_include_pad { k } else { t.len() };
            if count == 0 {
                return Err(OpError::Invalid("a pooling window lies entirely in the padding".into()));
            }
            taps.push(t);
            counts.push(count);
        }
        Ok(Windows { shape, taps, counts })
    }
}

impl Op for AveragePool {
    fn name(&self) -> &'static str {
        "AveragePool"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 1)?;
        self.out_shape(inputs[0])
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 1)?;
        pool_f32(inputs[0], &self.windows(inputs[0].shape())?)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let [LValue::Act { id, .. }] = inputs else {
            return Err(OpError::Invalid("expected one activation input".into()));
        };
        let x = ctx.materialize(*id)?;
        let w = self.windows(&ctx.tensor(x).shape)?;
        lower_pool(ctx, x, w)
    }
}

/// f32 mean over each window.
pub(crate) fn pool_f32(x: &Tensor, w: &Windows) -> OpResult<Tensor> {
    let data: Vec<f32> = x.iter().copied().collect();
    let out = w.taps.iter().zip(&w.counts).map(|(t, &c)| t.iter().map(|&i| data[i]).sum::<f32>() / c as f32).collect();
    Tensor::from_shape_vec(w.shape.clone(), out).map_err(|e| OpError::Shape(e.to_string()))
}

/// One linear op: a block of terms per distinct window count, weight `1/count` in its block.
pub(crate) fn lower_pool(ctx: &mut LowerCtx, x: crate::TensorId, w: Windows) -> OpResult<LValue> {
    non_empty(&w.shape)?;
    let s = ctx.tensor(x).scale;
    let mut distinct = w.counts.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let k = w.taps.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let terms = distinct.len() * k;
    let recip = Tensor::from_shape_vec(vec![distinct.len()], distinct.iter().map(|&c| 1.0 / c as f32).collect())
        .map_err(|e| OpError::Shape(e.to_string()))?;
    let sw = ctx.const_scale(&recip);
    let weight: Vec<i64> =
        ctx.quantize_const(&recip, sw)?.into_iter().flat_map(|q| std::iter::repeat_n(q, k)).collect();
    let mut index = vec![None; w.taps.len() * terms];
    for (p, (taps, c)) in w.taps.iter().zip(&w.counts).enumerate() {
        let block = distinct.iter().position(|d| d == c).unwrap_or(0);
        for (j, &i) in taps.iter().enumerate() {
            let i = u32::try_from(i).map_err(|_| OpError::Unsupported("input too large to index".into()))?;
            index[p * terms + block * k + j] = Some(i);
        }
    }
    let op = LinearOp::single_channel(w.taps.len(), terms, index, weight);
    let out = ctx.push(QOp::Linear(op), vec![x], w.shape, s + sw);
    Ok(LValue::Act { id: out, exclusive: true })
}
