//! One chip per quantized primitive, plus the shared range table.

pub mod dot;
pub mod lookup;
pub mod mul;
pub mod range;
pub mod requant;

use halo2_axiom::plonk::Expression;

use crate::Fr;

/// Sum of expressions (zero for an empty list).
pub(crate) fn sum(terms: impl IntoIterator<Item = Expression<Fr>>) -> Expression<Fr> {
    terms.into_iter().reduce(|a, b| a + b).unwrap_or(Expression::Constant(Fr::zero()))
}
