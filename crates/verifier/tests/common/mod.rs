//! Shared helpers for the EVM tests: toy proofs made with the Keccak transcript.
#![allow(dead_code, clippy::unwrap_used)]

use halo2_axiom::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_axiom::plonk::{create_proof, keygen_pk, keygen_vk, VerifyingKey};
use halo2_axiom::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_axiom::poly::kzg::multiopen::ProverSHPLONK;
use halo2_axiom::transcript::{Challenge255, TranscriptWriterBuffer};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkinfer_verifier::testing::ToyCircuit;
use zkinfer_verifier::EvmTranscript;

/// Params, vk, proof and instances of `ToyCircuit::new(rows)` at size `2^k`.
pub fn toy_proof(k: u32, rows: usize) -> (ParamsKZG<Bn256>, VerifyingKey<G1Affine>, Vec<u8>, Vec<Fr>) {
    let params = ParamsKZG::<Bn256>::setup(k, ChaCha20Rng::seed_from_u64(u64::from(k)));
    let circuit = ToyCircuit::new(rows);
    let vk = keygen_vk(&params, &circuit).unwrap();
    let pk = keygen_pk(&params, vk.clone(), &circuit).unwrap();
    let instances = circuit.instances();
    let mut transcript = EvmTranscript::<Vec<u8>>::init(Vec::new());
    create_proof::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _, _>(
        &params,
        &pk,
        &[circuit],
        &[&[&instances]],
        ChaCha20Rng::seed_from_u64(5),
        &mut transcript,
    )
    .unwrap();
    let proof = TranscriptWriterBuffer::<_, G1Affine, Challenge255<G1Affine>>::finalize(transcript);
    (params, vk, proof, instances)
}

pub mod shape;

/// Params, vk and a Keccak-transcript SHPLONK proof of any circuit.
pub fn prove_circuit<C: halo2_axiom::plonk::Circuit<Fr> + Clone>(
    k: u32,
    circuit: &C,
    instances: &[Fr],
) -> (ParamsKZG<Bn256>, VerifyingKey<G1Affine>, Vec<u8>) {
    let params = ParamsKZG::<Bn256>::setup(k, ChaCha20Rng::seed_from_u64(u64::from(k) + 100));
    let vk = keygen_vk(&params, circuit).unwrap();
    let pk = keygen_pk(&params, vk.clone(), circuit).unwrap();
    let mut transcript = EvmTranscript::<Vec<u8>>::init(Vec::new());
    create_proof::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _, _>(
        &params,
        &pk,
        std::slice::from_ref(circuit),
        &[&[instances]],
        ChaCha20Rng::seed_from_u64(6),
        &mut transcript,
    )
    .unwrap();
    let proof = TranscriptWriterBuffer::<_, G1Affine, Challenge255<G1Affine>>::finalize(transcript);
    (params, vk, proof)
}
