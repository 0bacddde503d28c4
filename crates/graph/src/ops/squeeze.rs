//! `Squeeze`.

use super::broadcast::expect_inputs;
use super::layout::{axes, eval_reshaped, lower_reshaped};
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// Removes axes of size 1. Same row-major data, so it lowers to a free gather.
/// From opset 13 the axes are a constant input; the importer reads them into this struct.
#[derive(Debug, Clone, Default)]
pub struct Squeeze {
    /// Axes to remove (each must have size 1); `None` removes every axis of size 1.
    pub axes: Option<Vec<i64>>,
}

impl Squeeze {
    /// The output shape.
    pub fn shape(&self, input: &[usize]) -> OpResult<Vec<usize>> {
        let drop = match &self.axes {
            None => (0..input.len()).filter(|&i| input[i] == 1).collect(),
            Some(list) => axes(list, input.len())?,
        };
        if let Some(&a) = drop.iter().find(|&&a| input[a] != 1) {
            return Err(OpError::Shape(format!("cannot squeeze axis {a} of size {} (shape {input:?})", input[a])));
        }
        Ok(input.iter().enumerate().filter(|(i, _)| !drop.contains(i)).map(|(_, &d)| d).collect())
    }
}

impl Op for Squeeze {
    fn name(&self) -> &'static str {
        "Squeeze"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 2)?;
        self.shape(inputs[0])
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 2)?;
        eval_reshaped(inputs[0], self.shape(inputs[0].shape())?)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        lower_reshaped(ctx, inputs, |shape| self.shape(shape))
    }
}
