//! examples/OutputConsumer.sol: a contract that accepts mlp_digits' classification only with a
//! valid proof and decodes the output instances (field element -> signed fixed point).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{abi_word, consumer_selector};

use zkinfer::{CompileOptions, Srs};
use zkinfer_verifier::evm::solidity::{deploy, VERIFIER_SOL};
use zkinfer_verifier::evm::{compile, encode_calldata, find_solc, Evm};

fn as_i64(w: &[u8]) -> i64 {
    // A two's-complement int256 that fits in i64.
    let mut b = [0u8; 8];
    b.copy_from_slice(&w[24..32]);
    i64::from_be_bytes(b)
}

#[test]
fn consumer_reads_the_verified_output() {
    let solc = match find_solc(None) {
        Ok(p) => p,
        Err(e) if std::env::var_os("ZKINFER_SKIP_EVM").is_some() => return eprintln!("skipped: {e}"),
        Err(e) => panic!("{e}"),
    };
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/OutputConsumer.sol")).unwrap();
    let consumer = compile(&solc, &[("OutputConsumer.sol", &source)], "OutputConsumer.sol", "OutputConsumer").unwrap();
    let verifier = compile(&solc, &[("Verifier.sol", VERIFIER_SOL)], "Verifier.sol", "ZkinferVerifier").unwrap();

    let (model, compiled) = common::compile("mlp_digits", &CompileOptions::default());
    let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
    let bundle = zkinfer::prove(&compiled, &keys, &common::input("mlp_digits", &model)).expect("prove");
    let vkeys = keys.verifier();
    let mut evm = Evm::new();
    let d = deploy(&mut evm, &verifier, &vkeys.halo2().unwrap().key_contracts().unwrap()).unwrap();

    let logits = &bundle.outputs[0];
    let n_out = logits.quantized.len();
    let mut creation = consumer.creation.clone();
    creation.extend_from_slice(&[0u8; 12]);
    creation.extend_from_slice(d.verifier.as_slice());
    creation.extend_from_slice(&abi_word(n_out as u64));
    creation.extend_from_slice(&abi_word(u64::from(logits.scale)));
    let (app, _) = evm.deploy(creation).unwrap();

    let proof = bundle.proof_bytes().unwrap();
    let instances = bundle.instance_values().unwrap();
    let mut data = encode_calldata(&proof, &instances);
    data[..4].copy_from_slice(&consumer_selector("submit(bytes,uint256[])"));
    let out = evm.call(app, data.clone()).unwrap();
    assert!(out.success, "{out:?}");
    let expected_class = (0..n_out).max_by_key(|&i| (logits.quantized[i], std::cmp::Reverse(i))).unwrap();
    assert_eq!(out.output[31] as usize, expected_class);

    // The stored outputs are the signed fixed-point integers of the proof file.
    for (i, q) in logits.quantized.iter().enumerate() {
        let mut call = consumer_selector("lastOutput(uint256)").to_vec();
        call.extend_from_slice(&abi_word(i as u64));
        let got = evm.call(app, call).unwrap();
        assert_eq!(as_i64(&got.output), *q, "output {i}");
    }
    assert!(logits.quantized.iter().any(|q| *q < 0), "the example should exercise a negative output");

    // A tampered proof is refused and leaves nothing verified behind.
    let mut bad = proof.clone();
    bad[200] ^= 1;
    let mut data = encode_calldata(&bad, &instances);
    data[..4].copy_from_slice(&consumer_selector("submit(bytes,uint256[])"));
    assert!(!evm.call(app, data).unwrap().success);
}
