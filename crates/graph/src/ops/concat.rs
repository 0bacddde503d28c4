//! `Concat`.

use super::broadcast::expect_inputs;
use super::layout::{axis, const_tensor, copy_linear, non_empty};
use crate::error::{OpError, OpResult};
use crate::{LValue, LinearParams, LowerCtx, Op, Tensor, TensorId};

/// Joins tensors along `axis`; every other dim must agree.
///
/// Lowering: a gather reads one tensor only, so the concatenation is one linear op that copies
/// each element with weight 1 from the concatenation of its inputs. Activations are first
/// brought to their own scales; when these differ, each distinct scale gets its own term with
/// weight `2^(S - s)` (`S` the largest), so no input loses precision. Constant inputs are
/// materialized together as one constant tensor at scale `S` (one extra linear op carrying
/// them in its bias, see `layout::const_tensor`).
#[derive(Debug, Clone, Default)]
pub struct Concat {
    /// Concatenation axis, in `[-rank, rank)`.
    pub axis: i64,
}

/// Per output element of a [`Concat`]: `(input number, flat index in that input)`.
pub type ConcatMap = Vec<(usize, usize)>;

impl Concat {
    /// Output shape and, per output element, the input and the flat index in it that it copies.
    pub fn map(&self, inputs: &[&[usize]]) -> OpResult<(Vec<usize>, ConcatMap)> {
        let first = inputs.first().ok_or_else(|| OpError::Invalid("Concat needs at least one input".into()))?;
        let ax = axis(self.axis, first.len())?;
        let mut shape = first.to_vec();
        shape[ax] = 0;
        for s in inputs {
            let same = s.len() == first.len() && s.iter().zip(*first).enumerate().all(|(i, (a, b))| i == ax || a == b);
            if !same {
                return Err(OpError::Shape(format!("{s:?} does not concatenate with {first:?} along axis {ax}")));
            }
            shape[ax] += s[ax];
        }
        let outer: usize = shape[..ax].iter().product();
        let mut index = Vec::with_capacity(outer * shape[ax..].iter().product::<usize>());
        for o in 0..outer {
            for (k, s) in inputs.iter().enumerate() {
                let block: usize = s[ax..].iter().product();
                index.extend((0..block).map(|i| (k, o * block + i)));
            }
        }
        Ok((shape, index))
    }
}

impl Op for Concat {
    fn name(&self) -> &'static str {
        "Concat"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        Ok(self.map(inputs)?.0)
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, usize::MAX)?;
        let shapes: Vec<&[usize]> = inputs.iter().map(|t| t.shape()).collect();
        let (shape, index) = self.map(&shapes)?;
        let data: Vec<Vec<f32>> = inputs.iter().map(|t| t.iter().copied().collect()).collect();
        let out = index.iter().map(|&(k, i)| data[k][i]).collect();
        Tensor::from_shape_vec(shape, out).map_err(|e| OpError::Shape(e.to_string()))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        expect_inputs(inputs, 1, usize::MAX)?;
        // Activations at their target scales; constants wait for the common scale.
        let mut acts: Vec<Option<TensorId>> = Vec::with_capacity(inputs.len());
        for v in inputs {
            acts.push(match v {
                LValue::Act { id, .. } => Some(ctx.materialize(*id)?),
                LValue::Const(_) => None,
            });
        }
        let Some(anchor) = acts.iter().flatten().next().copied() else {
            return Err(OpError::Invalid("Concat of constants only should have been folded".into()));
        };
        let shapes: Vec<Vec<usize>> = inputs
            .iter()
            .zip(&acts)
            .map(|(v, a)| match (v, a) {
                (_, Some(id)) => ctx.tensor(*id).shape.clone(),
                (LValue::Const(c), None) => c.shape().to_vec(),
                (LValue::Act { id, .. }, None) => ctx.tensor(*id).shape.clone(),
            })
            .collect();
        let shape_refs: Vec<&[usize]> = shapes.iter().map(Vec::as_slice).collect();
        let (shape, map) = self.map(&shape_refs)?;
        non_empty(&shape)?;
        let top = acts.iter().flatten().map(|&id| ctx.tensor(id).scale).max().unwrap_or(0);

        // Source tensors (distinct activations, then the constants' tensor) and where each input starts.
        let mut seen: Vec<(TensorId, usize)> = Vec::new();
        let mut start = vec![0usize; inputs.len()];
        let mut total = 0usize;
        for (k, a) in acts.iter().enumerate() {
            let Some(id) = a else { continue };
            start[k] = match seen.iter().find(|(s, _)| s == id) {
                Some(&(_, at)) => at,
                None => {
                    seen.push((*id, total));
                    total += ctx.tensor(*id).len();
                    total - ctx.tensor(*id).len()
                }
            };
        }
        let mut sources: Vec<TensorId> = seen.iter().map(|s| s.0).collect();
        let mut consts: Vec<i64> = Vec::new();
        for (k, v) in inputs.iter().enumerate() {
            if let (LValue::Const(c), None) = (v, acts[k]) {
                start[k] = total + consts.len();
                consts.extend(ctx.quantize_const(&c.as_standard_layout().to_owned(), top)?);
            }
        }
        if !consts.is_empty() {
            let c = const_tensor(ctx, anchor, consts, LinearParams::BiasOnly, top)?;
            sources.push(c);
        }

        // One term per distinct input scale, with weight 2^(top - scale).
        let scale_of = |k: usize| acts[k].map_or(top, |id| ctx.tensor(id).scale);
        let mut scales: Vec<u32> = (0..inputs.len()).map(scale_of).collect();
        let input_scales = scales.clone();
        scales.sort_unstable();
        scales.dedup();
        if top - scales[0] > 30 {
            return Err(OpError::Invalid(format!("inputs' scales 2^{} and 2^{top} are too far apart", scales[0])));
        }
        let weights: Vec<i64> = scales.iter().map(|&s| 1i64 << (top - s)).collect();
        let index: Vec<Option<usize>> = map.iter().map(|&(k, i)| Some(start[k] + i)).collect();
        let slot: Vec<usize> =
            map.iter().map(|&(k, _)| scales.iter().position(|&s| s == input_scales[k]).unwrap_or(0)).collect();
        let out = copy_linear(ctx, sources, &index, &slot, weights, shape, top)?;
        Ok(LValue::Act { id: out, exclusive: true })
    }
}
