//! The integer primitives, one file each, and the [`Primitive`] trait through which the
//! evaluator, calibration and every proof back end read them.
//!
//! A primitive's arithmetic lives once, in its file: how it evaluates, which bounds calibration
//! gives it, which range checks its proof needs, the auxiliary values those checks hold (a
//! rescale's quotient, remainder and limbs; a division's product, remainder and slack) and its
//! multiply-accumulate count. A back end lays those values out in its own cells; it never
//! recomputes them.

mod div;
mod gather;
pub(crate) mod limbs;
mod linear;
mod mul;
mod requant;
pub(crate) mod table;

pub use div::{DivOp, DivWitness};
pub use gather::GatherOp;
pub use limbs::{limb_widths, limbs_for, split_limbs};
pub use linear::{LinearOp, LinearParams};
pub use mul::MulOp;
pub use requant::{RequantOp, RequantWitness};
pub use table::TableOp;

use super::{QOp, QuantConfig};

/// What goes wrong evaluating a primitive. The evaluator turns it into a
/// [`crate::GraphError`] that names the tensor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    /// A value does not fit in 64 bits.
    Overflow,
    /// The primitive got a number of inputs it has no meaning for.
    Arity {
        /// The number of inputs the primitive takes.
        expected: usize,
        /// The number of inputs it got.
        got: usize,
    },
    /// A divisor (input `input`) is zero or negative: there is no quotient.
    NonPositiveDivisor {
        /// The divisor's input position, in `QNode::inputs` order.
        input: usize,
        /// The divisor.
        value: i64,
    },
    /// A lookup's input lies outside the table's calibrated domain `[lo, hi]` or where the
    /// function is undefined; `real` is its real value.
    OutsideTable {
        /// The integer input.
        value: i64,
        /// Its real value, `value / 2^in_scale`.
        real: f64,
        /// The smallest input in the domain.
        lo: i64,
        /// The largest input in the domain.
        hi: i64,
    },
    /// A range-checked value lies outside its calibrated bound `|v| < 2^bits`.
    OutOfRange {
        /// The tensor holding the value.
        at: Operand,
        /// The value.
        value: i64,
        /// The calibrated bound, in bits.
        bits: u32,
    },
}

/// Which tensor of a node a [`Fault`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operand {
    /// Input `i`, in `QNode::inputs` order.
    Input(usize),
    /// The output.
    Output,
}

/// The largest magnitudes a primitive's bounds must cover, seen by calibration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Magnitudes {
    /// The range-checked value: a rescale's result, a lookup's input, a quotient.
    pub value: i64,
    /// A division's divisor.
    pub divisor: i64,
}

impl Magnitudes {
    /// The larger of each field.
    pub fn max(self, other: Self) -> Self {
        Self { value: self.value.max(other.value), divisor: self.divisor.max(other.divisor) }
    }
}

/// How calibration turns magnitudes into bounds.
#[derive(Debug, Clone, Copy)]
pub struct BoundFit {
    /// Head-room factor over the largest magnitude seen.
    pub margin: f64,
    /// A table has at most `2^table_bits` entries.
    pub table_bits: u32,
}

impl BoundFit {
    /// The knobs of `config`.
    pub fn of(config: &QuantConfig) -> Self {
        Self { margin: config.margin, table_bits: config.table_bits }
    }

    /// Smallest `bits` with `max · margin < 2^bits` (at least 1).
    pub fn bits(&self, max: i64) -> u32 {
        bits_for(max, self.margin)
    }
}

/// Smallest `bits` with `max · margin < 2^bits` (at least 1).
pub(crate) fn bits_for(max: i64, margin: f64) -> u32 {
    let need = (max as f64 * margin).ceil().max(1.0) as u128;
    let mut b = 1u32;
    while (1u128 << b) <= need {
        b += 1;
    }
    b
}

/// One integer primitive. Every method is required, so a new primitive states its cost and
/// whether it has bounds of its own instead of silently having none.
pub trait Primitive {
    /// The output from the input tensors (in `QNode::inputs` order), without checking the
    /// calibrated bounds (see [`Bounded::check`]); calibration evaluates this way to find
    /// them. Only a value that does not exist (an overflow, a non-positive divisor) is a fault.
    fn eval(&self, inputs: &[&[i64]]) -> Result<Vec<i64>, Fault>;

    /// Multiply-accumulates (for reporting).
    fn macs(&self) -> usize;

    /// Why its data is inconsistent with inputs of `input_lens` values and an output of
    /// `output_len` (an index out of range, a length that does not match, a bound too large), so
    /// that a graph read from disk is refused before anything indexes with it.
    fn validate(&self, input_lens: &[usize], output_len: usize) -> Result<(), String>;

    /// Its calibrated bounds, or `None` when it has none of its own: what it produces is
    /// bounded by the range checks of the primitives that read it (a `Linear`, a `Mul`, a
    /// `Gather`).
    fn bounds(&self) -> Option<&dyn Bounded>;

    /// [`Primitive::bounds`], to set them.
    fn bounds_mut(&mut self) -> Option<&mut dyn Bounded>;
}

/// A primitive with calibrated bounds that its proof enforces.
pub trait Bounded {
    /// A fault when an input or the output lies outside a calibrated bound that the circuit
    /// checks, so that an out-of-range input is named before any proving work.
    fn check(&self, inputs: &[&[i64]], output: &[i64]) -> Result<(), Fault>;

    /// The magnitudes its bounds must cover on one evaluation (calibration).
    fn observe(&self, inputs: &[&[i64]], output: &[i64]) -> Magnitudes;

    /// Sets its bounds from the magnitudes calibration saw.
    fn fit(&mut self, seen: Magnitudes, fit: &BoundFit);

    /// The range checks its proof needs, each one a rescale row of shift and bound (a
    /// `Requant` checks itself; a `Div` checks its remainder, slack and quotient; a lookup's
    /// domain is its table, so it needs none).
    fn range_checks(&self) -> Vec<RequantOp>;
}

/// Evaluates `$body` with `$op` bound to the primitive inside the [`QOp`](crate::QOp) `$qop`
/// (by reference for a `&QOp`, by mutable reference for a `&mut QOp`): the one place that lists
/// every primitive, so that a back end's dispatch (`with_primitive!(&node.op, op =>
/// op.rows(..))`) needs no edit when one is added, only an implementation for its type.
#[macro_export]
macro_rules! with_primitive {
    ($qop:expr, $op:ident => $body:expr) => {
        match $qop {
            $crate::QOp::Linear($op) => $body,
            $crate::QOp::Requant($op) => $body,
            $crate::QOp::Mul($op) => $body,
            $crate::QOp::Div($op) => $body,
            $crate::QOp::Gather($op) => $body,
            $crate::QOp::Table($op) => $body,
        }
    };
}

impl QOp {
    /// The primitive behind this op.
    pub fn primitive(&self) -> &dyn Primitive {
        crate::with_primitive!(self, op => op)
    }

    /// The primitive behind this op, to set its bounds.
    pub fn primitive_mut(&mut self) -> &mut dyn Primitive {
        crate::with_primitive!(self, op => op)
    }
}

/// Largest shift or bound (in bits) a graph read from disk may ask for.
pub(crate) const MAX_SHIFT: u32 = 62;

/// Largest table domain bound a graph read from disk may ask for (`2^25` rows).
pub(crate) const MAX_TABLE_BITS: u32 = 24;

/// `Ok` when the primitive has one input of the output's length.
pub(crate) fn one_input_of_output_len(what: &str, input_lens: &[usize], output_len: usize) -> Result<(), String> {
    match input_lens {
        [n] if *n == output_len => Ok(()),
        _ => Err(format!("{what} takes one input of the output's length")),
    }
}

/// `Ok` when a two-input elementwise primitive's index pairs fit its inputs and output.
pub(crate) fn index_pairs(
    what: &str,
    a_index: &[u32],
    b_index: &[u32],
    input_lens: &[usize],
    output_len: usize,
) -> Result<(), String> {
    let &[a, b] = input_lens else { return Err(format!("{what} takes two inputs")) };
    if a_index.len() != output_len || b_index.len() != output_len {
        return Err(format!("{what} takes two inputs and one index pair per output"));
    }
    if a_index.iter().any(|&j| j as usize >= a) || b_index.iter().any(|&j| j as usize >= b) {
        return Err(format!("{what} index out of range"));
    }
    Ok(())
}

/// The `N` inputs of a primitive that takes exactly `N`.
pub(crate) fn operands<'a, const N: usize>(inputs: &[&'a [i64]]) -> Result<[&'a [i64]; N], Fault> {
    inputs.try_into().map_err(|_| Fault::Arity { expected: N, got: inputs.len() })
}

/// Largest `|v|` over `values` (0 for none).
pub(crate) fn max_abs(values: &[i64]) -> i64 {
    values.iter().fold(0i64, |m, v| m.max(v.saturating_abs()))
}
