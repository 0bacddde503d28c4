//! `Equal`, `Less`, `LessOrEqual`, `Greater`, `GreaterOrEqual` and `Not`: boolean results (1 or
//! 0) with numpy broadcasting.

use super::broadcast::{broadcast_all, expect_inputs, zip_broadcast};
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// Which comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `a == b`.
    Equal,
    /// `a < b`.
    Less,
    /// `a <= b`.
    LessOrEqual,
    /// `a > b`.
    Greater,
    /// `a >= b`.
    GreaterOrEqual,
    /// `!a` (one input).
    Not,
}

/// A comparison, evaluated where its inputs are constants (mask and shape arithmetic, folded at
/// import). A boolean computed from the model input is refused by name: the circuit carries
/// fixed-point reals, and the comparisons it proves (`Max`, `ReLU`) produce values, not masks.
#[derive(Debug, Clone)]
pub struct Compare {
    /// The comparison.
    pub kind: Comparison,
}

impl Compare {
    fn arity(&self) -> usize {
        if self.kind == Comparison::Not {
            1
        } else {
            2
        }
    }
}

impl Op for Compare {
    fn name(&self) -> &'static str {
        match self.kind {
            Comparison::Equal => "Equal",
            Comparison::Less => "Less",
            Comparison::LessOrEqual => "LessOrEqual",
            Comparison::Greater => "Greater",
            Comparison::GreaterOrEqual => "GreaterOrEqual",
            Comparison::Not => "Not",
        }
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, self.arity(), self.arity())?;
        broadcast_all(inputs)
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, self.arity(), self.arity())?;
        let bool = |b: bool| f32::from(u8::from(b));
        let f: fn(f32, f32) -> bool = match self.kind {
            Comparison::Not => return Ok(inputs[0].mapv(|v| bool(v == 0.0))),
            Comparison::Equal => |a, b| a == b,
            Comparison::Less => |a, b| a < b,
            Comparison::LessOrEqual => |a, b| a <= b,
            Comparison::Greater => |a, b| a > b,
            Comparison::GreaterOrEqual => |a, b| a >= b,
        };
        zip_broadcast(inputs[0], inputs[1], |a, b| bool(f(a, b)))
    }

    fn lower(&self, _ctx: &mut LowerCtx, _inputs: &[LValue]) -> OpResult<LValue> {
        Err(OpError::Unsupported(format!(
            "{} of a value computed from the model input (a boolean mask; comparisons are folded on constants only)",
            self.name()
        )))
    }
}
