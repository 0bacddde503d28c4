//! `Slice`.

use super::broadcast::expect_inputs;
use super::layout::{axes, lower_gather, rewire_f32, strides, unravel};
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// Takes `starts[i]..ends[i]` by `steps[i]` along `axes[i]` (numpy slicing; negative indices
/// count from the end, out-of-range bounds are clamped). A pure re-wiring (a free gather).
/// From opset 10 the bounds are constant inputs; the importer reads them into this struct.
#[derive(Debug, Clone, Default)]
pub struct Slice {
    /// First index per sliced axis.
    pub starts: Vec<i64>,
    /// End (exclusive) per sliced axis.
    pub ends: Vec<i64>,
    /// Sliced axes; `None` means `0..starts.len()`.
    pub axes: Option<Vec<i64>>,
    /// Step per sliced axis (non-zero); `None` means all 1.
    pub steps: Option<Vec<i64>>,
}

impl Slice {
    /// Per input axis: `(start, step, len)` of the selected elements.
    fn ranges(&self, input: &[usize]) -> OpResult<Vec<(i64, i64, usize)>> {
        let n = self.starts.len();
        let default_axes: Vec<i64> = (0..n as i64).collect();
        let axes = axes(self.axes.as_deref().unwrap_or(&default_axes), input.len())?;
        let ones = vec![1i64; n];
        let steps = self.steps.as_deref().unwrap_or(&ones);
        if self.ends.len() != n || axes.len() != n || steps.len() != n {
            return Err(OpError::Invalid("starts, ends, axes and steps must have the same length".into()));
        }
        let mut out: Vec<(i64, i64, usize)> = input.iter().map(|&d| (0, 1, d)).collect();
        for i in 0..n {
            let (dim, step) = (input[axes[i]] as i128, steps[i] as i128);
            if step == 0 {
                return Err(OpError::Invalid("slice step must not be 0".into()));
            }
            let norm = |v: i64| if v < 0 { v as i128 + dim } else { v as i128 };
            let (start, end) = if step > 0 {
                (norm(self.starts[i]).clamp(0, dim), norm(self.ends[i]).clamp(0, dim))
            } else {
                (norm(self.starts[i]).clamp(0, dim - 1), norm(self.ends[i]).clamp(-1, dim - 1))
            };
            let len = if step > 0 { (end - start + step - 1) / step } else { (start - end - step - 1) / -step };
            out[axes[i]] = (start as i64, step as i64, len.max(0) as usize);
        }
        Ok(out)
    }

    /// Output shape and, per output element, the flat input index it copies.
    pub fn map(&self, input: &[usize]) -> OpResult<(Vec<usize>, Vec<usize>)> {
        let ranges = self.ranges(input)?;
        let shape: Vec<usize> = ranges.iter().map(|r| r.2).collect();
        let in_strides = strides(input);
        let n: usize = shape.iter().product();
        let index = (0..n)
            .map(|e| {
                let c = unravel(e, &shape);
                c.iter().zip(&ranges).zip(&in_strides).map(|((&c, r), s)| (r.0 + c as i64 * r.1) as usize * s).sum()
            })
            .collect();
        Ok((shape, index))
    }
}

impl Op for Slice {
    fn name(&self) -> &'static str {
        "Slice"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 5)?;
        Ok(self.ranges(inputs[0])?.iter().map(|r| r.2).collect())
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 5)?;
        let (shape, index) = self.map(inputs[0].shape())?;
        let index: Vec<Option<usize>> = index.into_iter().map(Some).collect();
        rewire_f32(inputs[0], &index, 0.0, shape)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let Some(LValue::Act { id, .. }) = inputs.first() else {
            return Err(OpError::Invalid("expected an activation as first input".into()));
        };
        let (shape, index) = self.map(&ctx.tensor(*id).shape)?;
        lower_gather(ctx, &inputs[0], &index, shape)
    }
}
