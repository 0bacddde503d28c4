//! `Gather`: pure re-wiring (reshape, flatten, transpose, broadcast, slicing).

use serde::{Deserialize, Serialize};

use super::{operands, BoundFit, Fault, Magnitudes, Primitive, RequantOp};

/// Pure re-wiring (reshape, flatten, transpose, broadcast): `out[i] = in[index[i]]`. Costs no constraints.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GatherOp {
    /// For each output, the index of the input value it copies.
    pub index: Vec<u32>,
}

impl GatherOp {
    /// The re-wired values.
    pub fn eval(&self, x: &[i64]) -> Vec<i64> {
        self.index.iter().map(|&i| x[i as usize]).collect()
    }
}

/// Copies of values already bounded: nothing to check.
impl Primitive for GatherOp {
    fn eval(&self, inputs: &[&[i64]]) -> Result<Vec<i64>, Fault> {
        let [x] = operands(inputs)?;
        Ok(GatherOp::eval(self, x))
    }

    fn check(&self, _inputs: &[&[i64]], _output: &[i64]) -> Result<(), Fault> {
        Ok(())
    }

    fn observe(&self, _inputs: &[&[i64]], _output: &[i64]) -> Magnitudes {
        Magnitudes::default()
    }

    fn fit(&mut self, _seen: Magnitudes, _fit: &BoundFit) {}

    fn range_checks(&self) -> Vec<RequantOp> {
        Vec::new()
    }

    fn macs(&self) -> usize {
        0
    }
}
