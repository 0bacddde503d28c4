//! What hashed parameters hash: the model's weights packed several to a field element, then its
//! biases one per element (then the salt, which the proof system appends).
//!
//! A weight `w` is packed as the unsigned `u = w + 2^(B-1)` with `B` = [`PACK_BITS`]; the circuit
//! range-checks `w` to `[-2^(B-1), 2^(B-1))`, so `u` is one of `0..2^B`. Consecutive weights (in
//! [`QGraph::param_values`] order, biases left out) are grouped [`PACK_PER_ELEMENT`] at a time,
//! and a group `u_0, …, u_(g-1)` becomes the field element `Σ u_i · 2^(B·(g-1-i))` (Horner: the
//! first weight is the most significant). Every group is below `2^(14·18) = 2^252`, under the
//! BN254 scalar modulus, so the packing is injective as a map into the field, not only over
//! the integers. Biases are wider (they carry the input's scale too) and are hashed one per
//! element, as integers.

use super::{QGraph, QOp};

/// Bits of a packed weight, sign included: the quantizer's default `weight_bits`.
pub const PACK_BITS: u32 = 18;

/// Weights per packed field element: `14 · 18 = 252` bits, below the modulus (`> 2^253`).
pub const PACK_PER_ELEMENT: usize = 14;

/// The offset that makes a packed weight unsigned: `2^(B-1)`.
pub const PACK_OFFSET: i64 = 1 << (PACK_BITS - 1);

/// The parameters of a graph in hashing order: the packed weights and the biases.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParamMessage {
    /// Every parameter weight, node by node, channel-major.
    pub weights: Vec<i64>,
    /// Every parameter bias, node by node.
    pub biases: Vec<i64>,
}

impl ParamMessage {
    /// The weights in groups of [`PACK_PER_ELEMENT`] (the last one may be shorter).
    pub fn weight_groups(&self) -> std::slice::Chunks<'_, i64> {
        self.weights.chunks(PACK_PER_ELEMENT)
    }

    /// Field elements hashed (the salt not counted): one per weight group, one per bias.
    pub fn len(&self) -> usize {
        self.weights.len().div_ceil(PACK_PER_ELEMENT) + self.biases.len()
    }

    /// No parameter at all.
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty() && self.biases.is_empty()
    }
}

/// Whether a weight fits the packing: `-2^(B-1) <= w < 2^(B-1)`.
pub fn packable(w: i64) -> bool {
    (-PACK_OFFSET..PACK_OFFSET).contains(&w)
}

impl QGraph {
    /// Every run of model parameters, node by node: `(node index, is_bias, values)`, a Linear's
    /// weights before its bias. The one definition of the parameters' order: the
    /// [`ParamMessage`] and every proof system's parameter witnesses follow it.
    pub fn param_slices(&self) -> impl Iterator<Item = (usize, bool, &[i64])> + '_ {
        self.nodes.iter().enumerate().flat_map(|(k, n)| {
            let op = match &n.op {
                QOp::Linear(op) => Some(op),
                _ => None,
            };
            let weight = op.filter(|op| op.params.is_param(false)).map(|op| (k, false, op.weight.as_slice()));
            let bias = op.filter(|op| op.params.is_param(true)).map(|op| (k, true, op.bias.as_slice()));
            weight.into_iter().chain(bias)
        })
    }

    /// The parameters as hashed parameters hash them ([`ParamMessage`]).
    pub fn param_message(&self) -> ParamMessage {
        let mut m = ParamMessage::default();
        for (_, bias, values) in self.param_slices() {
            if bias { &mut m.biases } else { &mut m.weights }.extend_from_slice(values);
        }
        m
    }

    /// The first parameter weight the packing cannot hold: (node name, value).
    pub fn unpackable_weight(&self) -> Option<(&str, i64)> {
        self.nodes.iter().find_map(|n| match &n.op {
            QOp::Linear(op) if op.params.is_param(false) => {
                op.weight.iter().find(|&&w| !packable(w)).map(|&w| (n.name.as_str(), w))
            }
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pack_fits_below_the_modulus() {
        // BN254's scalar modulus is above 2^253.
        assert!(PACK_BITS as usize * PACK_PER_ELEMENT <= 253);
        assert!(packable(PACK_OFFSET - 1) && packable(-PACK_OFFSET));
        assert!(!packable(PACK_OFFSET) && !packable(-PACK_OFFSET - 1));
    }

    #[test]
    fn message_counts_groups_and_biases() {
        let m = ParamMessage { weights: vec![1; 29], biases: vec![2; 3] };
        assert_eq!(m.weight_groups().map(<[i64]>::len).collect::<Vec<_>>(), vec![14, 14, 1]);
        assert_eq!(m.len(), 6);
    }
}
