//! Proving with SHPLONK and the Keccak EVM transcript, on the CPU or (with the `cuda` feature)
//! the GPU: both write the same proof format.

use std::io::Write;

use halo2_axiom::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_axiom::plonk::{create_proof, Circuit, ProvingKey};
use halo2_axiom::poly::commitment::Params;
use halo2_axiom::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_axiom::poly::kzg::multiopen::ProverSHPLONK;
use halo2_axiom::transcript::TranscriptWriterBuffer;
use rand::rngs::OsRng;
use zkinfer_verifier::EvmTranscript;

use crate::{Backend, ProveError};

/// Proves `circuit` (with its witness) against the public `instances` of its single instance
/// column, and returns the proof bytes (verifiable with `zkinfer_verifier::verify` and by the
/// Solidity verifier, which replays the same Keccak transcript).
///
/// `params` must be the SRS the proving key was generated with. A witness that does not satisfy
/// the circuit still yields bytes (halo2 does not check), but they will not verify: check with
/// `MockProver` when debugging a circuit.
pub fn prove<C: Circuit<Fr>>(
    params: &ParamsKZG<Bn256>,
    pk: &ProvingKey<G1Affine>,
    circuit: &C,
    instances: &[Fr],
) -> Result<Vec<u8>, ProveError> {
    prove_on(Backend::Cpu, params, pk, circuit, instances)
}

/// [`prove`] on `backend`. [`Backend::Cuda`] needs a `--features cuda` build and a GPU; it
/// reports [`ProveError::BackendUnavailable`] otherwise (never falls back to the CPU).
pub fn prove_on<C: Circuit<Fr>>(
    backend: Backend,
    params: &ParamsKZG<Bn256>,
    pk: &ProvingKey<G1Affine>,
    circuit: &C,
    instances: &[Fr],
) -> Result<Vec<u8>, ProveError> {
    prove_into(backend, params, pk, circuit, instances, Vec::new())
}

/// [`prove_on`], writing the proof into `sink` (which sees each commitment and evaluation as the
/// transcript absorbs it: [`crate::profile`] times the phases this way).
pub(crate) fn prove_into<C: Circuit<Fr>, W: Write>(
    backend: Backend,
    params: &ParamsKZG<Bn256>,
    pk: &ProvingKey<G1Affine>,
    circuit: &C,
    instances: &[Fr],
    sink: W,
) -> Result<W, ProveError> {
    let vk = pk.get_vk();
    let key_k = vk.get_domain().k();
    let _span =
        tracing::info_span!("prove", k = key_k, instances = instances.len(), backend = backend.name()).entered();
    backend.select()?;
    if params.k() != key_k {
        return Err(ProveError::SrsMismatch { srs_k: params.k(), key_k });
    }
    let cs = vk.cs();
    if cs.num_instance_columns() != 1 {
        return Err(ProveError::InstanceColumns { found: cs.num_instance_columns() });
    }
    let max = (1usize << key_k).saturating_sub(cs.blinding_factors() + 1);
    if instances.len() > max {
        return Err(ProveError::TooManyInstances { got: instances.len(), max, k: key_k });
    }
    let mut transcript = EvmTranscript::<W>::init(sink);
    match backend {
        Backend::Cpu => create_proof::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _, _>(
            params,
            pk,
            std::slice::from_ref(circuit),
            &[&[instances]],
            OsRng,
            &mut transcript,
        )
        .map_err(|e| ProveError::from_halo2("prove", e))?,
        Backend::Cuda => crate::gpu::create_proof_into(params, pk, circuit, instances, &mut transcript)?,
    }
    Ok(transcript.finalize())
}
