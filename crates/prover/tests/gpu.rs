//! The GPU prover (`--features cuda`): its proofs must verify with the CPU verifier and be the
//! same size as the CPU prover's, phases and all.
//!
//! Needs an NVIDIA GPU, so ignored by default: on a GPU host,
//! `cargo test -p zkinfer-prover --features cuda --test gpu -- --ignored` (README, "GPU").
//! Without the feature this file is empty.
#![cfg(feature = "cuda")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use halo2_axiom::halo2curves::bn256::Fr;
use halo2_axiom::halo2curves::ff::Field;
use zkinfer_prover::{prove, prove_on, prove_profiled_on, Backend, ProverError};
use zkinfer_verifier::testing::ToyCircuit;
use zkinfer_verifier::{verify, VerifyError};

#[test]
#[ignore = "needs an NVIDIA GPU"]
fn gpu_proof_verifies_and_matches_the_cpu_proof_size() {
    Backend::Cuda.select().expect("a CUDA device");
    let params = common::params(common::K);
    let circuit = ToyCircuit::new(4);
    let (pk, vk) = common::keys(&params, &circuit);
    let vk = common::circuit_key(&vk, &circuit);
    let instances = circuit.instances();
    let gpu = prove_on(Backend::Cuda, &params, &pk, &circuit, &instances).unwrap();
    verify(&params, &vk, &gpu, &instances).unwrap();
    let cpu = prove(&params, &pk, &circuit, &instances).unwrap();
    assert_eq!(gpu.len(), cpu.len());

    let mut changed = instances.clone();
    changed[0] += Fr::ONE;
    assert!(matches!(verify(&params, &vk, &gpu, &changed), Err(VerifyError::Rejected)));

    let (profiled, phases) = prove_profiled_on(Backend::Cuda, &params, &pk, &circuit, &instances).unwrap();
    verify(&params, &vk, &profiled, &instances).unwrap();
    assert!(phases.total > std::time::Duration::ZERO);
}

#[test]
#[ignore = "needs an NVIDIA GPU"]
fn gpu_prover_rejects_what_the_cpu_prover_rejects() {
    Backend::Cuda.select().expect("a CUDA device");
    let params = common::params(common::K);
    let circuit = ToyCircuit::new(4);
    let (pk, _) = common::keys(&params, &circuit);
    let small = common::params(common::K - 1);
    let err = prove_on(Backend::Cuda, &small, &pk, &circuit, &circuit.instances()).unwrap_err();
    assert!(matches!(err, ProverError::SrsMismatch { .. }), "{err}");
}
