//! `GlobalMaxPool`.

use super::broadcast::expect_inputs;
use super::max_pool::MaxPool;
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// Maximum over all spatial axes of `[N, C, spatial...]`, keeping them as size 1: a [`MaxPool`]
/// whose window is the whole input (one comparison tree per channel).
#[derive(Debug, Clone, Default)]
pub struct GlobalMaxPool;

impl GlobalMaxPool {
    fn pool(input: &[usize]) -> OpResult<MaxPool> {
        if input.len() < 3 {
            return Err(OpError::Shape(format!("input {input:?} must be [N, C] plus spatial axes")));
        }
        Ok(MaxPool { kernel: input[2..].to_vec(), ..MaxPool::default() })
    }
}

impl Op for GlobalMaxPool {
    fn name(&self) -> &'static str {
        "GlobalMaxPool"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 1)?;
        Self::pool(inputs[0])?.output_shape(inputs)
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 1)?;
        Self::pool(inputs[0].shape())?.eval(inputs)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let [LValue::Act { id, .. }] = inputs else {
            return Err(OpError::Invalid("expected one activation input".into()));
        };
        let shape = ctx.tensor(*id).shape.clone();
        Self::pool(&shape)?.lower(ctx, inputs)
    }
}
