//! `ReduceProd`: the product over axes.
//!
//! Each output element multiplies its group's elements as a balanced tree of the product chip:
//! level by level, the `j`-th elements of every group are gathered (free re-wirings) and
//! multiplied pairwise, an odd one out carried up. Each level's products are rescaled to the
//! finest scale their bound (`max|x|` to the number of factors) leaves room for, the last to
//! the node's output scale. An empty group (a product of nothing, 1) is refused.

use super::broadcast::expect_inputs;
use super::mul::mul_acts;
use super::reduce::{Reduce, ReduceKind};
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// The product over `axes` (ONNX `ReduceProd`).
#[derive(Debug, Clone, Default)]
pub struct ReduceProd {
    /// Reduced axes; `None` (or empty without `noop_with_empty_axes`) reduces all axes.
    pub axes: Option<Vec<i64>>,
    /// Keep reduced axes as size 1.
    pub keepdims: bool,
    /// With no axes, be the identity instead of reducing everything.
    pub noop_with_empty_axes: bool,
}

impl ReduceProd {
    fn map(&self, input: &[usize]) -> OpResult<(Vec<usize>, Vec<Vec<usize>>)> {
        let (axes, keepdims, noop_with_empty_axes) = (self.axes.clone(), self.keepdims, self.noop_with_empty_axes);
        let (shape, groups) = Reduce { kind: ReduceKind::Sum, axes, keepdims, noop_with_empty_axes }.map(input)?;
        if groups.iter().any(Vec::is_empty) {
            return Err(OpError::Unsupported(format!("ReduceProd over an empty axis (input {input:?})")));
        }
        Ok((shape, groups))
    }
}

impl Op for ReduceProd {
    fn name(&self) -> &'static str {
        "ReduceProd"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 2)?;
        Ok(self.map(inputs[0])?.0)
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 2)?;
        let (shape, groups) = self.map(inputs[0].shape())?;
        let data: Vec<f32> = inputs[0].iter().copied().collect();
        let out = groups.iter().map(|g| g.iter().map(|&i| f64::from(data[i])).product::<f64>() as f32).collect();
        Tensor::from_shape_vec(shape, out).map_err(|e| OpError::Shape(e.to_string()))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let Some(LValue::Act { id, .. }) = inputs.first() else {
            return Err(OpError::Invalid("expected an activation input".into()));
        };
        let x = ctx.materialize(*id)?;
        let (shape, groups) = self.map(&ctx.tensor(x).shape)?;
        let width = groups.first().map_or(0, Vec::len);
        let too_large = || OpError::Unsupported("input too large".into());
        let mut level = (0..width)
            .map(|j| {
                let index =
                    groups.iter().map(|g| u32::try_from(g[j]).map_err(|_| too_large())).collect::<OpResult<_>>()?;
                Ok(ctx.gather(x, index, shape.clone()))
            })
            .collect::<OpResult<Vec<_>>>()?;
        // A product of `f` factors is at most `max|x|^f` (at most `max|x|` when that is below 1):
        // each level's products are held at the scale that bound allows, the last at the output's.
        let max = ctx.in_max_abs(0);
        let mut factors = 1i32;
        while level.len() > 1 {
            factors = factors.saturating_mul(2);
            let last = level.len() <= 2;
            let scale = if last { ctx.out_scale() } else { ctx.scale_for_max(max.max(1.0).powi(factors).max(max)) };
            let mut next = Vec::with_capacity(level.len().div_ceil(2));
            for pair in level.chunks(2) {
                next.push(match pair {
                    [a, b] => {
                        let p = mul_acts(ctx, *a, *b)?;
                        ctx.rescale(p, scale, false)?
                    }
                    [a] => *a,
                    _ => unreachable!("chunks of two"),
                });
            }
            level = next;
        }
        let out = level.pop().ok_or_else(|| OpError::Invalid("ReduceProd over an empty axis".into()))?;
        Ok(LValue::Act { id: out, exclusive: true })
    }
}
