//! `Requant`: rescale with a bit-decomposed remainder, a signed range check whose top bit is
//! the sign, and ReLU as one product by that bit.
//!
//! For input `x`: `x + 2^(shift-1) = 2^shift · q + Σ 2^i r_i` (`shift` remainder bits), and
//! `q + 2^bits = Σ 2^i h_i` (`bits + 1` bits), so `-2^bits <= q < 2^bits`; the top bit
//! `h_bits` is 1 exactly when `q >= 0`, so with ReLU `out = h_bits · q`. With `shift = 0` the
//! input is `q` itself.

use zkinfer_graph::RequantOp;

use super::{operands, Synthesize};
use crate::builder::Builder;
use crate::system::{Lc, Var};
use crate::R1csError;

impl Synthesize for RequantOp {
    fn synthesize(&self, b: &mut Builder, inputs: &[&[Var]], _: Option<&[i64]>) -> Result<Vec<Var>, R1csError> {
        let [x] = operands(inputs)?;
        Ok(x.iter().map(|&x| requant(self, b, x)).collect())
    }
}

/// The rows of one element; returns the output variable.
fn requant(op: &RequantOp, b: &mut Builder, x: Var) -> Var {
    let w = b.int(&Lc::var(x)).map(|x| op.witness(x));
    let q = if op.shift == 0 {
        x
    } else {
        let remainder = b.bits(w.map(|w| w.remainder), op.shift);
        let q = b.witness(w.map(|w| w.quotient));
        let rhs = Lc::default().term(op.pow(), q).plus(&Builder::weighted(&remainder));
        b.equal(Lc::var(x).term(op.half(), Var::One), rhs, "rescale");
        q
    };
    let high = b.unsigned(&Lc::var(q).term(1i128 << op.bits, Var::One), op.bits + 1);
    if !op.relu {
        return q;
    }
    let out = b.witness(w.map(|w| w.out));
    b.enforce(Lc::var(high[op.bits as usize]), Lc::var(q), Lc::var(out), "relu");
    out
}
