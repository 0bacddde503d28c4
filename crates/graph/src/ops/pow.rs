//! `Pow` by a constant exponent, and `Reciprocal`.

use super::activation::Activation;
use super::broadcast::expect_inputs;
use super::{Identity, Mul};
use crate::error::OpResult;
use crate::{LValue, LowerCtx, Op, TableFn, Tensor};

/// `x^exponent` for a constant scalar exponent (ONNX's second input). `x^1` is `x`; `x^2` is the
/// exact product of `x` with itself (the Mul chip); any other exponent is a lookup table of
/// [`TableFn::Pow`], where `x^p` is undefined (a negative `x` with a fractional `p`, or `0` with a
/// negative `p`) having no row.
#[derive(Debug, Clone)]
pub struct Pow {
    /// The exponent.
    pub exponent: f32,
}

/// The table form of [`Pow`] (an exponent other than 1 and 2).
#[derive(Debug, Clone)]
struct PowTable(f64);

impl Activation for PowTable {
    fn op_name(&self) -> &'static str {
        "Pow"
    }

    fn func(&self) -> TableFn {
        TableFn::Pow { exponent: self.0 }
    }

    fn max_inputs(&self) -> usize {
        2
    }
}

impl Op for Pow {
    fn name(&self) -> &'static str {
        "Pow"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 2)?;
        Ok(inputs[0].to_vec())
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        PowTable(f64::from(self.exponent)).eval(inputs)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        match (self.exponent, inputs.first()) {
            (1.0, Some(x)) => Identity.lower(ctx, std::slice::from_ref(x)),
            (2.0, Some(x)) => Mul.lower(ctx, &[x.clone(), x.clone()]),
            _ => PowTable(f64::from(self.exponent)).lower(ctx, inputs),
        }
    }
}

/// `1 / x` by lookup table (`x = 0` has no row).
#[derive(Debug, Clone, Default)]
pub struct Reciprocal;

impl Activation for Reciprocal {
    fn op_name(&self) -> &'static str {
        "Reciprocal"
    }

    fn func(&self) -> TableFn {
        TableFn::Pow { exponent: -1.0 }
    }
}
