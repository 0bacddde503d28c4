//! `Gather`: pure re-wiring (reshape, flatten, transpose, broadcast, slicing).

use serde::{Deserialize, Serialize};

use super::{operands, Bounded, Fault, Primitive};

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

    fn macs(&self) -> usize {
        0
    }

    fn validate(&self, input_lens: &[usize], output_len: usize) -> Result<(), String> {
        let &[n] = input_lens else { return Err("gather takes one input and one index per output".into()) };
        if self.index.len() != output_len {
            return Err("gather takes one input and one index per output".into());
        }
        if self.index.iter().any(|&j| j as usize >= n) {
            return Err("gather index out of range".into());
        }
        Ok(())
    }

    fn bounds(&self) -> Option<&dyn Bounded> {
        None
    }

    fn bounds_mut(&mut self) -> Option<&mut dyn Bounded> {
        None
    }
}
