//! keygen → prove → verify on the toy circuit, and every rejection the verifier must make.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use halo2_axiom::halo2curves::bn256::Fr;
use halo2_axiom::halo2curves::ff::Field;
use zkinfer_prover::{keygen, prove, ProverError};
use zkinfer_verifier::testing::ToyCircuit;
use zkinfer_verifier::{verify, VerifyError};

#[test]
fn toy_proof_is_accepted_and_tampering_rejected() {
    let params = common::params(common::K);
    let circuit = ToyCircuit::new(4);
    let (pk, vk) = common::keys(&params, &circuit);
    let instances = circuit.instances();
    let proof = prove(&params, &pk, &circuit, &instances).unwrap();
    eprintln!("toy circuit proof: {} bytes", proof.len());
    verify(&params, &vk, &proof, &instances).unwrap();

    for pos in [0, 1, 40, 64, 100, proof.len() / 2, proof.len() - 65, proof.len() - 1] {
        let mut bad = proof.clone();
        bad[pos] ^= 0x80;
        let err = verify(&params, &vk, &bad, &instances).unwrap_err();
        assert!(matches!(err, VerifyError::Rejected | VerifyError::Malformed(_)), "flipped byte {pos}: {err:?}");
    }
    let mut changed = instances.clone();
    changed[0] += Fr::ONE;
    assert!(matches!(verify(&params, &vk, &proof, &changed), Err(VerifyError::Rejected)));
    for cut in [1, 32, proof.len() / 2] {
        let err = verify(&params, &vk, &proof[..proof.len() - cut], &instances).unwrap_err();
        assert!(matches!(err, VerifyError::Truncated(_)), "cut {cut}: {err:?}");
    }
    let mut trailing = proof.clone();
    trailing.push(0x00);
    assert!(matches!(verify(&params, &vk, &trailing, &instances), Err(VerifyError::TrailingBytes { extra: 1 })));
}

#[test]
fn wrong_witness_gives_a_proof_that_does_not_verify() {
    let params = common::params(common::K);
    let circuit = ToyCircuit::new(2);
    let (pk, vk) = common::keys(&params, &circuit);
    let mut wrong = circuit.instances();
    wrong[1] = Fr::from(1234);
    // halo2 does not check the witness while proving; the proof must fail verification.
    let proof = prove(&params, &pk, &circuit, &wrong).unwrap();
    assert!(matches!(verify(&params, &vk, &proof, &wrong), Err(VerifyError::Rejected)));
}

#[test]
fn structured_prover_errors() {
    // 80 products cannot fit in 2^6 rows.
    let params = common::params(common::K);
    let big = ToyCircuit::new(80);
    let err = keygen(&params, &big).unwrap_err();
    assert!(matches!(err, ProverError::NotEnoughRows { k: 6, .. }), "{err:?}");
    assert!(err.to_string().contains("larger k"), "{err}");

    let circuit = ToyCircuit::new(2);
    let (pk, _) = common::keys(&params, &circuit);
    let other = common::params(common::K + 1);
    assert!(matches!(
        prove(&other, &pk, &circuit, &circuit.instances()),
        Err(ProverError::SrsMismatch { srs_k: 7, key_k: 6 })
    ));
    let too_many = vec![Fr::ONE; 64];
    assert!(matches!(prove(&params, &pk, &circuit, &too_many), Err(ProverError::TooManyInstances { got: 64, .. })));
}
