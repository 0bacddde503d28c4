//! One file per quantized primitive, each with its chip's gates, the rows a node takes and its
//! assignment ([`crate::walk::NodeLayout`]); plus the shared range table. `Div` has no gates of
//! its own (it composes the product, dot and requant chips) and `Gather` has no cells.

pub mod div;
pub mod dot;
pub mod gather;
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
