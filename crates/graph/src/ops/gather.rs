//! `Gather` (the ONNX op; the integer re-wiring primitive is [`crate::GatherOp`]).

use super::broadcast::expect_inputs;
use super::layout::{axis, lower_gather, rewire_f32, strides, unravel};
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor, TensorId};

/// Picks entries of `data` along `axis` at constant `indices` (negative ones count from the
/// end): output shape `data[..axis] ++ indices ++ data[axis+1..]`. On constants (shape chains)
/// it folds at import; on an activation with constant indices it is a free gather primitive;
/// on constant data at computed integer indices (an embedding lookup) it is a one-hot selection
/// times the table (`Gather::lookup`).
#[derive(Debug, Clone, Default)]
pub struct Gather {
    /// The axis of `data` to index, in `[-rank, rank)`.
    pub axis: i64,
}

impl Gather {
    fn out_shape(&self, data: &[usize], indices: &[usize]) -> OpResult<(usize, Vec<usize>)> {
        let ax = axis(self.axis, data.len())?;
        Ok((ax, [&data[..ax], indices, &data[ax + 1..]].concat()))
    }

    /// Output shape and, per output element, the flat index of `data` it copies.
    pub fn map(&self, data: &[usize], indices: &Tensor) -> OpResult<(Vec<usize>, Vec<usize>)> {
        let (ax, shape) = self.out_shape(data, indices.shape())?;
        let dim = data[ax] as i64;
        let picks = indices
            .iter()
            .map(|&v| {
                let i = v as i64;
                if v.fract() != 0.0 || !(-dim..dim).contains(&i) {
                    return Err(OpError::Invalid(format!("index {v} is out of range for axis {ax} of size {dim}")));
                }
                Ok(i.rem_euclid(dim) as usize)
            })
            .collect::<OpResult<Vec<usize>>>()?;
        let ds = strides(data);
        let irank = indices.ndim();
        let n: usize = shape.iter().product();
        let index = (0..n)
            .map(|e| {
                let c = unravel(e, &shape);
                let pick =
                    picks[c[ax..ax + irank].iter().zip(strides(indices.shape())).map(|(c, s)| c * s).sum::<usize>()];
                let outer: usize = c[..ax].iter().zip(&ds).map(|(c, s)| c * s).sum();
                let inner: usize = c[ax + irank..].iter().zip(&ds[ax + 1..]).map(|(c, s)| c * s).sum();
                outer + pick * ds[ax] + inner
            })
            .collect();
        Ok((shape, index))
    }
}

impl Gather {
    /// Rows of the constant `data` (an embedding table) at the integer indices `ids`, a witness:
    /// the one-hot rows of `ids` over `data`'s first axis (two range-checked ReLUs per index
    /// and row, see `compare::one_hot`, which also refuses an index outside `[0, rows)`) times
    /// `data` as a MatMul by constant weights, so the table is a model parameter with the
    /// parameters' visibility. Costs about `rows` Linear positions and two range checks per
    /// index for the selection, and `rows · width` terms for the product.
    fn lookup(&self, ctx: &mut LowerCtx, data: &Tensor, ids: TensorId) -> OpResult<LValue> {
        if axis(self.axis, data.ndim())? != 0 || data.ndim() > 2 {
            return Err(OpError::Unsupported(format!(
                "Gather at computed indices along axis {} of a rank-{} constant (only axis 0 of a vector or a \
                 matrix: an embedding lookup)",
                self.axis,
                data.ndim()
            )));
        }
        let ids = ctx.materialize(ids)?;
        let bits = super::compare::one_hot(ctx, ids, data.shape()[0])?;
        super::matmul::MatMul.lower(ctx, &[LValue::Act { id: bits, exclusive: true }, LValue::Const(data.clone())])
    }
}

impl Op for Gather {
    fn name(&self) -> &'static str {
        "Gather"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 2, 2)?;
        Ok(self.out_shape(inputs[0], inputs[1])?.1)
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 2, 2)?;
        let (shape, index) = self.map(inputs[0].shape(), inputs[1])?;
        let index: Vec<Option<usize>> = index.into_iter().map(Some).collect();
        rewire_f32(inputs[0], &index, 0.0, shape)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        match inputs {
            [data @ LValue::Act { id, .. }, LValue::Const(indices)] => {
                let (shape, index) = self.map(&ctx.tensor(*id).shape, indices)?;
                lower_gather(ctx, data, &index, shape)
            }
            [LValue::Const(data), LValue::Act { id, .. }] => self.lookup(ctx, data, *id),
            _ => Err(OpError::Unsupported(
                "Gather of a computed tensor at computed indices (only constant data, e.g. an embedding table, \
                 or constant indices)"
                    .into(),
            )),
        }
    }
}
