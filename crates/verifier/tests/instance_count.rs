//! The exact instance count is part of the key ([`CircuitKey`]): proofs made against one more
//! instance (on a row no constraint reads) or one fewer (a constrained row that is zero, left
//! out) pass halo2's own verifier, and must fail the native verifier, the plan's reference and
//! the Solidity verifier. So must a proof whose pinned instance (the model id) is not the key's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::shape::{Shape, ShapeCircuit};
use halo2_axiom::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_axiom::plonk::{verify_proof, VerifyingKey};
use halo2_axiom::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_axiom::poly::kzg::multiopen::VerifierSHPLONK;
use halo2_axiom::poly::kzg::strategy::SingleStrategy;
use zkinfer_verifier::evm::plan::plan_verifier;
use zkinfer_verifier::evm::solidity::{deploy, srs_points, vk_runtime, VERIFIER_SOL};
use zkinfer_verifier::evm::{compile, encode_calldata, find_solc, reference, Evm};
use zkinfer_verifier::{verify, CircuitKey, EvmTranscript, VerifyError};

const K: u32 = 6;

/// halo2's verifier alone, which takes any number of instances up to the usable rows.
fn halo2_accepts(params: &ParamsKZG<Bn256>, vk: &VerifyingKey<G1Affine>, proof: &[u8], instances: &[Fr]) -> bool {
    let mut transcript = EvmTranscript::new(proof);
    verify_proof::<KZGCommitmentScheme<Bn256>, VerifierSHPLONK<'_, Bn256>, _, _, _>(
        params,
        vk,
        SingleStrategy::new(params),
        &[&[instances]],
        &mut transcript,
    )
    .is_ok()
}

/// `verifyProof`'s verdict for a key of `expected` instances; `None` without a compiler (with
/// `ZKINFER_SKIP_EVM` set).
fn evm_verdict(params: &ParamsKZG<Bn256>, key: &CircuitKey<'_>, proof: &[u8], instances: &[Fr]) -> Option<bool> {
    let solc = match find_solc(None) {
        Ok(p) => p,
        Err(e) if std::env::var_os("ZKINFER_SKIP_EVM").is_some() => {
            eprintln!("EVM part skipped: {e}");
            return None;
        }
        Err(e) => panic!("{e}"),
    };
    let verifier = compile(&solc, &[("Verifier.sol", VERIFIER_SOL)], "Verifier.sol", "ZkinferVerifier").unwrap();
    let mut evm = Evm::new();
    let d = deploy(&mut evm, &verifier, &vk_runtime(params, key).unwrap()).unwrap();
    let out = evm.call(d.verifier, encode_calldata(proof, instances)).unwrap();
    // A wrong count is an invalid input: a clean `false`, not a revert.
    assert!(out.success && out.output.len() == 32, "{out:?}");
    Some(out.returned_true())
}

/// Every verifier's verdict on (proof, instances) for a key of `expected` instances.
fn verdicts(
    params: &ParamsKZG<Bn256>,
    vk: &VerifyingKey<G1Affine>,
    expected: usize,
    proof: &[u8],
    instances: &[Fr],
) -> (Result<(), VerifyError>, bool, Option<bool>) {
    let key = CircuitKey::new(vk, expected).unwrap();
    let native = verify(params, &key, proof, instances);
    let reference = reference::verify(&plan_verifier(&key).unwrap(), &srs_points(params), proof, instances);
    (native, reference, evm_verdict(params, &key, proof, instances))
}

#[test]
fn one_more_instance_than_the_key_is_rejected() {
    let circuit = ShapeCircuit(Shape { advice: 2, lookups: 1, rows: 6, instances: 3 });
    let honest = circuit.instances();
    let (params, vk, proof) = common::prove_circuit(K, &circuit, &honest);
    let (native, reference, evm) = verdicts(&params, &vk, 3, &proof, &honest);
    assert!(native.is_ok() && reference && evm != Some(false), "honest: {native:?} {reference} {evm:?}");

    // A valid proof whose fourth instance sits on a row no constraint reads.
    let mut extra = honest.clone();
    extra.push(Fr::from(99));
    let (_, _, forged) = common::prove_circuit(K, &circuit, &extra);
    assert!(halo2_accepts(&params, &vk, &forged, &extra), "halo2 alone accepts the extra instance");
    let (native, reference, evm) = verdicts(&params, &vk, 3, &forged, &extra);
    assert!(matches!(native, Err(VerifyError::InstanceCount { expected: 3, got: 4 })), "{native:?}");
    assert!(!reference);
    assert_ne!(evm, Some(true));
}

#[test]
fn one_fewer_instance_than_the_key_is_rejected() {
    // The circuit's one public instance is 0: a proof with no instance at all reads it as 0.
    let circuit = ShapeCircuit(Shape { advice: 1, lookups: 0, rows: 4, instances: 1 });
    let honest = circuit.instances();
    assert_eq!(honest, vec![Fr::from(0)]);
    let (params, vk, proof) = common::prove_circuit(K, &circuit, &honest);
    let (native, reference, evm) = verdicts(&params, &vk, 1, &proof, &honest);
    assert!(native.is_ok() && reference && evm != Some(false), "honest: {native:?} {reference} {evm:?}");

    let (_, _, forged) = common::prove_circuit(K, &circuit, &[]);
    assert!(halo2_accepts(&params, &vk, &forged, &[]), "halo2 alone accepts the missing instance");
    let (native, reference, evm) = verdicts(&params, &vk, 1, &forged, &[]);
    assert!(matches!(native, Err(VerifyError::InstanceCount { expected: 1, got: 0 })), "{native:?}");
    assert!(!reference);
    assert_ne!(evm, Some(true));
}

#[test]
fn a_key_cannot_ask_for_more_instances_than_rows() {
    let circuit = ShapeCircuit(Shape { advice: 1, lookups: 0, rows: 4, instances: 1 });
    let (_, vk, _) = common::prove_circuit(K, &circuit, &circuit.instances());
    let max = zkinfer_verifier::usable_rows(&vk);
    assert!(CircuitKey::new(&vk, max).is_ok());
    let err = CircuitKey::new(&vk, max + 1).unwrap_err();
    assert!(matches!(err, VerifyError::TooManyInstances { got, max: m, k: K } if got == max + 1 && m == max), "{err}");
}

/// A key may pin one instance (the model id): a proof valid for halo2 with another value there
/// is rejected by every verifier, and the same proof with the pinned value is accepted.
#[test]
fn a_pinned_instance_accepts_its_value_only() {
    let circuit = ShapeCircuit(Shape { advice: 2, lookups: 1, rows: 6, instances: 3 });
    // A fourth instance on a row no constraint reads: any value gives a valid proof, so only
    // the pin decides.
    let mut instances = circuit.instances();
    instances.push(Fr::from(99));
    let (params, vk, proof) = common::prove_circuit(K, &circuit, &instances);
    for (pinned, expect) in [(Fr::from(99), true), (Fr::from(98), false)] {
        let key = CircuitKey::new(&vk, 4).unwrap().pin(3, pinned).unwrap();
        let native = verify(&params, &key, &proof, &instances);
        let reference = reference::verify(&plan_verifier(&key).unwrap(), &srs_points(&params), &proof, &instances);
        let evm = evm_verdict(&params, &key, &proof, &instances);
        assert_eq!(native.is_ok(), expect, "native, pin {pinned:?}: {native:?}");
        if !expect {
            assert!(matches!(native, Err(VerifyError::PinnedMismatch { index: 3, .. })), "{native:?}");
        }
        assert_eq!(reference, expect, "reference, pin {pinned:?}");
        assert_ne!(evm, Some(!expect), "EVM, pin {pinned:?}");
    }
    let err = CircuitKey::new(&vk, 4).unwrap().pin(4, Fr::from(1)).unwrap_err();
    assert!(matches!(err, VerifyError::PinOutOfRange { index: 4, num_instances: 4 }), "{err}");
}
