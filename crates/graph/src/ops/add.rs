//! `Add`: elementwise sum with numpy broadcasting.

use super::broadcast::{broadcast_shape, expect_inputs, zip_broadcast};
use super::elementwise::lower_add;
use crate::error::OpResult;
use crate::{LValue, LowerCtx, Op, Tensor};

/// `a + b`. A constant added to the exclusive output of a linear layer folds into its bias;
/// two activations are aligned to the larger scale and summed by one linear op.
#[derive(Debug, Clone, Default)]
pub struct Add;

impl Op for Add {
    fn name(&self) -> &'static str {
        "Add"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 2, 2)?;
        broadcast_shape(inputs[0], inputs[1])
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 2, 2)?;
        zip_broadcast(inputs[0], inputs[1], |a, b| a + b)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        lower_add(ctx, inputs, false)
    }
}
