//! `Cast` and `CastLike`.

use super::broadcast::expect_inputs;
use super::Identity;
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// The kinds of element type a `Cast` converts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CastTo {
    /// `float` or `double`: every f32 value is unchanged.
    Float,
    /// A signed or unsigned integer type: truncation toward zero.
    Int,
    /// `bool`: nonzero becomes 1.
    Bool,
}

/// Converts its input's element type. To a float type it is the identity, proven as such; to an
/// integer or boolean type it is evaluated on constants only (shape and mask arithmetic folded
/// at import): the circuit carries fixed-point reals, so an integer cast of a value computed
/// from the model input is refused by name.
#[derive(Debug, Clone)]
pub struct Cast {
    /// The target kind.
    pub to: CastTo,
    /// `CastLike`: a second input gives the target type and is otherwise not read.
    pub like: bool,
}

impl Cast {
    /// The number of inputs: the value, and for `CastLike` the type template.
    fn arity(&self) -> usize {
        1 + usize::from(self.like)
    }
}

impl Op for Cast {
    fn name(&self) -> &'static str {
        if self.like {
            "CastLike"
        } else {
            "Cast"
        }
    }

    fn passes_through(&self) -> bool {
        self.to == CastTo::Float
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, self.arity(), self.arity())?;
        Ok(inputs[0].to_vec())
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, self.arity(), self.arity())?;
        Ok(match self.to {
            CastTo::Float => inputs[0].clone(),
            CastTo::Int => inputs[0].mapv(f32::trunc),
            CastTo::Bool => inputs[0].mapv(|v| f32::from(u8::from(v != 0.0))),
        })
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        match self.to {
            CastTo::Float => Identity.lower(ctx, &inputs[..1]),
            CastTo::Int | CastTo::Bool => Err(OpError::Unsupported(
                "a Cast to an integer or boolean type of a value computed from the model input (the circuit \
                 carries fixed-point reals; casts to float are proven, integer casts only of constants)"
                    .into(),
            )),
        }
    }
}
