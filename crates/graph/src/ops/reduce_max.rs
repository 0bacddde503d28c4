//! `ReduceMax` and `ReduceMin`.

use super::broadcast::expect_inputs;
use super::layout::{non_empty, to_u32};
use super::max_tree::{extremum_f32, groups_u32, max_reduce, Extremum};
use super::reduce::{Reduce, ReduceKind};
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// Maximum (or minimum) over `axes`, with the axes semantics of [`Reduce`]: `None` (or empty
/// without `noop_with_empty_axes`) reduces every axis. From opset 18 the axes are a constant
/// input; the importer reads them into this struct.
///
/// Lowering: one comparison tree (`max_reduce`) per output element over the reduced elements,
/// all elements of a level in one linear op and one ReLU.
#[derive(Debug, Clone, Default)]
pub struct ReduceMax {
    /// Max or Min.
    pub kind: Extremum,
    /// Reduced axes; `None` (or empty without `noop_with_empty_axes`) reduces all axes.
    pub axes: Option<Vec<i64>>,
    /// Keep reduced axes as size 1.
    pub keepdims: bool,
    /// With no axes, be the identity instead of reducing everything.
    pub noop_with_empty_axes: bool,
}

impl ReduceMax {
    /// Output shape and the flat input indices of each output element (shared with [`Reduce`]).
    fn map(&self, input: &[usize]) -> OpResult<(Vec<usize>, Vec<Vec<usize>>)> {
        let r = Reduce {
            kind: ReduceKind::Sum,
            axes: self.axes.clone(),
            keepdims: self.keepdims,
            noop_with_empty_axes: self.noop_with_empty_axes,
        };
        let (shape, groups) = r.map(input)?;
        if groups.iter().any(Vec::is_empty) || input.contains(&0) {
            return Err(OpError::Unsupported(format!("{} over an empty set (input {input:?})", self.name())));
        }
        Ok((shape, groups))
    }
}

impl Op for ReduceMax {
    fn name(&self) -> &'static str {
        match self.kind {
            Extremum::Max => "ReduceMax",
            Extremum::Min => "ReduceMin",
        }
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 2)?;
        Ok(self.map(inputs[0])?.0)
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 2)?;
        let (shape, groups) = self.map(inputs[0].shape())?;
        let data: Vec<f32> = inputs[0].iter().copied().collect();
        let out = extremum_f32(&data, &groups, self.kind)?;
        Tensor::from_shape_vec(shape, out).map_err(|e| OpError::Shape(e.to_string()))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let Some(LValue::Act { id, .. }) = inputs.first() else {
            return Err(OpError::Invalid("expected an activation as first input".into()));
        };
        let t = ctx.tensor(*id).clone();
        let (shape, groups) = self.map(&t.shape)?;
        non_empty(&shape)?;
        if groups.iter().all(|g| g.len() == 1) {
            // Nothing reduced (noop_with_empty_axes, or only size-1 axes): a free re-wiring.
            let index = to_u32(&groups.iter().map(|g| g[0]).collect::<Vec<_>>())?;
            return Ok(LValue::Act { id: ctx.gather(*id, index, shape), exclusive: true });
        }
        let x = ctx.materialize(*id)?;
        let out = max_reduce(ctx, &[x], &groups_u32(&groups)?, shape, self.kind)?;
        Ok(LValue::Act { id: out, exclusive: true })
    }
}
