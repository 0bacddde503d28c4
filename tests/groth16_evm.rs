//! The Groth16 Solidity verifier in revm under Osaka (the hard fork mainnet runs): it accepts
//! the honest proof, and refuses a flipped byte, a changed public value, a changed or extra
//! packed word, and another model's proof; the example consumer unpacks the verified logits.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use zkinfer::groth16::{self, Fr, Groth16Keys, Groth16Proof};
use zkinfer::{CompileOptions, QGraph};
use zkinfer_verifier::evm::{compile, find_solc, Evm};

fn quantized(name: &str) -> QGraph {
    let model = load(name);
    let samples =
        zkinfer::read_samples(models_dir().join(format!("{name}.calibration.json")), &model).expect("calibration");
    model.quantize(&samples, &CompileOptions::default()).expect("quantizes")
}

fn solc() -> Option<std::path::PathBuf> {
    find_solc(None).ok().or_else(|| {
        assert!(std::env::var_os("ZKINFER_SKIP_EVM").is_some(), "solc is missing (bash scripts/test.sh installs it)");
        None
    })
}

/// mlp_digits' keys and one proof of it.
fn digits() -> (QGraph, Groth16Keys, Groth16Proof) {
    let q = quantized("mlp_digits");
    let keys = groth16::setup_dev(&q, 3).expect("setup");
    let proof = groth16::prove(&q, &keys, &input("mlp_digits", &load("mlp_digits"))).expect("prove");
    (q, keys, proof)
}

/// The calldata of `proof` with the statement's words as given (not packed from its values).
fn with_words(proof: &Groth16Proof, words: &[Fr]) -> Vec<u8> {
    zkinfer_r1cs::groth16::evm_calldata(&proof.bytes, words).unwrap()
}

#[test]
fn the_groth16_solidity_verifier_accepts_honest_proofs_only() {
    let Some(solc) = solc() else { return };
    let (_, keys, proof) = digits();
    let vk = keys.verifying_key();
    let source = groth16::solidity(&vk, None).unwrap();
    let contract = compile(&solc, &[("Groth16.sol", &source)], "Groth16.sol", "ZkinferGroth16Verifier").expect("solc");
    let mut evm = Evm::new();
    let (verifier, size) = evm.deploy(contract.creation.clone()).expect("deploys");
    assert!(size < 24_576, "{size} bytes: over EIP-170");

    let words = vk.statement(&proof).unwrap();
    assert_eq!((proof.public.len(), words.len()), (10, 1), "ten logits in one word");
    let honest = evm.call(verifier, groth16::calldata(&vk, &proof).unwrap()).unwrap();
    assert!(honest.returned_true(), "{honest:?}");
    eprintln!("groth16 verifier: {size} bytes, verifyProof {} gas (10 logits in 1 public input)", honest.gas_used);

    let accepted = |evm: &mut Evm, calldata: Vec<u8>| evm.call(verifier, calldata).unwrap().returned_true();
    // Every 5th byte of the proof words: calldata = selector, 2 offsets, length, proof.
    let calldata = groth16::calldata(&vk, &proof).unwrap();
    for i in (4 + 96..4 + 96 + 256).step_by(5) {
        let mut bad = calldata.clone();
        bad[i] ^= 1;
        assert!(!accepted(&mut evm, bad), "byte {i} flipped was accepted");
    }
    for i in 0..proof.public.len() {
        let mut bad = proof.clone();
        bad.public[i] -= Fr::from(1u8);
        assert!(!accepted(&mut evm, groth16::calldata(&vk, &bad).unwrap()), "logit {i} changed was accepted");
    }
    // The word itself: one more, and a bit above the packed slots.
    let above = (0..251).fold(Fr::from(1u8), |x, _| x + x);
    for bad in [words[0] + Fr::from(1u8), words[0] + above] {
        assert!(!accepted(&mut evm, with_words(&proof, &[bad])));
    }
    for bad in [vec![], vec![words[0], words[0]]] {
        let r = evm.call(verifier, with_words(&proof, &bad)).unwrap();
        assert!(r.success && !r.returned_true(), "{} public inputs: {r:?}", bad.len());
    }
    // A proof of another model with the same number of public values.
    let wide = quantized("mlp_wide");
    let other = groth16::setup_dev(&wide, 3).expect("setup");
    let other_proof = groth16::prove(&wide, &other, &input("mlp_wide", &load("mlp_wide"))).expect("prove");
    assert!(!accepted(&mut evm, groth16::calldata(&other.verifying_key(), &other_proof).unwrap()));
}

#[test]
fn the_example_consumer_unpacks_the_verified_logits() {
    let Some(solc) = solc() else { return };
    let (q, keys, proof) = digits();
    let vk = keys.verifying_key();
    let source = groth16::solidity(&vk, None).unwrap();
    let verifier = compile(&solc, &[("Groth16.sol", &source)], "Groth16.sol", "ZkinferGroth16Verifier").unwrap();
    let consumer_sol =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/Groth16Consumer.sol")).unwrap();
    let consumer = compile(&solc, &[("C.sol", &consumer_sol)], "C.sol", "Groth16Consumer").unwrap();
    let mut evm = Evm::new();
    let (verifier, _) = evm.deploy(verifier.creation.clone()).unwrap();
    let outputs = vk.packing.segments.last().unwrap();
    let mut creation = consumer.creation.clone();
    creation.extend_from_slice(&[0u8; 12]);
    creation.extend_from_slice(verifier.as_slice());
    creation.extend_from_slice(&abi_word(outputs.len as u64));
    creation.extend_from_slice(&abi_word(u64::from(outputs.width)));
    creation.extend_from_slice(&abi_word(u64::from(q.tensors[outputs.tensor].scale)));
    let (app, _) = evm.deploy(creation).unwrap();

    let submit = |evm: &mut Evm, mut data: Vec<u8>| {
        data[..4].copy_from_slice(&consumer_selector("submit(bytes,uint256[])"));
        evm.call(app, data).unwrap()
    };
    let out = submit(&mut evm, groth16::calldata(&vk, &proof).unwrap());
    assert!(out.success, "{out:?}");
    let logits: Vec<i128> = proof.public.iter().map(|&v| groth16::to_int(v).unwrap()).collect();
    let argmax = (0..logits.len()).max_by_key(|&i| (logits[i], std::cmp::Reverse(i))).unwrap();
    assert_eq!(out.output[31] as usize, argmax);
    for (i, &v) in logits.iter().enumerate() {
        let mut call = consumer_selector("lastOutput(uint256)").to_vec();
        call.extend_from_slice(&abi_word(i as u64));
        let got = evm.call(app, call).unwrap().output;
        let got = i64::from_be_bytes(got[24..32].try_into().unwrap());
        assert_eq!(i128::from(got), v, "logit {i}");
    }
    assert!(logits.iter().any(|&v| v < 0), "the example should exercise a negative logit");
    let mut bad = proof.clone();
    bad.public[argmax] -= Fr::from(1u8);
    assert!(!submit(&mut evm, groth16::calldata(&vk, &bad).unwrap()).success);
}

/// Hashed parameters: the verifier pins the model id (instance 0 checked, its term folded into
/// the key's constant), so a valid proof of other weights under the same (weightless) keys is
/// refused; `modelId()` returns the id. Unpinned, the same proof is accepted, and each
/// verification pays one more `ecMul`.
#[test]
fn a_pinned_verifier_accepts_proofs_of_its_model_only() {
    let Some(solc) = solc() else { return };
    let opts = CompileOptions {
        visibility: zkinfer::VisibilityConfig::new(
            zkinfer::Visibility::Private,
            zkinfer::ParamVisibility::Hashed,
            zkinfer::Visibility::Public,
        ),
        ..CompileOptions::default()
    };
    let model = load("mlp_digits");
    let samples = zkinfer::read_samples(models_dir().join("mlp_digits.calibration.json"), &model).expect("calibration");
    let q = model.quantize(&samples, &opts).expect("quantizes");
    let x = input("mlp_digits", &model);
    let keys = groth16::setup_dev(&q, 9).expect("setup");
    let vk = keys.verifying_key();
    let proof = groth16::prove(&q, &keys, &x).expect("prove");
    let id = groth16::model_id(&q).expect("an id");
    assert_eq!(proof.public[0], id);

    let mut other = q.clone();
    let node = other.nodes.iter_mut().find(|n| matches!(n.op, zkinfer_graph::QOp::Linear(_))).unwrap();
    if let zkinfer_graph::QOp::Linear(op) = &mut node.op {
        op.weight[5] -= 2;
    }
    let theirs = groth16::prove(&other, &keys, &x).expect("the same keys prove other weights");

    let mut evm = Evm::new();
    let mut deploy = |pin: Option<Fr>| {
        let source = groth16::solidity(&vk, pin).unwrap();
        let c = compile(&solc, &[("G.sol", &source)], "G.sol", "ZkinferGroth16Verifier").expect("solc");
        evm.deploy(c.creation).expect("deploys").0
    };
    let (pinned, any) = (deploy(Some(id)), deploy(None));
    let call = |evm: &mut Evm, at, p: &Groth16Proof| evm.call(at, groth16::calldata(&vk, p).unwrap()).unwrap();
    let mine = call(&mut evm, pinned, &proof);
    assert!(mine.returned_true(), "{mine:?}");
    assert!(!call(&mut evm, pinned, &theirs).returned_true(), "another model's proof");
    let unpinned = call(&mut evm, any, &proof);
    assert!(unpinned.returned_true() && call(&mut evm, any, &theirs).returned_true());
    eprintln!("pinned verifyProof {} gas, unpinned {}", mine.gas_used, unpinned.gas_used);
    assert!(mine.gas_used + 5_000 < unpinned.gas_used, "the folded term saves an ecMul");
    let selector = zkinfer_verifier::evm::registry::model_id_calldata();
    let got = evm.call(pinned, selector.clone()).unwrap().output;
    assert_eq!(got, zkinfer_r1cs::le_bytes(&id).iter().rev().copied().collect::<Vec<u8>>());
    assert_eq!(evm.call(any, selector).unwrap().output, vec![0u8; 32]);
}
