//! `Div`: `q · d = c` and two non-negativity checks, as in the Halo2 chip.
//!
//! For dividend `a` and divisor `d`: `r = 2^(shift+1) a + d - 2c` and `2d - 1 - r` both lie in
//! `[0, 2^(den_bits+1))` (bit decompositions), which over the integers pins `q` to the rounded
//! quotient; `q + 2^quot_bits` in `[0, 2^(quot_bits+1))` makes `q` an integer, so the product
//! cannot be a field fraction.

use zkinfer_graph::DivOp;

use super::{operands, Synthesize};
use crate::builder::Builder;
use crate::system::{Lc, Var};
use crate::R1csError;

impl Synthesize for DivOp {
    fn synthesize(&self, b: &mut Builder, inputs: &[&[Var]], _: Option<&[i64]>) -> Result<Vec<Var>, R1csError> {
        let [x, y] = operands(inputs)?;
        let pairs = self.a_index.iter().zip(&self.b_index);
        Ok(pairs.map(|(&i, &j)| divide(self, b, x[i as usize], y[j as usize])).collect())
    }
}

/// The rows of one quotient; returns it.
fn divide(op: &DivOp, b: &mut Builder, a: Var, d: Var) -> Var {
    let w = match (b.int(&Lc::var(a)), b.int(&Lc::var(d))) {
        (Some(a), Some(d)) => Some(op.witness(a as i64, d as i64)),
        _ => None,
    };
    let q = b.witness(w.map(|w| w.quotient));
    b.unsigned(&Lc::var(q).term(1i128 << op.quot_bits, Var::One), op.quot_bits + 1);
    let c = b.witness(w.map(|w| w.product));
    b.enforce(Lc::var(q), Lc::var(d), Lc::var(c), "product");
    let weight = i128::from(op.dividend_weight());
    let remainder = Lc::default().term(weight, a).term(1, d).term(-2, c);
    let slack = Lc::default().term(2, d).term(-1, Var::One).plus(&remainder.scaled(-1));
    b.unsigned(&remainder, op.den_bits + 1);
    b.unsigned(&slack, op.den_bits + 1);
    q
}
