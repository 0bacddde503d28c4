//! `CumProd`: running products along one axis, optionally exclusive (the element itself left
//! out, so the first is 1) and reversed (from the end).
//!
//! The slices along the axis are gathered (free re-wirings) and multiplied in order by the
//! product chip, each running product rescaled to the output's scale (every one of them is an
//! output element, so calibration bounds it), and the slices concatenated back.

use super::broadcast::expect_inputs;
use super::layout::{axis, strides, unravel};
use super::mul::mul_acts;
use super::Concat;
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// ONNX `CumProd` along a constant `axis`.
#[derive(Debug, Clone, Default)]
pub struct CumProd {
    /// The axis multiplied along, in `[-rank, rank)`.
    pub axis: i64,
    /// Leave each element out of its own product.
    pub exclusive: bool,
    /// Multiply from the end of the axis.
    pub reverse: bool,
}

impl CumProd {
    /// The positions along the axis in the order the products run.
    fn order(&self, dim: usize) -> Vec<usize> {
        if self.reverse {
            (0..dim).rev().collect()
        } else {
            (0..dim).collect()
        }
    }
}

impl Op for CumProd {
    fn name(&self) -> &'static str {
        "CumProd"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 2)?;
        axis(self.axis, inputs[0].len())?;
        Ok(inputs[0].to_vec())
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 2)?;
        let shape = inputs[0].shape().to_vec();
        let ax = axis(self.axis, shape.len())?;
        let (dim, step) = (shape[ax], strides(&shape)[ax]);
        let data: Vec<f32> = inputs[0].iter().copied().collect();
        let order = self.order(dim);
        let out = (0..data.len())
            .map(|e| {
                let k = unravel(e, &shape)[ax];
                let base = e - k * step;
                // Where k falls in `order`.
                let at = if self.reverse { dim - 1 - k } else { k };
                let upto = if self.exclusive { at } else { at + 1 };
                order[..upto].iter().map(|&j| f64::from(data[base + j * step])).product::<f64>() as f32
            })
            .collect();
        Tensor::from_shape_vec(shape, out).map_err(|e| OpError::Shape(e.to_string()))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let Some(LValue::Act { id, .. }) = inputs.first() else {
            return Err(OpError::Invalid("expected an activation as first input".into()));
        };
        let x = ctx.materialize(*id)?;
        let shape = ctx.tensor(x).shape.clone();
        let ax = axis(self.axis, shape.len())?;
        let (dim, step) = (shape[ax], strides(&shape)[ax]);
        let mut slice_shape = shape.clone();
        slice_shape[ax] = 1;
        let n: usize = slice_shape.iter().product();
        let too_large = || OpError::Unsupported("input too large".into());
        let slice = |ctx: &mut LowerCtx, k: usize| -> OpResult<_> {
            let index = (0..n)
                .map(|e| {
                    let c = unravel(e, &slice_shape);
                    let flat: usize = c.iter().zip(strides(&shape)).map(|(c, s)| c * s).sum::<usize>() + k * step;
                    u32::try_from(flat).map_err(|_| too_large())
                })
                .collect::<OpResult<Vec<_>>>()?;
            Ok(ctx.gather(x, index, slice_shape.clone()))
        };
        let mut parts: Vec<Option<LValue>> = vec![None; dim];
        let mut running = None;
        let order = self.order(dim);
        for (at, &k) in order.iter().enumerate() {
            if self.exclusive && at + 1 == dim {
                // The full product is no output (and a tensor nothing reads is not laid out).
                parts[k] = Some(match running {
                    None => LValue::Const(Tensor::from_elem(slice_shape.clone(), 1.0)),
                    Some(r) => LValue::Act { id: r, exclusive: false },
                });
                break;
            }
            let s = slice(ctx, k)?;
            let next = match running {
                None => s,
                Some(r) => {
                    let p = mul_acts(ctx, r, s)?;
                    ctx.rescale(p, ctx.out_scale(), false)?
                }
            };
            parts[k] = Some(match (self.exclusive, running) {
                (true, None) => LValue::Const(Tensor::from_elem(slice_shape.clone(), 1.0)),
                (true, Some(r)) => LValue::Act { id: r, exclusive: false },
                (false, _) => LValue::Act { id: next, exclusive: false },
            });
            running = Some(next);
        }
        let parts = parts
            .into_iter()
            .map(|p| p.ok_or_else(|| OpError::Invalid("a missing slice".into())))
            .collect::<OpResult<Vec<_>>>()?;
        Concat { axis: ax as i64 }.lower(ctx, &parts)
    }
}
