//! `GlobalAveragePool`.

use super::avg_pool::{lower_pool, pool_f32, AveragePool};
use super::broadcast::expect_inputs;
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// Mean over all spatial axes of `[N, C, spatial...]`, keeping them as size 1: an
/// [`AveragePool`] whose window is the whole input. Lowers to one linear op (a position per
/// channel, weight `1/(H*W...)`).
#[derive(Debug, Clone, Default)]
pub struct GlobalAveragePool;

impl GlobalAveragePool {
    fn pool(input: &[usize]) -> OpResult<AveragePool> {
        if input.len() < 3 {
            return Err(OpError::Shape(format!("input {input:?} must be [N, C] plus spatial axes")));
        }
        Ok(AveragePool { kernel: input[2..].to_vec(), ..AveragePool::default() })
    }
}

impl Op for GlobalAveragePool {
    fn name(&self) -> &'static str {
        "GlobalAveragePool"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 1)?;
        Self::pool(inputs[0])?.output_shape(inputs)
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 1)?;
        pool_f32(inputs[0], &Self::pool(inputs[0].shape())?.windows(inputs[0].shape())?)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let [LValue::Act { id, .. }] = inputs else {
            return Err(OpError::Invalid("expected one activation input".into()));
        };
        let x = ctx.materialize(*id)?;
        let shape = ctx.tensor(x).shape.clone();
        let w = Self::pool(&shape)?.windows(&shape)?;
        lower_pool(ctx, x, w)
    }
}
