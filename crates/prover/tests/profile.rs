//! Phase-timed proving and the kernel floor, on the toy circuit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use zkinfer_prover::kernels::{FloorShape, Kernels};
use zkinfer_prover::{prove_profiled, ProverError, MAX_K};
use zkinfer_verifier::testing::ToyCircuit;
use zkinfer_verifier::verify;

#[test]
fn profiled_proof_verifies_and_its_phases_add_up() {
    let params = common::params(common::K);
    let circuit = ToyCircuit::new(4);
    let (pk, vk) = common::keys(&params, &circuit);
    let instances = circuit.instances();
    let (proof, phases) = prove_profiled(&params, &pk, &circuit, &instances).unwrap();
    verify(&params, &vk, &proof, &instances).unwrap();

    let sum: Duration = phases.named().iter().map(|(_, t)| *t).sum();
    assert_eq!(sum, phases.total, "{phases:?}");
    // Every phase does work on this circuit (it has advice, a lookup and a permutation).
    for (name, t) in phases.named() {
        assert!(t > Duration::ZERO, "phase {name} took no time: {phases:?}");
    }
}

#[test]
fn floor_shape_counts_every_commitment_in_the_proof() {
    let params = common::params(common::K);
    let circuit = ToyCircuit::new(4);
    let (pk, vk) = common::keys(&params, &circuit);
    let (proof, _) = prove_profiled(&params, &pk, &circuit, &circuit.instances()).unwrap();
    let shape = FloorShape::of(&vk).unwrap();
    let layout = zkinfer_verifier::evm::plan::plan(&vk).unwrap();
    // The proof is its commitments (64 bytes each) and its evaluations (32 bytes each).
    assert_eq!(proof.len(), shape.msms * 64 + layout.num_evals * 32);
    assert_eq!(shape.k, common::K);
    // 2 advice + instance + 3 for the lookup + 1 permutation product, on 2 cosets (degree 3)
    // at least: more FFTs than witness polynomials.
    assert!(shape.ffts > 7, "{shape:?}");
    assert_eq!(
        shape.time(Duration::from_millis(1), Duration::from_micros(1)),
        Duration::from_millis(shape.msms as u64) + Duration::from_micros(shape.ffts as u64)
    );
}

#[test]
fn kernels_time_valid_sizes_and_refuse_others() {
    let mut kernels = Kernels::new();
    assert!(kernels.msm(4).unwrap() > Duration::ZERO);
    assert!(kernels.fft(5).unwrap() > Duration::ZERO);
    for k in [0, MAX_K + 1] {
        assert!(matches!(kernels.msm(k), Err(ProverError::InvalidK { .. })), "k = {k}");
        assert!(matches!(kernels.fft(k), Err(ProverError::InvalidK { .. })), "k = {k}");
    }
}
