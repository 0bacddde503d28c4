//! `MaxPool`.

use super::broadcast::expect_inputs;
use super::layout::{strides, unravel};
use super::max_tree::{extremum_f32, groups_u32, max_reduce, Extremum};
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// Maximum over sliding windows of the spatial axes of `[N, C, spatial...]` (any number of
/// spatial axes), with strides, dilations, asymmetric padding and `ceil_mode`. Padding never
/// takes part in a maximum (a padded cell is skipped, not a zero). Only the `Y` output: the
/// importer rejects a node that asks for `Indices`.
///
/// Lowering: one comparison tree (`max_reduce`) per output element over its window's
/// in-bounds cells; windows cut by the padding have fewer leaves.
#[derive(Debug, Clone, Default)]
pub struct MaxPool {
    /// Window size per spatial axis.
    pub kernel: Vec<usize>,
    /// Stride per spatial axis; empty means all 1.
    pub strides: Vec<usize>,
    /// `[x1_begin, x2_begin, ..., x1_end, x2_end, ...]`; empty means no padding.
    pub pads: Vec<usize>,
    /// Dilation per spatial axis; empty means all 1.
    pub dilations: Vec<usize>,
    /// Round the output size up (a last, partial window) instead of down; as in the ONNX
    /// reference, a window that would start in the end padding is dropped.
    pub ceil_mode: bool,
}

impl MaxPool {
    pub(crate) fn stride(&self, i: usize) -> usize {
        self.strides.get(i).copied().unwrap_or(1)
    }

    pub(crate) fn dilation(&self, i: usize) -> usize {
        self.dilations.get(i).copied().unwrap_or(1)
    }

    pub(crate) fn pad(&self, i: usize) -> usize {
        self.pads.get(i).copied().unwrap_or(0)
    }

    pub(crate) fn out_shape(&self, input: &[usize]) -> OpResult<Vec<usize>> {
        let d = self.kernel.len();
        if input.len() != d + 2 || d == 0 {
            return Err(OpError::Shape(format!("input {input:?} must be [N, C] plus {d} spatial axes")));
        }
        let fits = |v: &[usize], n: usize| v.is_empty() || v.len() == n;
        if !fits(&self.strides, d) || !fits(&self.pads, 2 * d) || !fits(&self.dilations, d) {
            return Err(OpError::Invalid(format!(
                "kernel {:?}, strides {:?}, pads {:?} and dilations {:?} do not fit {d} spatial axes",
                self.kernel, self.strides, self.pads, self.dilations
            )));
        }
        if self.kernel.contains(&0) || self.strides.contains(&0) || self.dilations.contains(&0) {
            return Err(OpError::Invalid("kernel, strides and dilations must be positive".into()));
        }
        let attrs = [&self.kernel, &self.strides, &self.pads, &self.dilations];
        if attrs.iter().flat_map(|v| v.iter()).chain(input).any(|&v| v > u32::MAX as usize) {
            return Err(OpError::Unsupported("pooling sizes beyond 2^32".into()));
        }
        let mut shape = input[..2].to_vec();
        for i in 0..d {
            // Every size is below 2^32 (checked above), so none of this overflows.
            let span = self.dilation(i) * (self.kernel[i] - 1) + 1;
            let padded = input[2 + i] + self.pad(i) + self.pad(d + i);
            let Some(room) = padded.checked_sub(span) else {
                return Err(OpError::Shape(format!(
                    "kernel {:?} does not fit the padded input {input:?}",
                    self.kernel
                )));
            };
            let s = self.stride(i);
            let mut out = if self.ceil_mode { room.div_ceil(s) } else { room / s } + 1;
            if self.ceil_mode && (out - 1) * s >= input[2 + i] + self.pad(i) {
                out -= 1;
            }
            shape.push(out);
        }
        Ok(shape)
    }

    /// Output shape and, per output element, the flat indices of its window's in-bounds cells.
    pub(crate) fn windows(&self, input: &[usize]) -> OpResult<(Vec<usize>, Vec<Vec<usize>>)> {
        let shape = self.out_shape(input)?;
        let d = self.kernel.len();
        let in_strides = strides(input);
        let too_large =
            || OpError::Unsupported(format!("a pooling of {input:?} with kernel {:?} is too large", self.kernel));
        let k = self.kernel.iter().try_fold(1usize, |a, &b| a.checked_mul(b)).ok_or_else(too_large)?;
        let n = shape.iter().try_fold(1usize, |a, &b| a.checked_mul(b)).ok_or_else(too_large)?;
        n.checked_mul(k).filter(|&t| t <= u32::MAX as usize).ok_or_else(too_large)?;
        let mut taps = Vec::with_capacity(n);
        for e in 0..n {
            let c = unravel(e, &shape);
            let base = c[0] * in_strides[0] + c[1] * in_strides[1];
            let mut t = Vec::with_capacity(k);
            for j in 0..k {
                let kc = unravel(j, &self.kernel);
                let mut flat = Some(base);
                for i in 0..d {
                    let pos = (c[2 + i] * self.stride(i) + kc[i] * self.dilation(i)) as i64 - self.pad(i) as i64;
                    flat = flat
                        .filter(|_| (0..input[2 + i] as i64).contains(&pos))
                        .map(|f| f + pos as usize * in_strides[2 + i]);
                }
                t.extend(flat);
            }
            if t.is_empty() {
                return Err(OpError::Invalid("a pooling window lies entirely in the padding".into()));
            }
            taps.push(t);
        }
        Ok((shape, taps))
    }
}

impl Op for MaxPool {
    fn name(&self) -> &'static str {
        "MaxPool"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 1)?;
        self.out_shape(inputs[0])
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 1)?;
        let (shape, taps) = self.windows(inputs[0].shape())?;
        let data: Vec<f32> = inputs[0].iter().copied().collect();
        let out = extremum_f32(&data, &taps, Extremum::Max)?;
        Tensor::from_shape_vec(shape, out).map_err(|e| OpError::Shape(e.to_string()))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let [LValue::Act { id, .. }] = inputs else {
            return Err(OpError::Invalid("expected one activation input".into()));
        };
        let x = ctx.materialize(*id)?;
        let (shape, taps) = self.windows(&ctx.tensor(x).shape)?;
        let out = max_reduce(ctx, &[x], &groups_u32(&taps)?, shape, Extremum::Max)?;
        Ok(LValue::Act { id: out, exclusive: true })
    }
}
