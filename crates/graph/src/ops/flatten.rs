//! `Flatten`.

use super::broadcast::expect_inputs;
use super::layout::{eval_reshaped, lower_reshaped};
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// Reshapes to 2-D: `[prod(dims[..axis]), prod(dims[axis..])]`.
#[derive(Debug, Clone)]
pub struct Flatten {
    /// Split axis, in `[-rank, rank]`; negative counts from the end.
    pub axis: i64,
}

impl Flatten {
    fn shape(&self, input: &[usize]) -> OpResult<Vec<usize>> {
        let rank = input.len() as i64;
        let axis = if self.axis < 0 { self.axis + rank } else { self.axis };
        if !(0..=rank).contains(&axis) {
            return Err(OpError::Invalid(format!("axis {} is out of range for rank {rank}", self.axis)));
        }
        let (outer, inner) = input.split_at(axis as usize);
        Ok(vec![outer.iter().product(), inner.iter().product()])
    }
}

impl Op for Flatten {
    fn name(&self) -> &'static str {
        "Flatten"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 1)?;
        self.shape(inputs[0])
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 1)?;
        eval_reshaped(inputs[0], self.shape(inputs[0].shape())?)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        lower_reshaped(ctx, inputs, |shape| self.shape(shape))
    }
}
