//! `Trilu`: keeps the upper (or lower) triangle of the last two axes and zeroes the rest.

use super::broadcast::expect_inputs;
use super::layout::{flat, unravel};
use crate::error::{OpError, OpResult};
use crate::{LValue, LinearOp, LowerCtx, Op, QOp, Tensor};

/// Element `(…, i, j)` is kept when `j - i >= k` (`upper`) or `j - i <= k` (lower), and is 0
/// otherwise. On a constant (a causal mask built from shapes) it folds at import; on an
/// activation it is one Linear position per element, a copy or no term (the constant 0).
#[derive(Debug, Clone)]
pub struct Trilu {
    /// Keep the upper triangle (ONNX's default) rather than the lower.
    pub upper: bool,
    /// Diagonal offset (ONNX's optional second input, a constant).
    pub k: i64,
}

impl Trilu {
    /// Per flat element of `shape`, whether it is kept.
    fn kept(&self, shape: &[usize]) -> OpResult<Vec<bool>> {
        if shape.len() < 2 {
            return Err(OpError::Shape(format!("Trilu needs a rank of at least 2, found {shape:?}")));
        }
        let n: usize = shape.iter().product();
        Ok((0..n)
            .map(|f| {
                let at = unravel(f, shape);
                let d = at[at.len() - 1] as i64 - at[at.len() - 2] as i64;
                if self.upper {
                    d >= self.k
                } else {
                    d <= self.k
                }
            })
            .collect())
    }
}

impl Op for Trilu {
    fn name(&self) -> &'static str {
        "Trilu"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 2)?;
        self.kept(inputs[0])?;
        Ok(inputs[0].to_vec())
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 2)?;
        let kept = self.kept(inputs[0].shape())?;
        let data = flat(inputs[0]).iter().zip(&kept).map(|(&v, &k)| if k { v } else { 0.0 }).collect();
        Tensor::from_shape_vec(inputs[0].shape(), data).map_err(|e| OpError::Shape(e.to_string()))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let Some(LValue::Act { id, .. }) = inputs.first() else {
            return Err(OpError::Invalid("expected an activation as first input".into()));
        };
        let t = ctx.tensor(*id).clone();
        let kept = self.kept(&t.shape)?;
        let index = kept.iter().enumerate().map(|(i, &k)| k.then_some(i as u32)).collect();
        let op = LinearOp::single_channel(t.len(), 1, index, vec![1]);
        Ok(LValue::Act { id: ctx.push(QOp::Linear(op), vec![*id], t.shape, t.scale), exclusive: true })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_triangle_on_either_side_of_the_offset_diagonal() {
        let x = Tensor::from_shape_vec(&[1, 3, 3][..], (1..=9).map(|v| v as f32).collect()).expect("shape");
        let eval = |upper, k| Trilu { upper, k }.eval(&[&x]).expect("eval").iter().copied().collect::<Vec<f32>>();
        assert_eq!(eval(true, 0), vec![1.0, 2.0, 3.0, 0.0, 5.0, 6.0, 0.0, 0.0, 9.0]);
        assert_eq!(eval(false, 0), vec![1.0, 0.0, 0.0, 4.0, 5.0, 0.0, 7.0, 8.0, 9.0]);
        assert_eq!(eval(true, 1), vec![0.0, 2.0, 3.0, 0.0, 0.0, 6.0, 0.0, 0.0, 0.0]);
        assert_eq!(eval(false, -1), vec![0.0, 0.0, 0.0, 4.0, 0.0, 0.0, 7.0, 8.0, 0.0]);
        assert!(Trilu { upper: true, k: 0 }.output_shape(&[&[3]]).is_err());
    }
}
