//! `Gather` (the ONNX op; the integer re-wiring primitive is [`crate::GatherOp`]).

use super::broadcast::expect_inputs;
use super::layout::{axis, lower_gather, rewire_f32, strides, unravel};
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// Picks entries of `data` along `axis` at constant `indices` (negative ones count from the
/// end): output shape `data[..axis] ++ indices ++ data[axis+1..]`. On constants (shape chains)
/// it folds at import; on an activation with constant indices it is a free gather primitive.
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
            _ => Err(OpError::Unsupported(
                "Gather with indices computed from the input (needs a lookup argument); only constant indices".into(),
            )),
        }
    }
}
