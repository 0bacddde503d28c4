//! `Mul`: one row per product, `a · b = out`.

use zkinfer_graph::MulOp;

use super::{at, operands, Synthesize};
use crate::builder::Builder;
use crate::system::{Lc, Var};
use crate::R1csError;

impl Synthesize for MulOp {
    fn synthesize(&self, b: &mut Builder, inputs: &[&[Var]], output: Option<&[i64]>) -> Result<Vec<Var>, R1csError> {
        let [x, y] = operands(inputs)?;
        let pairs = self.a_index.iter().zip(&self.b_index).enumerate();
        Ok(pairs
            .map(|(k, (&i, &j))| {
                let out = b.witness(at(output, k));
                b.enforce(Lc::var(x[i as usize]), Lc::var(y[j as usize]), Lc::var(out), "product");
                out
            })
            .collect())
    }
}
