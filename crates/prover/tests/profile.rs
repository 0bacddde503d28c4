//! Phase-timed proving and the kernel floor, on the toy circuit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use zkinfer_prover::kernels::{FloorShape, Kernel, Kernels};
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
    verify(&params, &common::circuit_key(&vk, &circuit), &proof, &instances).unwrap();

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
    let layout = zkinfer_verifier::evm::plan::plan_verifier(&common::circuit_key(&vk, &circuit)).unwrap();
    // The proof is its commitments (64 bytes each) and its evaluations (32 bytes each).
    assert_eq!(proof.len(), shape.commitments() * 64 + layout.num_evals * 32);
    assert_eq!(shape.k, common::K);
    // The three advice columns (a, b, c) and the lookup's two permuted columns hold witness values.
    assert_eq!(shape.small_msms, 3 + 2);
    // 3 advice + instance + 3 for the lookup + 1 permutation product, each on at least 2
    // cosets: more FFTs than witness polynomials.
    assert!(shape.ffts > 8, "{shape:?}");
    let unit = |kernel| match kernel {
        Kernel::Msm => Duration::from_millis(1),
        Kernel::SmallMsm => Duration::from_micros(10),
        Kernel::Fft => Duration::from_micros(1),
    };
    assert_eq!(
        shape.time(unit),
        Duration::from_millis(shape.msms as u64)
            + Duration::from_micros(10 * shape.small_msms as u64 + shape.ffts as u64)
    );
}

#[test]
fn kernels_time_valid_sizes_and_refuse_others() {
    let mut kernels = Kernels::new();
    for kernel in [Kernel::Msm, Kernel::SmallMsm, Kernel::Fft] {
        assert!(kernels.time(kernel, 4).unwrap() > Duration::ZERO, "{kernel:?}");
        assert!(kernels.once(kernel, 5).unwrap() > Duration::ZERO, "{kernel:?}");
        for k in [0, MAX_K + 1] {
            assert!(matches!(kernels.time(kernel, k), Err(ProverError::InvalidK { .. })), "{kernel:?} k = {k}");
        }
    }
}
