//! `ReduceSum` and `ReduceMean`.

use super::broadcast::{expect_inputs, identity_index};
use super::layout::{axes, non_empty, strides, unravel};
use crate::error::{OpError, OpResult};
use crate::{LValue, LinearOp, LowerCtx, Op, QOp, Tensor};

/// Which linear reduction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReduceKind {
    /// Sum (weight 1: exact, the input's scale).
    #[default]
    Sum,
    /// Mean (weight `1/n`, quantized like any constant).
    Mean,
}

/// Sum or mean over `axes`. Lowers to one linear op: a position per output element whose terms
/// are the reduced elements. From opset 13 (Sum) / 18 (Mean) the axes are a constant input;
/// the importer reads them into this struct.
#[derive(Debug, Clone, Default)]
pub struct Reduce {
    /// Sum or mean.
    pub kind: ReduceKind,
    /// Reduced axes; `None` (or empty without `noop_with_empty_axes`) reduces all axes.
    pub axes: Option<Vec<i64>>,
    /// Keep reduced axes as size 1.
    pub keepdims: bool,
    /// With no axes, be the identity instead of reducing everything.
    pub noop_with_empty_axes: bool,
}

impl Reduce {
    fn reduced(&self, rank: usize) -> OpResult<Vec<usize>> {
        match self.axes.as_deref() {
            Some(list) if !list.is_empty() => axes(list, rank),
            _ if self.noop_with_empty_axes => Ok(Vec::new()),
            _ => Ok((0..rank).collect()),
        }
    }

    /// Output shape and, per output element, the flat input indices it reduces.
    pub fn map(&self, input: &[usize]) -> OpResult<(Vec<usize>, Vec<Vec<usize>>)> {
        let red = self.reduced(input.len())?;
        let kept: Vec<usize> = input.iter().enumerate().map(|(i, &d)| if red.contains(&i) { 1 } else { d }).collect();
        let shape: Vec<usize> = if self.keepdims {
            kept.clone()
        } else {
            input.iter().enumerate().filter(|(i, _)| !red.contains(i)).map(|(_, &d)| d).collect()
        };
        let window: Vec<usize> = input.iter().enumerate().map(|(i, &d)| if red.contains(&i) { d } else { 1 }).collect();
        let s = strides(input);
        let (n, m) = (kept.iter().product::<usize>(), window.iter().product::<usize>());
        let groups = (0..n)
            .map(|e| {
                let base: usize = unravel(e, &kept).iter().zip(&s).map(|(c, s)| c * s).sum();
                (0..m).map(|j| base + unravel(j, &window).iter().zip(&s).map(|(c, s)| c * s).sum::<usize>()).collect()
            })
            .collect();
        Ok((shape, groups))
    }
}

impl Op for Reduce {
    fn name(&self) -> &'static str {
        match self.kind {
            ReduceKind::Sum => "ReduceSum",
            ReduceKind::Mean => "ReduceMean",
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
        let out = groups
            .iter()
            .map(|g| {
                let sum: f32 = g.iter().map(|&i| data[i]).sum();
                if self.kind == ReduceKind::Mean {
                    sum / g.len().max(1) as f32
                } else {
                    sum
                }
            })
            .collect();
        Tensor::from_shape_vec(shape, out).map_err(|e| OpError::Shape(e.to_string()))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let Some(LValue::Act { id, .. }) = inputs.first() else {
            return Err(OpError::Invalid("expected an activation as first input".into()));
        };
        let t = ctx.tensor(*id).clone();
        let (shape, groups) = self.map(&t.shape)?;
        non_empty(&shape)?;
        if self.reduced(t.shape.len())?.is_empty() {
            return Ok(LValue::Act { id: ctx.gather(*id, identity_index(t.len())?, shape), exclusive: true });
        }
        let x = ctx.materialize(*id)?;
        let s = ctx.tensor(x).scale;
        let terms = groups.first().map_or(1, Vec::len);
        let (weight, sw) = match self.kind {
            ReduceKind::Sum => (vec![1i64; terms], 0),
            ReduceKind::Mean => {
                let w = Tensor::from_elem(vec![1], 1.0 / terms as f32);
                let sw = ctx.const_scale(&w);
                (vec![ctx.quantize_const(&w, sw)?[0]; terms], sw)
            }
        };
        let index = groups
            .iter()
            .flatten()
            .map(|&i| u32::try_from(i).map(Some).map_err(|_| OpError::Unsupported("input too large to index".into())))
            .collect::<OpResult<Vec<_>>>()?;
        let op = LinearOp::single_channel(groups.len(), terms, index, weight);
        let out = ctx.push(QOp::Linear(op), vec![x], shape, s + sw);
        Ok(LValue::Act { id: out, exclusive: true })
    }
}
