//! Hashed inputs and outputs through the whole pipeline: each takes one instance, the
//! Poseidon hash of its quantized values (`zkinfer_circuits::poseidon::hash_values`), which
//! anyone holding the values can recompute; the proof verifies natively and in the EVM (revm
//! under Osaka), and a changed hash is rejected by both.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use halo2_axiom::halo2curves::bn256::Fr;
use zkinfer::{CompileOptions, Error, ParamVisibility, Srs, Visibility, VisibilityConfig};
use zkinfer_circuits::poseidon;
use zkinfer_graph::InstanceRole;
use zkinfer_verifier::evm::solidity::{deploy, VERIFIER_SOL};
use zkinfer_verifier::evm::{compile, encode_calldata, find_solc, Evm};

/// The chain hash computed here, from circom's Poseidon, independently of `hash_instance`.
fn hash_of(values: &[i64]) -> Fr {
    let fe = |v: i64| if v < 0 { -Fr::from(v.unsigned_abs()) } else { Fr::from(v as u64) };
    let mut h = Fr::from(values.len() as u64);
    for chunk in values.chunks(4) {
        let mut block = vec![h];
        block.extend(chunk.iter().map(|&v| fe(v)));
        block.resize(5, Fr::from(0));
        h = poseidon::hash(&block).unwrap();
    }
    h
}

#[test]
fn hashed_input_and_output_verify_natively_and_in_the_evm() {
    let vis = VisibilityConfig::new(Visibility::Hashed, ParamVisibility::Fixed, Visibility::Hashed);
    let (model, compiled) = common::compile("mlp_digits", &CompileOptions { visibility: vis, ..Default::default() });
    let settings = &compiled.settings;
    assert_eq!(settings.num_instances(), 2);
    assert_eq!(settings.instances.range(InstanceRole::Input, 0), Some(0..1));
    assert_eq!(settings.instances.range(InstanceRole::Output, 0), Some(1..2));
    let privacy = settings.privacy().join("\n");
    assert!(privacy.contains("inputs: 'input' hashed: hidden from verifiers"), "{privacy}");

    let input = common::input("mlp_digits", &model);
    let witness = compiled.witness(&input).unwrap();
    let q = &compiled.qgraph;
    let x = &witness.values[q.inputs[0].tensor];
    let y = witness.output(q, 0);
    let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
    let bundle = zkinfer::prove(&compiled, &keys, &input).expect("prove");
    let instances = bundle.instance_values().unwrap();
    assert_eq!(instances, vec![hash_of(x), hash_of(y)], "the instances are the hashes of the values");
    assert_eq!(bundle.instances, [zkinfer::hash_instance(x), zkinfer::hash_instance(y)]);
    assert!(bundle.outputs.is_empty(), "a hashed output is not listed in the proof file");
    let vkeys = keys.verifier();
    zkinfer::verify(&vkeys, &bundle).expect("honest proof verifies");

    // The hash of a neighbouring output (the top class one higher) is rejected.
    let mut other = y.to_vec();
    other[0] += 1;
    let mut forged = bundle.clone();
    forged.instances[1] = zkinfer::hash_instance(&other);
    assert!(matches!(zkinfer::verify(&vkeys, &forged), Err(Error::Verify(_))));

    let Some(solc) = find_solc(None).ok().or_else(|| {
        assert!(std::env::var_os("ZKINFER_SKIP_EVM").is_some(), "solc is missing (bash scripts/test.sh installs it)");
        None
    }) else {
        return;
    };
    let verifier = compile(&solc, &[("Verifier.sol", VERIFIER_SOL)], "Verifier.sol", "ZkinferVerifier").unwrap();
    let proof = bundle.proof_bytes().unwrap();
    let mut evm = Evm::new();
    let d = deploy(&mut evm, &verifier, &vkeys.halo2().unwrap().key_contracts().unwrap()).unwrap();
    let honest = evm.call(d.verifier, encode_calldata(&proof, &instances)).unwrap();
    assert!(honest.returned_true(), "honest proof rejected in the EVM: {honest:?}");
    eprintln!("mlp_digits hashed in and out: k={} gas {}", compiled.circuit().k(), honest.gas_used);
    for i in 0..instances.len() {
        let mut changed = instances.clone();
        changed[i] += Fr::from(1);
        let r = evm.call(d.verifier, encode_calldata(&proof, &changed)).unwrap();
        assert!(!r.returned_true(), "hash {i} changed and accepted in the EVM");
    }
    let r = evm.call(d.verifier, encode_calldata(&proof, &[instances[0]])).unwrap();
    assert!(!r.returned_true(), "one instance fewer accepted in the EVM");
}
