//! `CumSum`: running sums along one axis, optionally exclusive (the element itself left out)
//! and reversed (summing from the end). One linear op of structural ones: each output position
//! reads the elements along the axis that precede it (or follow it), the others empty.

use super::broadcast::expect_inputs;
use super::layout::{axis, strides, unravel};
use crate::error::{OpError, OpResult};
use crate::{LValue, LinearOp, LowerCtx, Op, QOp, Tensor};

/// ONNX `CumSum` along a constant `axis`.
#[derive(Debug, Clone, Default)]
pub struct CumSum {
    /// The axis summed along, in `[-rank, rank)`.
    pub axis: i64,
    /// Leave each element out of its own sum.
    pub exclusive: bool,
    /// Sum from the end of the axis.
    pub reverse: bool,
}

impl CumSum {
    /// Per element (row-major), the flat indices its sum reads, `dim` slots each (`None`: not
    /// read), and `dim`.
    fn map(&self, shape: &[usize]) -> OpResult<(Vec<Option<usize>>, usize)> {
        let ax = axis(self.axis, shape.len())?;
        let (dim, step) = (shape[ax], strides(shape)[ax]);
        let n: usize = shape.iter().product();
        let mut index = Vec::with_capacity(n * dim);
        for e in 0..n {
            let k = unravel(e, shape)[ax];
            let base = e - k * step;
            for j in 0..dim {
                let before = if self.reverse { j > k } else { j < k };
                index.push((before || (!self.exclusive && j == k)).then_some(base + j * step));
            }
        }
        Ok((index, dim))
    }
}

impl Op for CumSum {
    fn name(&self) -> &'static str {
        "CumSum"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 2)?;
        axis(self.axis, inputs[0].len())?;
        Ok(inputs[0].to_vec())
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 2)?;
        let x: Vec<f32> = inputs[0].iter().copied().collect();
        let (index, dim) = self.map(inputs[0].shape())?;
        let out = index.chunks(dim.max(1)).map(|row| row.iter().flatten().map(|&i| x[i]).sum()).collect();
        Tensor::from_shape_vec(inputs[0].shape(), out).map_err(|e| OpError::Shape(e.to_string()))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let Some(LValue::Act { id, .. }) = inputs.first() else {
            return Err(OpError::Invalid("expected an activation as first input".into()));
        };
        let x = ctx.materialize(*id)?;
        let t = ctx.tensor(x).clone();
        let (index, dim) = self.map(&t.shape)?;
        let index = index
            .into_iter()
            .map(|i| i.map(u32::try_from).transpose().map_err(|_| OpError::Unsupported("input too large".into())))
            .collect::<OpResult<Vec<_>>>()?;
        let op = LinearOp::single_channel(t.len(), dim, index, vec![1; dim]);
        let out = ctx.push(QOp::Linear(op), vec![x], t.shape.clone(), t.scale);
        Ok(LValue::Act { id: out, exclusive: true })
    }
}

#[cfg(test)]
mod tests {
    use super::CumSum;
    use crate::{Op, Tensor};

    /// ONNX's examples over `[1, 2, 3, 4, 5]`, and axis 0 of a matrix.
    #[test]
    fn running_sums_as_onnx_documents() {
        let x = Tensor::from_shape_vec(vec![5], vec![1., 2., 3., 4., 5.]).unwrap_or_else(|e| panic!("{e}"));
        let run = |exclusive, reverse| {
            let y = CumSum { axis: 0, exclusive, reverse }.eval(&[&x]).unwrap_or_else(|e| panic!("{e}"));
            y.iter().copied().collect::<Vec<f32>>()
        };
        assert_eq!(run(false, false), [1., 3., 6., 10., 15.]);
        assert_eq!(run(true, false), [0., 1., 3., 6., 10.]);
        assert_eq!(run(false, true), [15., 14., 12., 9., 5.]);
        assert_eq!(run(true, true), [14., 12., 9., 5., 0.]);
        let m = Tensor::from_shape_vec(vec![2, 3], vec![1., 2., 3., 4., 5., 6.]).unwrap_or_else(|e| panic!("{e}"));
        let y = CumSum { axis: -2, ..CumSum::default() }.eval(&[&m]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(y.iter().copied().collect::<Vec<f32>>(), [1., 2., 3., 5., 7., 9.]);
    }
}
