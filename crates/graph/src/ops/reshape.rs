//! `Reshape`.

use super::broadcast::expect_inputs;
use super::layout::{eval_reshaped, lower_reshaped};
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// Reshape to a shape known at import time (ONNX takes it from a constant second input).
#[derive(Debug, Clone)]
pub struct Reshape {
    /// Requested shape: `-1` infers one dim; `0` copies the input's dim (unless `allow_zero`).
    pub shape: Vec<i64>,
    /// ONNX `allowzero`: a `0` means an empty dim instead of "copy".
    pub allow_zero: bool,
}

impl Reshape {
    /// Resolves `0` and `-1` against the input shape.
    pub fn resolve(&self, input: &[usize]) -> OpResult<Vec<usize>> {
        let total: usize = input.iter().product();
        let mut out = Vec::with_capacity(self.shape.len());
        let mut infer = None;
        for (i, &d) in self.shape.iter().enumerate() {
            match d {
                -1 if infer.is_none() => {
                    infer = Some(i);
                    out.push(1);
                }
                0 if !self.allow_zero => out.push(*input.get(i).ok_or_else(|| {
                    OpError::Invalid(format!("shape {:?}: dim {i} copies a dim the input lacks", self.shape))
                })?),
                d if d >= 0 => out.push(d as usize),
                _ => return Err(OpError::Invalid(format!("invalid target shape {:?}", self.shape))),
            }
        }
        let known: usize = out.iter().product();
        if let Some(i) = infer {
            if known == 0 || !total.is_multiple_of(known) {
                return Err(OpError::Shape(format!("cannot reshape {input:?} to {:?}", self.shape)));
            }
            out[i] = total / known;
        }
        if out.iter().product::<usize>() != total {
            return Err(OpError::Shape(format!("cannot reshape {input:?} ({total} values) to {out:?}")));
        }
        Ok(out)
    }
}

impl Op for Reshape {
    fn name(&self) -> &'static str {
        "Reshape"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 2)?;
        self.resolve(inputs[0])
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 2)?;
        eval_reshaped(inputs[0], self.resolve(inputs[0].shape())?)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        lower_reshaped(ctx, inputs, |shape| self.resolve(shape))
    }
}
