//! `Mul`: the elementwise product of two activations.

use serde::{Deserialize, Serialize};

use super::{index_pairs, operands, Bounded, Fault, Primitive};

/// Elementwise product of two activations: `out[i] = a[a_index[i]] * b[b_index[i]]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MulOp {
    /// For each output, the index of its factor in the first input.
    pub a_index: Vec<u32>,
    /// For each output, the index of its factor in the second input.
    pub b_index: Vec<u32>,
}

/// No range check of its own: a `Requant` downstream bounds what it produces.
impl Primitive for MulOp {
    fn eval(&self, inputs: &[&[i64]]) -> Result<Vec<i64>, Fault> {
        let [a, b] = operands(inputs)?;
        self.a_index
            .iter()
            .zip(&self.b_index)
            .map(|(&i, &j)| a[i as usize].checked_mul(b[j as usize]).ok_or(Fault::Overflow))
            .collect()
    }

    fn macs(&self) -> usize {
        self.a_index.len()
    }

    fn validate(&self, input_lens: &[usize], output_len: usize) -> Result<(), String> {
        index_pairs("mul", &self.a_index, &self.b_index, input_lens, output_len)
    }

    fn bounds(&self) -> Option<&dyn Bounded> {
        None
    }

    fn bounds_mut(&mut self) -> Option<&mut dyn Bounded> {
        None
    }
}
