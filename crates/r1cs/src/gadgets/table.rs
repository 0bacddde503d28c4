//! `Table`: a lookup as a two-level one-hot selection.
//!
//! The table covers `d = x + 2^bits` in `[0, T)`, `T = 2^(bits+1)`. Write `d = S·i + j` with
//! `S = 2^L` (`L = ceil((bits+1)/2)`, which minimises the cost `2·T/S + S`) and `H = T/S` blocks.
//! Two one-hot vectors pick `i` and `j`: `H + S` bits, each sum 1, and one row recomposing
//! `d = S·Σ i·e_i + Σ j·f_j`. Block `i` contributes `t_i = e_i · (Σ_j f(S·i+j)·f_j)`, one row
//! each, and `out = Σ t_i`; where the function is undefined, `e_i · (Σ_{j undefined} f_j) = 0`
//! forbids the entry. So an element costs `2H + S + 4` rows, about `2·sqrt(2T)`: 260 for the
//! default 8,192-entry table.

use zkinfer_graph::TableOp;

use super::{at, operands, Synthesize};
use crate::builder::Builder;
use crate::system::{Lc, Var};
use crate::R1csError;

/// Largest table (in domain bits) the selection is built for: `2^21` entries cost about 4,100
/// rows per element.
const MAX_BITS: u32 = 20;

impl Synthesize for TableOp {
    fn synthesize(&self, b: &mut Builder, inputs: &[&[Var]], output: Option<&[i64]>) -> Result<Vec<Var>, R1csError> {
        let [x] = operands(inputs)?;
        if self.bits > MAX_BITS {
            return Err(R1csError::Unsupported(format!(
                "a {:?} table of 2^{} entries (the R1CS selection is built up to 2^{})",
                self.func,
                self.bits + 1,
                MAX_BITS + 1
            )));
        }
        let (lo, _) = self.domain();
        let n = self.bits + 1;
        let low = n.div_ceil(2);
        let s = 1usize << low;
        let h = 1usize << (n - low);
        let entries: Vec<Option<i64>> = (0..h * s).map(|k| self.value(lo + k as i64)).collect();
        Ok(x.iter()
            .enumerate()
            .map(|(k, &x)| {
                let d = b.int(&Lc::var(x)).map(|x| x - i128::from(lo));
                let hi = one_hot(b, d.map(|d| d >> low), h);
                let lo_bits = one_hot(b, d.map(|d| d & (s as i128 - 1)), s);
                let index = Lc::default()
                    .terms(hi.iter().enumerate().map(|(i, &e)| ((i * s) as i128, e)))
                    .terms(lo_bits.iter().enumerate().map(|(j, &f)| (j as i128, f)));
                b.equal(index, Lc::var(x).term(-i128::from(lo), Var::One), "table index");
                let mut sum = Lc::default();
                for (i, &e) in hi.iter().enumerate() {
                    let block = &entries[i * s..(i + 1) * s];
                    let pick = Lc::default()
                        .terms(block.iter().zip(&lo_bits).filter_map(|(v, &f)| Some((i128::from((*v)?), f))));
                    let chosen = d.map(|d| if (d >> low) as usize == i { pick_value(block, d, s) } else { 0 });
                    let t = b.witness(chosen);
                    b.enforce(Lc::var(e), pick, Lc::var(t), "table select");
                    sum = sum.term(1, t);
                    let undefined = Lc::default()
                        .terms(block.iter().zip(&lo_bits).filter(|(v, _)| v.is_none()).map(|(_, &f)| (1, f)));
                    if !undefined.0.is_empty() {
                        b.enforce(Lc::var(e), undefined, Lc::default(), "table undefined");
                    }
                }
                let out = b.witness(at(output, k));
                b.equal(sum, Lc::var(out), "table out");
                out
            })
            .collect())
    }
}

/// The entry of `block` that `d` selects (0 where undefined: no honest witness reads it).
fn pick_value(block: &[Option<i64>], d: i128, s: usize) -> i128 {
    block[(d & (s as i128 - 1)) as usize].map_or(0, i128::from)
}

/// `n` booleans, exactly one of them 1 (the one at `index`): `n` bit rows and one sum row.
fn one_hot(b: &mut Builder, index: Option<i128>, n: usize) -> Vec<Var> {
    let vars: Vec<Var> = (0..n)
        .map(|i| {
            let e = b.witness(index.map(|k| i128::from(k == i as i128)));
            b.enforce(Lc::var(e), Lc::var(e).term(-1, Var::One), Lc::default(), "bit");
            e
        })
        .collect();
    b.equal(Lc::default().terms(vars.iter().map(|&e| (1, e))), Lc::constant(1), "one-hot");
    vars
}
