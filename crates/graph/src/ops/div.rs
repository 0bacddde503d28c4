//! `Div`.

use super::broadcast::{broadcast_shape, expect_inputs, zip_broadcast};
use super::mul::mul_const;
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// `a / b` with numpy broadcasting. Division by a constant is a multiplication by its
/// reciprocal (a linear op); dividing by an activation needs a reciprocal lookup chip and is
/// not supported yet.
#[derive(Debug, Clone, Default)]
pub struct Div;

impl Op for Div {
    fn name(&self) -> &'static str {
        "Div"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 2, 2)?;
        broadcast_shape(inputs[0], inputs[1])
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 2, 2)?;
        zip_broadcast(inputs[0], inputs[1], |a, b| a / b)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        match inputs {
            [LValue::Act { id, .. }, LValue::Const(c)] => {
                if c.iter().any(|&v| v == 0.0 || !v.is_finite()) {
                    return Err(OpError::Invalid(
                        "division by a constant that contains 0 or a non-finite value".into(),
                    ));
                }
                let out = mul_const(ctx, *id, &c.mapv(|v| 1.0 / v))?;
                Ok(LValue::Act { id: out, exclusive: true })
            }
            [_, LValue::Act { .. }] => Err(OpError::Unsupported(
                "Div by an activation (needs a reciprocal lookup chip); only division by a constant".into(),
            )),
            _ => Err(OpError::Invalid("expected two inputs, the first an activation".into())),
        }
    }
}
