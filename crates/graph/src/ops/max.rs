//! `Max` and `Min`: elementwise extremum of any number of inputs, with numpy broadcasting.

use super::broadcast::{broadcast_all, broadcast_index, broadcast_shape, zip_broadcast};
use super::layout::{const_tensor, non_empty};
use super::max_tree::{max_reduce, Extremum};
use crate::error::{OpError, OpResult};
use crate::{LValue, LinearParams, LowerCtx, Op, Tensor, TensorId};

/// Elementwise `max` (or `min`) of one or more inputs (opset 8+: multidirectional broadcasting).
///
/// Lowering: the constant inputs fold into one constant (their f32 extremum), carried as a
/// constrained constant tensor at the activations' scale; the activations are brought to one
/// common scale (the largest; an exact multiply); then one comparison tree
/// (`max_reduce`) per output element over its inputs.
#[derive(Debug, Clone, Default)]
pub struct Max {
    /// Max or Min.
    pub kind: Extremum,
}

impl Op for Max {
    fn name(&self) -> &'static str {
        match self.kind {
            Extremum::Max => "Max",
            Extremum::Min => "Min",
        }
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        broadcast_all(inputs)
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        let (first, rest) =
            inputs.split_first().ok_or_else(|| OpError::Invalid("expected at least one input".into()))?;
        rest.iter().try_fold((*first).clone(), |acc, t| zip_broadcast(&acc, t, |a, b| self.kind.pick(a, b)))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let mut acts: Vec<TensorId> = Vec::new();
        let mut consts: Vec<&Tensor> = Vec::new();
        for v in inputs {
            match v {
                LValue::Act { id, .. } => acts.push(ctx.materialize(*id)?),
                LValue::Const(c) => consts.push(c),
            }
        }
        let Some(&anchor) = acts.first() else {
            return Err(OpError::Invalid("expected at least one activation input".into()));
        };
        let c = if consts.is_empty() { None } else { Some(self.eval(&consts)?) };
        let mut shapes: Vec<Vec<usize>> = acts.iter().map(|&a| ctx.tensor(a).shape.clone()).collect();
        shapes.extend(c.iter().map(|c| c.shape().to_vec()));
        let shape = shapes.iter().skip(1).try_fold(shapes[0].clone(), |s, i| broadcast_shape(&s, i))?;
        non_empty(&shape)?;
        let scale = acts.iter().map(|&a| ctx.tensor(a).scale).max().unwrap_or(0);
        let mut ids = Vec::with_capacity(acts.len() + 1);
        for a in acts {
            ids.push(ctx.rescale(a, scale, false)?);
        }
        if let Some(c) = &c {
            let q = ctx.quantize_const(c, scale)?;
            ids.push(const_tensor(ctx, anchor, q, LinearParams::BiasOnly, scale)?);
        }
        // Element e of the output compares element idx_j[e] of every input j.
        let mut maps = Vec::with_capacity(ids.len());
        let mut offset = 0u32;
        for (id, s) in ids.iter().zip(&shapes) {
            let idx = broadcast_index(s, &shape)?;
            maps.push(idx.into_iter().map(|i| i + offset).collect::<Vec<u32>>());
            offset = u32::try_from(offset as usize + ctx.tensor(*id).len())
                .map_err(|_| OpError::Unsupported("tensors too large to index".into()))?;
        }
        let n: usize = shape.iter().product();
        let groups: Vec<Vec<u32>> = (0..n).map(|e| maps.iter().map(|m| m[e]).collect()).collect();
        let out = max_reduce(ctx, &ids, &groups, shape, self.kind)?;
        Ok(LValue::Act { id: out, exclusive: true })
    }
}
