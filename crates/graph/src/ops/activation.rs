//! Elementwise nonlinear activations: each op file names its [`TableFn`]; shape inference, the
//! f32 reference (the same real function that builds the lookup table) and the lowering to a
//! lookup ([`crate::LowerCtx::lookup`]) are shared here.

use std::fmt::Debug;

use super::broadcast::expect_inputs;
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, TableFn, Tensor};

/// An elementwise activation computed by a lookup table.
pub trait Activation: Debug + Send + Sync {
    /// Op type for messages (the ONNX op type).
    fn op_name(&self) -> &'static str;
    /// The function, with the op's attributes as parameters.
    fn func(&self) -> TableFn;
    /// Inputs the op accepts (the first is the activation; `Clip` also takes constant bounds,
    /// which its importer has already read into [`Activation::func`]).
    fn max_inputs(&self) -> usize {
        1
    }
}

impl<T: Activation> Op for T {
    fn name(&self) -> &'static str {
        self.op_name()
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, self.max_inputs())?;
        Ok(inputs[0].to_vec())
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, self.max_inputs())?;
        let f = self.func();
        Ok(inputs[0].mapv(|v| f.real(f64::from(v)) as f32))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        match inputs.first() {
            Some(LValue::Act { id, .. }) if inputs[1..].iter().all(|v| matches!(v, LValue::Const(_))) => {
                Ok(LValue::Act { id: ctx.lookup(*id, 0, self.func())?, exclusive: true })
            }
            _ => Err(OpError::Unsupported(format!(
                "{} needs its first input computed from the model input and any other input constant",
                self.op_name()
            ))),
        }
    }
}
