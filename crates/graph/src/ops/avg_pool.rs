//! `AveragePool`.

use super::broadcast::expect_inputs;
use super::layout::{non_empty, unravel};
use super::max_pool::MaxPool;
use crate::error::{OpError, OpResult};
use crate::{LValue, LinearOp, LowerCtx, Op, QOp, Tensor};

/// Mean over sliding windows of the spatial axes of `[N, C, spatial...]` (any number of spatial
/// axes, with strides, dilations, asymmetric padding and `ceil_mode`, as [`MaxPool`]). Padding never contributes a value; `count_include_pad` decides whether
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
    /// Dilation per spatial axis; empty means all 1.
    pub dilations: Vec<usize>,
    /// Round the output size up: the last window may run past the padded input (its cells
    /// there count in no divisor).
    pub ceil_mode: bool,
}

/// The windows of a pool: output shape and, per output element, its input taps and divisor.
pub(crate) struct Windows {
    pub shape: Vec<usize>,
    pub taps: Vec<Vec<usize>>,
    pub counts: Vec<usize>,
}

impl AveragePool {
    /// The window geometry, which max pooling shares.
    fn geometry(&self) -> MaxPool {
        MaxPool {
            kernel: self.kernel.clone(),
            strides: self.strides.clone(),
            pads: self.pads.clone(),
            dilations: self.dilations.clone(),
            ceil_mode: self.ceil_mode,
        }
    }

    /// Every window of the pool over an input of shape `input`. With `count_include_pad`, the
    /// divisor counts the window's cells inside the explicitly padded input, not those past its
    /// end that only `ceil_mode` reaches (as onnx's reference does).
    pub(crate) fn windows(&self, input: &[usize]) -> OpResult<Windows> {
        let geometry = self.geometry();
        let (shape, taps) = geometry.windows(input)?;
        let d = self.kernel.len();
        let counts = if self.count_include_pad {
            (0..taps.len())
                .map(|e| {
                    let c = unravel(e, &shape);
                    (0..d)
                        .map(|i| {
                            let (lo, hi) = (geometry.pad(i) as i64, (input[2 + i] + geometry.pad(d + i)) as i64);
                            (0..self.kernel[i])
                                .map(|k| (c[2 + i] * geometry.stride(i) + k * geometry.dilation(i)) as i64)
                                .filter(|&p| p < lo + hi && p >= 0)
                                .count()
                        })
                        .product()
                })
                .collect()
        } else {
            taps.iter().map(Vec::len).collect()
        };
        Ok(Windows { shape, taps, counts })
    }
}

impl Op for AveragePool {
    fn name(&self) -> &'static str {
        "AveragePool"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 1)?;
        self.geometry().out_shape(inputs[0])
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
