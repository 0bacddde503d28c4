//! The statement packed: several bounded public values in one field element, so that a
//! classifier's ten logits cost the Groth16 verifier one public input (about 6.2k gas for its
//! `ecMul` and `ecAdd`) instead of ten.
//!
//! A value `v` of a segment with width `w` is stored as `v + 2^(w-1)`, which the system
//! range-checks into `[0, 2^w)`; word `k` of the segment holds values `k·m … k·m + m - 1` (with
//! `m = ⌊252 / w⌋`), value `k·m + i` at bits `[w·i, w·(i+1))`:
//!
//! ```text
//! word = Σ_i (v_{k·m+i} + 2^(w-1)) · 2^(w·i)
//! ```
//!
//! Every slot is below `2^w`, so the sum is below `2^252 < p` and no two tuples of values give
//! the same field element: the word determines each value. To read value `i` back (the example
//! consumer contract does this in Solidity): `((word >> (w·i)) & (2^w - 1)) - 2^(w-1)`.
//!
//! A segment is packed when its values carry a bound the graph proves and the packing can
//! restate: an input's calibrated range check (`|x| < 2^bits`, so `w = bits + 1`) or an output
//! that a rescale produces (`-2^bits ≤ q < 2^bits`, so `w = bits + 1`). Any other public value
//! keeps one word of its own (`width` 0), as an integer in the field.

use ark_bn254::Fr;
use ark_ff::{BigInteger, Field, PrimeField};
use serde::{Deserialize, Serialize};
use zkinfer_graph::{InstanceLayout, InstanceRole, QGraph, QOp, TensorId};

use crate::system::{int, to_int};
use crate::R1csError;

/// Bits of a field element a word fills at most: `2^252 < p`, so a word never wraps.
pub const WORD_BITS: u32 = 252;

/// One public input or output and how its values sit in the statement's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackedSegment {
    /// Input or output.
    pub role: InstanceRole,
    /// Which input or output of the model (in graph order).
    pub index: usize,
    /// The tensor whose values these are.
    pub tensor: TensorId,
    /// Number of values.
    pub len: usize,
    /// Bits per value (`v + 2^(width-1)` lies in `[0, 2^width)`); 0 when the values are not
    /// packed (one word each, the value itself).
    pub width: u32,
    /// The one value is the Poseidon hash of the tensor's values (hashed visibility), a field
    /// element rather than an integer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hashed: bool,
}

impl PackedSegment {
    /// Values per word.
    pub fn per_word(&self) -> usize {
        WORD_BITS.checked_div(self.width).map_or(1, |m| m as usize)
    }

    /// Number of words.
    pub fn words(&self) -> usize {
        self.len.div_ceil(self.per_word())
    }

    /// `2^(width-1)`, the offset that makes a value non-negative.
    pub fn offset(&self) -> i128 {
        1i128 << (self.width - 1)
    }

    /// The weight of value `i`'s slot in its word, `2^(width·(i mod per_word))`.
    pub fn slot(&self, i: usize) -> Fr {
        Fr::from(2u8).pow([u64::from(self.width) * (i % self.per_word()) as u64])
    }
}

/// How the statement's public values become its field elements: the segments in
/// [`InstanceLayout`] order (public inputs, then public outputs), each packed or not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Packing {
    /// The segments, in statement order.
    pub segments: Vec<PackedSegment>,
}

impl Packing {
    /// The packing of `q`'s statement. A hashed input or output, and the model id of hashed
    /// parameters, is one word: its Poseidon hash.
    pub fn of(q: &QGraph) -> Result<Self, R1csError> {
        let layout = InstanceLayout::of(q);
        let mut segments = Vec::new();
        for s in &layout.segments {
            let width = match s.role {
                _ if s.hashed => 0,
                InstanceRole::Params => 0,
                InstanceRole::Input => q.inputs.get(s.index).map_or(0, |spec| spec.bits + 1),
                _ => match q.nodes.iter().find(|n| n.output == s.tensor).map(|n| &n.op) {
                    Some(QOp::Requant(op)) => op.bits + 1,
                    _ => 0,
                },
            };
            // A width of 64 or more holds values an i128 offset cannot; such values stay whole.
            let width = if width >= 64 { 0 } else { width };
            let (role, index, tensor, len, hashed) = (s.role, s.index, s.tensor, s.len, s.hashed);
            segments.push(PackedSegment { role, index, tensor, len, width, hashed });
        }
        Ok(Self { segments })
    }

    /// Number of public values (before packing).
    pub fn values(&self) -> usize {
        self.segments.iter().map(|s| s.len).sum()
    }

    /// Number of words: the statement's public inputs.
    pub fn words(&self) -> usize {
        self.segments.iter().map(PackedSegment::words).sum()
    }

    /// The words of the public values `values` (in statement order; an integer `v` as the field
    /// element `v mod p`, a hash as itself), or why they cannot be the statement of this packing
    /// (a wrong count, a value outside its width).
    pub fn pack(&self, values: &[Fr]) -> Result<Vec<Fr>, R1csError> {
        if values.len() != self.values() {
            return Err(R1csError::InstanceCount { expected: self.values(), got: values.len() });
        }
        let mut words = Vec::with_capacity(self.words());
        let mut rest = values;
        for s in &self.segments {
            let (mine, tail) = rest.split_at(s.len);
            rest = tail;
            if s.width == 0 {
                words.extend_from_slice(mine);
                continue;
            }
            for (k, chunk) in mine.chunks(s.per_word()).enumerate() {
                let mut word = Fr::from(0u8);
                for (i, &v) in chunk.iter().enumerate() {
                    let t =
                        to_int(v).and_then(|v| v.checked_add(s.offset())).filter(|t| (0..1i128 << s.width).contains(t));
                    let t = t.ok_or_else(|| {
                        R1csError::Invalid(format!(
                            "{:?} {} value {} is {}, outside the {}-bit range the statement packs",
                            s.role,
                            s.index,
                            k * s.per_word() + i,
                            to_int(v).map_or_else(|| v.to_string(), |v| v.to_string()),
                            s.width
                        ))
                    })?;
                    word += int::<Fr>(t) * s.slot(i);
                }
                words.push(word);
            }
        }
        Ok(words)
    }

    /// The public values in `words` (the inverse of [`Packing::pack`]), or why `words` is no
    /// statement of this packing (a wrong count, a word above its slots, an unpacked word that is
    /// no small integer where no hash is).
    pub fn unpack(&self, words: &[Fr]) -> Result<Vec<Fr>, R1csError> {
        if words.len() != self.words() {
            return Err(R1csError::InstanceCount { expected: self.words(), got: words.len() });
        }
        let mut values = Vec::with_capacity(self.values());
        let mut rest = words;
        for s in &self.segments {
            let (mine, tail) = rest.split_at(s.words());
            rest = tail;
            let bad =
                |k: usize| R1csError::Invalid(format!("word {k} of {:?} {} is no packed statement", s.role, s.index));
            for (k, word) in mine.iter().enumerate() {
                if s.width == 0 {
                    if !s.hashed && to_int(*word).is_none() {
                        return Err(bad(k));
                    }
                    values.push(*word);
                    continue;
                }
                let here = (s.len - k * s.per_word()).min(s.per_word());
                let bits = word.into_bigint().to_bits_le();
                if bits.iter().skip(s.width as usize * here).any(|&b| b) {
                    return Err(bad(k));
                }
                for i in 0..here {
                    let slot = &bits[s.width as usize * i..s.width as usize * (i + 1)];
                    let t = slot.iter().rev().fold(0i128, |t, &b| (t << 1) | i128::from(b));
                    values.push(int(t - s.offset()));
                }
            }
        }
        Ok(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fe(values: &[i128]) -> Vec<Fr> {
        values.iter().map(|&v| int(v)).collect()
    }

    fn packing(widths: &[(usize, u32)]) -> Packing {
        let segments = widths
            .iter()
            .enumerate()
            .map(|(index, &(len, width))| PackedSegment {
                role: InstanceRole::Output,
                index,
                tensor: index,
                len,
                width,
                hashed: false,
            })
            .collect();
        Packing { segments }
    }

    #[test]
    fn pack_and_unpack_are_inverse_at_the_edges_of_each_width() {
        let p = packing(&[(30, 20), (3, 0), (5, 63)]);
        assert_eq!(p.words(), 3 + 3 + 2, "12 values of 20 bits per word, 4 of 63");
        let mut values: Vec<i128> = (0..30).map(|i| if i % 2 == 0 { -(1 << 19) } else { (1 << 19) - 1 - i }).collect();
        values.extend([-5, 0, i128::from(i64::MAX)]);
        values.extend([-(1 << 62), (1 << 62) - 1, 0, -1, 1]);
        let words = p.pack(&fe(&values)).unwrap();
        assert_eq!(p.unpack(&words).unwrap(), fe(&values));
        // Every packed word stays below 2^252.
        assert!(words[..3].iter().chain(&words[6..]).all(|w| w.into_bigint().num_bits() <= WORD_BITS));
    }

    #[test]
    fn a_value_outside_its_width_and_a_word_above_its_slots_are_refused() {
        let p = packing(&[(3, 20)]);
        for v in [1 << 19, -(1 << 19) - 1] {
            let e = p.pack(&fe(&[0, v, 0])).unwrap_err().to_string();
            assert!(e.contains(&format!("value 1 is {v},")), "{e}");
        }
        assert!(matches!(p.pack(&fe(&[0, 0])), Err(R1csError::InstanceCount { expected: 3, got: 2 })));
        let word = p.pack(&fe(&[1, 2, 3])).unwrap()[0];
        assert!(p.unpack(&[word + Fr::from(2u8).pow([60])]).is_err(), "a bit above the three slots");
        assert!(p.unpack(&[word, word]).is_err());
    }

    #[test]
    fn a_hash_is_a_word_of_its_own_and_need_not_be_an_integer() {
        let mut p = packing(&[(1, 0), (1, 0)]);
        p.segments[0].hashed = true;
        let hash = Fr::from(3u8).pow([200]);
        let words = p.pack(&[hash, int(-4)]).unwrap();
        assert_eq!(words, [hash, int(-4)]);
        assert_eq!(p.unpack(&words).unwrap(), words);
        assert!(p.unpack(&[hash, hash]).is_err(), "an integer word is no hash");
    }
}
