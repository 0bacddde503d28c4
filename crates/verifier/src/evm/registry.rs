//! The calldata of `examples/ModelRegistry.sol` (models with hashed parameters, by model id,
//! each with its verifier and owner; `verify(modelId, proof, instances)` accepts a proof only
//! when the model's verifier does and instance 0 is the id).

use halo2_axiom::halo2curves::bn256::Fr;
use revm::primitives::Address;
use sha3::{Digest, Keccak256};

use super::calldata::{encode_calldata, fr_to_word};

fn selector(signature: &str) -> [u8; 4] {
    let hash = Keccak256::digest(signature.as_bytes());
    [hash[0], hash[1], hash[2], hash[3]]
}

fn word(v: usize) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[24..].copy_from_slice(&(v as u64).to_be_bytes());
    w
}

/// Calldata for `register(uint256 modelId, address verifier, string uri)`.
pub fn register_calldata(model_id: &Fr, verifier: Address, uri: &str) -> Vec<u8> {
    let mut out = selector("register(uint256,address,string)").to_vec();
    out.extend_from_slice(&fr_to_word(model_id));
    out.extend_from_slice(&[0u8; 12]);
    out.extend_from_slice(verifier.as_slice());
    out.extend_from_slice(&word(0x60));
    out.extend_from_slice(&word(uri.len()));
    out.extend_from_slice(uri.as_bytes());
    out.resize(out.len() + uri.len().next_multiple_of(32) - uri.len(), 0);
    out
}

/// Calldata for `modelId()`, which `ZkinferVerifier` answers with the model id its key pins
/// (0 when it pins none).
pub fn model_id_calldata() -> Vec<u8> {
    selector("modelId()").to_vec()
}

/// Calldata for `verify(uint256 modelId, bytes proof, uint256[] instances)`: the verifier's own
/// `verifyProof` arguments ([`encode_calldata`]) after the id, their offsets moved by its word.
pub fn verify_calldata(model_id: &Fr, proof: &[u8], instances: &[Fr]) -> Vec<u8> {
    let inner = encode_calldata(proof, instances);
    let (offsets, tail) = inner[4..].split_at(64);
    let mut out = selector("verify(uint256,bytes,uint256[])").to_vec();
    out.extend_from_slice(&fr_to_word(model_id));
    for offset in offsets.chunks(32) {
        let mut w = [0u8; 32];
        w.copy_from_slice(offset);
        let moved = u64::from_be_bytes(w[24..].try_into().unwrap_or_default()) + 32;
        w[24..].copy_from_slice(&moved.to_be_bytes());
        out.extend_from_slice(&w);
    }
    out.extend_from_slice(tail);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_calldata_moves_the_offsets_past_the_id() {
        let data = verify_calldata(&Fr::from(7), &[1, 2, 3], &[Fr::from(7), Fr::from(9)]);
        assert_eq!(&data[..4], &selector("verify(uint256,bytes,uint256[])"));
        assert_eq!(data[4 + 31], 7);
        assert_eq!(&data[36..68], &word(0x60));
        // The proof: a length word and one padded word; the instances follow.
        assert_eq!(&data[68..100], &word(0x60 + 64));
        assert_eq!(&data[100..132], &word(3));
        assert_eq!(data.len(), 4 + 32 * 3 + 64 + 32 * 3);
    }

    #[test]
    fn register_calldata_pads_the_uri() {
        let data = register_calldata(&Fr::from(1), Address::repeat_byte(0xab), "ipfs://x");
        assert_eq!(data.len(), 4 + 32 * 3 + 32 + 32);
        assert_eq!(&data[4 + 64..4 + 96], &word(0x60));
        assert_eq!(&data[4 + 128..4 + 136], b"ipfs://x");
    }
}
