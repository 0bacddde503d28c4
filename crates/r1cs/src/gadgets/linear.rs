//! `Linear`: a product by a fixed weight is a coefficient, so each output costs one row,
//! `(bias + Σ w · x) · 1 = out`, whatever its number of terms.

use zkinfer_graph::LinearOp;

use super::{at, Synthesize};
use crate::builder::Builder;
use crate::system::{Lc, Var};
use crate::R1csError;

impl Synthesize for LinearOp {
    fn synthesize(&self, b: &mut Builder, inputs: &[&[Var]], output: Option<&[i64]>) -> Result<Vec<Var>, R1csError> {
        let x: Vec<Var> = inputs.iter().flat_map(|t| t.iter().copied()).collect();
        let mut out: Vec<Option<Var>> = vec![None; self.positions * self.channels];
        for p in 0..self.positions {
            let index = &self.index[p * self.terms..(p + 1) * self.terms];
            for o in 0..self.channels {
                let weight = &self.weight[o * self.terms..(o + 1) * self.terms];
                let terms = index.iter().zip(weight).filter_map(|(i, &w)| Some((i128::from(w), x[(*i)? as usize])));
                let sum = Lc::constant(self.bias[o].into()).terms(terms);
                let k = p * self.pos_stride + o * self.chan_stride;
                let v = b.witness(at(output, k));
                b.equal(sum, Lc::var(v), "linear");
                out[k] = Some(v);
            }
        }
        out.into_iter()
            .collect::<Option<Vec<Var>>>()
            .ok_or_else(|| R1csError::Invalid("a linear op leaves an output position unwritten".into()))
    }
}
