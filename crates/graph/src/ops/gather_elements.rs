//! `GatherElements`: `out[.., i, ..] = data[.., indices[.., i, ..], ..]` along one axis, the
//! output shaped like `indices`. With constant indices (a loss's target labels, shape
//! arithmetic) it is a free re-wiring of the data; at computed indices it is refused by name.

use super::broadcast::expect_inputs;
use super::layout::{axis, lower_gather, rewire_f32, strides, unravel};
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// ONNX `GatherElements` (negative indices count from the end of the axis).
#[derive(Debug, Clone, Default)]
pub struct GatherElements {
    /// The axis indexed, in `[-rank, rank)`.
    pub axis: i64,
}

impl GatherElements {
    /// Per output element (shaped like `indices`), the flat index of `data` it copies.
    fn map(&self, data: &[usize], indices: &Tensor) -> OpResult<Vec<usize>> {
        let ax = axis(self.axis, data.len())?;
        let shape = indices.shape();
        if shape.len() != data.len() || shape.iter().zip(data).enumerate().any(|(d, (i, n))| d != ax && i > n) {
            return Err(OpError::Shape(format!("indices {shape:?} do not fit data {data:?} along axis {ax}")));
        }
        let (ds, dim) = (strides(data), data[ax] as i64);
        indices
            .iter()
            .enumerate()
            .map(|(e, &v)| {
                let i = v as i64;
                if v.fract() != 0.0 || !(-dim..dim).contains(&i) {
                    return Err(OpError::Invalid(format!("index {v} is out of range for axis {ax} of size {dim}")));
                }
                let mut c = unravel(e, shape);
                c[ax] = i.rem_euclid(dim) as usize;
                Ok(c.iter().zip(&ds).map(|(c, s)| c * s).sum())
            })
            .collect()
    }
}

impl Op for GatherElements {
    fn name(&self) -> &'static str {
        "GatherElements"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 2, 2)?;
        axis(self.axis, inputs[0].len())?;
        if inputs[1].len() != inputs[0].len() {
            return Err(OpError::Shape(format!("indices {:?} and data {:?} differ in rank", inputs[1], inputs[0])));
        }
        Ok(inputs[1].to_vec())
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 2, 2)?;
        let index: Vec<Option<usize>> = self.map(inputs[0].shape(), inputs[1])?.into_iter().map(Some).collect();
        rewire_f32(inputs[0], &index, 0.0, inputs[1].shape().to_vec())
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        match inputs {
            [data @ LValue::Act { id, .. }, LValue::Const(indices)] => {
                let index = self.map(&ctx.tensor(*id).shape, indices)?;
                lower_gather(ctx, data, &index, indices.shape().to_vec())
            }
            _ => Err(OpError::Unsupported(
                "GatherElements at indices computed from the model input (only constant indices)".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::GatherElements;
    use crate::{Op, Tensor};

    /// ONNX's examples: axis 1 of `[[1, 2], [3, 4]]` at `[[0, 0], [1, 0]]`, and axis 0 with a
    /// negative index.
    #[test]
    fn picks_along_the_axis_as_onnx_documents() {
        let t =
            |s: &[usize], v: &[f32]| Tensor::from_shape_vec(s.to_vec(), v.to_vec()).unwrap_or_else(|e| panic!("{e}"));
        let data = t(&[2, 2], &[1., 2., 3., 4.]);
        let got =
            GatherElements { axis: 1 }.eval(&[&data, &t(&[2, 2], &[0., 0., 1., 0.])]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got.iter().copied().collect::<Vec<_>>(), [1., 1., 4., 3.]);
        let data = t(&[3, 3], &[1., 2., 3., 4., 5., 6., 7., 8., 9.]);
        let got = GatherElements { axis: 0 }
            .eval(&[&data, &t(&[2, 3], &[1., 2., 0., 2., 0., -3.])])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got.iter().copied().collect::<Vec<_>>(), [4., 8., 3., 7., 2., 3.]);
        assert!(GatherElements { axis: 0 }.eval(&[&data, &t(&[1, 1], &[3.])]).is_err());
    }
}
