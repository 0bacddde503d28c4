//! `Shape`.

use super::broadcast::expect_inputs;
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// The input's (static) shape as a 1-D tensor, optionally the dims `start..end` only (opset 15).
/// Shapes are static, so the result is always a constant: the importer folds it at import and
/// lowering returns it as a constant, never as an activation.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    /// First dim (negative counts from the end; clamped).
    pub start: i64,
    /// End dim, exclusive (negative counts from the end; clamped); `None`: the rank.
    pub end: Option<i64>,
}

impl Shape {
    /// The value of `Shape` on an input of shape `input`.
    pub fn of(&self, input: &[usize]) -> Tensor {
        let r = input.len() as i64;
        let clamp = |v: i64| (if v < 0 { v + r } else { v }).clamp(0, r) as usize;
        let (start, end) = (clamp(self.start), clamp(self.end.unwrap_or(r)));
        let dims: Vec<f32> = input[start..end.max(start)].iter().map(|&d| d as f32).collect();
        Tensor::from_shape_vec(vec![dims.len()], dims).unwrap_or_else(|_| Tensor::zeros(vec![0]))
    }
}

impl Op for Shape {
    fn name(&self) -> &'static str {
        "Shape"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 1)?;
        Ok(vec![self.of(inputs[0]).len()])
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 1)?;
        Ok(self.of(inputs[0].shape()))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        match inputs {
            [LValue::Act { id, .. }] => Ok(LValue::Const(self.of(&ctx.tensor(*id).shape))),
            [LValue::Const(c)] => Ok(LValue::Const(self.of(c.shape()))),
            _ => Err(OpError::Invalid("expected one input".into())),
        }
    }
}
