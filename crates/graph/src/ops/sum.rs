//! `Sum` and `Mean`: elementwise sum (and average) of any number of inputs, with broadcasting.

use super::broadcast::{broadcast_all, expect_inputs, zip_broadcast};
use super::elementwise::lower_add;
use super::mul::mul_const;
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// `x_1 + x_2 + ... + x_n`: one `Add` lowering per further input (activations aligned to the
/// larger scale and summed by a linear op; constants folded into a bias where they can be).
#[derive(Debug, Clone, Default)]
pub struct Sum;

/// `(x_1 + ... + x_n) / n`: the sum, then a product by the constant `1/n`.
#[derive(Debug, Clone, Default)]
pub struct Mean;

fn output_shape(inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
    expect_inputs(inputs, 1, usize::MAX)?;
    broadcast_all(inputs)
}

fn eval_sum(inputs: &[&Tensor]) -> OpResult<Tensor> {
    expect_inputs(inputs, 1, usize::MAX)?;
    inputs[1..].iter().try_fold(inputs[0].clone(), |acc, x| zip_broadcast(&acc, x, |a, b| a + b))
}

fn lower_sum(ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
    // Start from an activation, so every step adds to one (the sum commutes).
    let first = inputs
        .iter()
        .position(|v| matches!(v, LValue::Act { .. }))
        .ok_or_else(|| OpError::Invalid("expected at least one activation among the inputs".into()))?;
    let mut acc = inputs[first].clone();
    for (i, v) in inputs.iter().enumerate() {
        if i != first {
            acc = lower_add(ctx, &[acc, v.clone()], false)?;
        }
    }
    Ok(acc)
}

impl Op for Sum {
    fn name(&self) -> &'static str {
        "Sum"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        output_shape(inputs)
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        eval_sum(inputs)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        lower_sum(ctx, inputs)
    }
}

impl Op for Mean {
    fn name(&self) -> &'static str {
        "Mean"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        output_shape(inputs)
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        let n = inputs.len() as f32;
        Ok(eval_sum(inputs)?.mapv(|v| v / n))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        if inputs.len() == 1 {
            return lower_sum(ctx, inputs);
        }
        let LValue::Act { id, .. } = lower_sum(ctx, inputs)? else {
            return Err(OpError::Invalid("the sum of the inputs is not an activation".into()));
        };
        let inv = Tensor::from_elem(vec![], 1.0 / inputs.len() as f32);
        Ok(LValue::Act { id: mul_const(ctx, id, &inv)?, exclusive: true })
    }
}
