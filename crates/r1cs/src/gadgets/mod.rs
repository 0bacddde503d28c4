//! One gadget per primitive of the quantized graph, each in its own file: the rows that prove
//! it, written through [`Builder`], with its auxiliary values taken from the primitive's own
//! witness function (`RequantOp::witness`, `DivOp::witness`, `TableOp::value`), never
//! recomputed here.

mod div;
mod gather;
mod linear;
mod mul;
mod requant;
mod table;

use zkinfer_graph::QOp;

use crate::builder::Builder;
use crate::system::Var;
use crate::R1csError;

pub(crate) use linear::with_params as linear;

/// A primitive that lowers to rows.
pub(crate) trait Synthesize {
    /// Writes the rows proving the primitive on `inputs` (each input tensor's variables, in
    /// `QNode::inputs` order) and returns the output's variables. `output` is the output's
    /// honest values when the builder records values.
    fn synthesize(&self, b: &mut Builder, inputs: &[&[Var]], output: Option<&[i64]>) -> Result<Vec<Var>, R1csError>;
}

/// [`Synthesize::synthesize`] for the primitive inside `op`.
pub(crate) fn synthesize(
    op: &QOp,
    b: &mut Builder,
    inputs: &[&[Var]],
    output: Option<&[i64]>,
) -> Result<Vec<Var>, R1csError> {
    zkinfer_graph::with_primitive!(op, p => p.synthesize(b, inputs, output))
}

/// The `N` inputs of a primitive that takes exactly `N`.
pub(crate) fn operands<'a, const N: usize>(inputs: &[&'a [Var]]) -> Result<[&'a [Var]; N], R1csError> {
    inputs.try_into().map_err(|_| R1csError::Invalid(format!("a primitive takes {N} inputs, got {}", inputs.len())))
}

/// The honest value of element `i` of `output`.
pub(crate) fn at(output: Option<&[i64]>, i: usize) -> Option<i128> {
    output.map(|o| i128::from(o[i]))
}
