//! `Gather`: re-wiring costs nothing in R1CS either: the output's variables are the input's.

use zkinfer_graph::GatherOp;

use super::{operands, Synthesize};
use crate::builder::Builder;
use crate::system::Var;
use crate::R1csError;

impl Synthesize for GatherOp {
    fn synthesize(&self, _: &mut Builder, inputs: &[&[Var]], _: Option<&[i64]>) -> Result<Vec<Var>, R1csError> {
        let [x] = operands(inputs)?;
        Ok(self.index.iter().map(|&i| x[i as usize]).collect())
    }
}
