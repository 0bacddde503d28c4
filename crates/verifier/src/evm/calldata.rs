//! ABI encoding of `verifyProof(bytes proof, uint256[] instances)`.
//!
//! Instance order is the circuit's single instance column in row order: for a zkinfer model,
//! the public model inputs (when `--input-visibility public`) first, then the public outputs,
//! row-major, each a field element (a negative fixed-point value `v` is `r - |v|`).

use halo2_axiom::halo2curves::bn256::Fr;
use halo2_axiom::halo2curves::ff::PrimeField;
use sha3::{Digest, Keccak256};

/// Solidity signature of the verifier's entry point.
pub const VERIFY_SIGNATURE: &str = "verifyProof(bytes,uint256[])";

/// The 4-byte function selector of [`VERIFY_SIGNATURE`].
pub fn verify_selector() -> [u8; 4] {
    let hash = Keccak256::digest(VERIFY_SIGNATURE.as_bytes());
    [hash[0], hash[1], hash[2], hash[3]]
}

/// A field element as a 32-byte big-endian word (the `uint256` the EVM sees).
pub fn fr_to_word(v: &Fr) -> [u8; 32] {
    let mut word = [0u8; 32];
    word.copy_from_slice(v.to_repr().as_ref());
    word.reverse();
    word
}

fn usize_word(v: usize) -> [u8; 32] {
    let mut word = [0u8; 32];
    word[24..].copy_from_slice(&(v as u64).to_be_bytes());
    word
}

/// Calldata for `verifyProof(proof, instances)`: selector, two head offsets, the proof as
/// `bytes` (length word, data padded to 32 bytes) and the instances as `uint256[]`.
pub fn encode_calldata(proof: &[u8], instances: &[Fr]) -> Vec<u8> {
    encode_calldata_words(proof, &instances.iter().map(fr_to_word).collect::<Vec<_>>())
}

/// [`encode_calldata`] with the instances already as 32-byte big-endian words (the Groth16
/// verifier's statement, from a crate that does not use halo2's field type).
pub fn encode_calldata_words(proof: &[u8], instances: &[[u8; 32]]) -> Vec<u8> {
    let padded = proof.len().div_ceil(32) * 32;
    let mut out = Vec::with_capacity(4 + 32 * 4 + padded + 32 * instances.len());
    out.extend_from_slice(&verify_selector());
    out.extend_from_slice(&usize_word(0x40));
    out.extend_from_slice(&usize_word(0x40 + 32 + padded));
    out.extend_from_slice(&usize_word(proof.len()));
    out.extend_from_slice(proof);
    out.resize(out.len() + padded - proof.len(), 0);
    out.extend_from_slice(&usize_word(instances.len()));
    for v in instances {
        out.extend_from_slice(v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_is_keccak_of_signature() {
        // keccak256("verifyProof(bytes,uint256[])")[..4], as solc computes it.
        let s = verify_selector();
        assert_eq!(s, [0x1e, 0x8e, 0x1e, 0x13]);
    }

    #[test]
    fn layout_matches_the_abi() {
        let data = encode_calldata(&[0xab; 33], &[Fr::from(5), -Fr::from(1)]);
        assert_eq!(data.len(), 4 + 32 * 3 + 64 + 32 * 3);
        assert_eq!(data[4 + 31], 0x40);
        assert_eq!(data[4 + 63], 0x40 + 32 + 64);
        assert_eq!(data[4 + 95], 33);
        assert_eq!(data[4 + 96..4 + 129], [0xab; 33]);
        assert!(data[4 + 129..4 + 160].iter().all(|&b| b == 0));
        assert_eq!(data[4 + 191], 2);
        assert_eq!(data[4 + 223], 5);
        // r - 1 ends in ...f0000000 (r = 0x30644e72...f0000001).
        assert_eq!(data[4 + 224], 0x30);
        assert_eq!(data[4 + 255], 0x00);
    }
}
