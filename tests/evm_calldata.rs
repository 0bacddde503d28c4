//! `zkinfer calldata` and `zkinfer::evm::calldata`: the exact bytes of
//! `verifyProof(bytes proof, uint256[] instances)` for a real proof file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

use zkinfer::{CompileOptions, ProofBundle, Srs};

#[test]
fn calldata_for_a_real_proof_via_library_and_cli() {
    let (model, compiled) = common::compile("mlp_digits", &CompileOptions::default());
    let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
    let bundle = zkinfer::prove(&compiled, &keys, &common::input("mlp_digits", &model)).expect("prove");
    let proof = bundle.proof_bytes().unwrap();
    let data = zkinfer::evm::calldata(&compiled.settings, &bundle).expect("calldata");

    // selector | offset(proof) | offset(instances) | len | proof (padded) | n | instances
    let padded = proof.len().div_ceil(32) * 32;
    let n = bundle.instances.len();
    assert_eq!(data.len(), 4 + 96 + padded + 32 + 32 * n);
    assert_eq!(data[..4], [0x1e, 0x8e, 0x1e, 0x13]);
    assert!(data[100..100 + proof.len()] == proof[..], "proof bytes at offset 100");
    let last = bundle.instances.last().unwrap().trim_start_matches("0x");
    assert_eq!(zkinfer::evm::to_hex(&data[data.len() - 32..]), format!("0x{last}"));

    let dir = common::scratch("evm_calldata");
    compiled.save(&dir).unwrap();
    let proof_path = dir.join("proof.json");
    bundle.save(&proof_path).unwrap();
    let out_path = dir.join("calldata.hex");
    let zk = env!("CARGO_BIN_EXE_zkinfer");
    let dir_s = dir.to_str().unwrap();
    let st = Command::new(zk)
        .args(["calldata", dir_s, "--proof", proof_path.to_str().unwrap(), "--out", out_path.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(st.success());
    assert_eq!(std::fs::read_to_string(&out_path).unwrap(), zkinfer::evm::to_hex(&data));

    // Stdout form, and a proof file whose instance count does not match the model.
    let out = Command::new(zk).args(["calldata", dir_s, "--proof", proof_path.to_str().unwrap()]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), zkinfer::evm::to_hex(&data));
    let mut short: ProofBundle = bundle.clone();
    short.instances.pop();
    let short_path = dir.join("short.json");
    short.save(&short_path).unwrap();
    let out = Command::new(zk).args(["calldata", dir_s, "--proof", short_path.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("public instances given"), "{out:?}");
}
