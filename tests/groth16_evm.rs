//! The Groth16 Solidity verifier in revm under Osaka (the hard fork mainnet runs): it accepts
//! the honest proof, and refuses a flipped byte, a changed public value, another instance count
//! and another model's proof.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use zkinfer::{groth16, CompileOptions, QGraph};
use zkinfer_verifier::evm::{compile, find_solc, Evm};

fn quantized(name: &str) -> QGraph {
    let model = load(name);
    let samples =
        zkinfer::read_samples(models_dir().join(format!("{name}.calibration.json")), &model).expect("calibration");
    model.quantize(&samples, &CompileOptions::default()).expect("quantizes")
}

#[test]
fn the_groth16_solidity_verifier_accepts_honest_proofs_only() {
    let Some(solc) = find_solc(None).ok().or_else(|| {
        assert!(std::env::var_os("ZKINFER_SKIP_EVM").is_some(), "solc is missing (bash scripts/test.sh installs it)");
        None
    }) else {
        return;
    };
    let q = quantized("mlp_digits");
    let x = input("mlp_digits", &load("mlp_digits"));
    let keys = groth16::setup_dev(&q, 3).expect("setup");
    let proof = groth16::prove(&q, &keys, &x).expect("prove");
    let source = groth16::solidity(&keys.verifying_key());
    let contract = compile(&solc, &[("Groth16.sol", &source)], "Groth16.sol", "ZkinferGroth16Verifier").expect("solc");
    let mut evm = Evm::new();
    let (verifier, size) = evm.deploy(contract.creation.clone()).expect("deploys");
    assert!(size < 24_576, "{size} bytes: over EIP-170");

    let honest = evm.call(verifier, groth16::calldata(&proof).unwrap()).unwrap();
    assert!(honest.returned_true(), "{honest:?}");
    eprintln!("groth16 verifier: {size} bytes, verifyProof {} gas (10 public logits)", honest.gas_used);

    let accepted = |evm: &mut Evm, calldata: Vec<u8>| evm.call(verifier, calldata).unwrap().returned_true();
    // Every byte of the proof words, one at a time: calldata = selector, 2 offsets, length, proof.
    let calldata = groth16::calldata(&proof).unwrap();
    for i in (4 + 96..4 + 96 + 256).step_by(5) {
        let mut bad = calldata.clone();
        bad[i] ^= 1;
        assert!(!accepted(&mut evm, bad), "byte {i} flipped was accepted");
    }
    for i in 0..proof.public.len() {
        let mut bad = proof.clone();
        bad.public[i] -= 1;
        assert!(!accepted(&mut evm, groth16::calldata(&bad).unwrap()), "logit {i} changed was accepted");
    }
    for len in [proof.public.len() - 1, proof.public.len() + 1] {
        let mut bad = proof.clone();
        bad.public.resize(len, 0);
        let r = evm.call(verifier, groth16::calldata(&bad).unwrap()).unwrap();
        assert!(r.success && !r.returned_true(), "{len} instances: {r:?}");
    }
    // A proof of another model with the same number of public values.
    let wide = quantized("mlp_wide");
    let other = groth16::setup_dev(&wide, 3).expect("setup");
    let other_proof = groth16::prove(&wide, &other, &input("mlp_wide", &load("mlp_wide"))).expect("prove");
    assert!(!accepted(&mut evm, groth16::calldata(&other_proof).unwrap()));
}
