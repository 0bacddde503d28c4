//! The Solidity verifier on the bundled models, in revm: honest proofs accepted; a flipped
//! byte (sampled positions), any changed public instance and a truncated proof rejected — in the EVM. Plus the
//! `solidity` / `verify-evm` commands.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

use zkinfer::{CompileOptions, Srs};
use zkinfer_verifier::evm::solidity::{deploy, vk_runtime, VERIFIER_SOL};
use zkinfer_verifier::evm::{compile, encode_calldata, find_solc, Evm};

/// The Solidity compiler; a missing one fails the test (`bash scripts/test.sh` installs it) unless
/// `ZKINFER_SKIP_EVM` is set.
fn solc() -> Option<std::path::PathBuf> {
    match find_solc(None) {
        Ok(p) => Some(p),
        Err(e) if std::env::var_os("ZKINFER_SKIP_EVM").is_some() => {
            eprintln!("skipped: {e}");
            None
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn bundled_models_verify_in_the_evm() {
    let Some(solc) = solc() else { return };
    let verifier = compile(&solc, &[("Verifier.sol", VERIFIER_SOL)], "Verifier.sol", "ZkinferVerifier").unwrap();
    for name in ["mlp_digits", "cnn_digits", "mlp_wide", "attn_tiny"] {
        let (model, compiled) = common::compile(name, &CompileOptions::default());
        let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
        let bundle = zkinfer::prove(&compiled, &keys, &common::input(name, &model)).expect("prove");
        let vkeys = keys.verifier();
        let proof = bundle.proof_bytes().unwrap();
        let instances = bundle.instance_values().unwrap();
        let mut evm = Evm::new();
        let d = deploy(&mut evm, &verifier, &vk_runtime(&vkeys.params, &vkeys.vk).unwrap()).unwrap();
        assert!(d.verifier_size <= 24_576 && d.key_size <= 24_576 * d.key_contracts, "{d:?}");
        let honest = evm.call(d.verifier, encode_calldata(&proof, &instances)).unwrap();
        assert!(honest.returned_true(), "{name}: honest proof rejected: {honest:?}");
        eprintln!(
            "{name}: k={} gas {} verifier {} B key {} B in {} contract(s) proof {} B",
            compiled.plan.k,
            honest.gas_used,
            d.verifier_size,
            d.key_size,
            d.key_contracts,
            proof.len()
        );
        // One flipped byte at sampled positions (first, last and 16 spread over the proof).
        let positions = (0..16).map(|i| i * proof.len() / 16).chain([1, proof.len() - 1]);
        for pos in positions {
            let mut flipped = proof.clone();
            flipped[pos] ^= 0x01;
            let r = evm.call(d.verifier, encode_calldata(&flipped, &instances)).unwrap();
            assert!(!r.returned_true(), "{name}: byte {pos} flipped and accepted in the EVM");
        }
        // Every public instance changed, one at a time.
        for i in 0..instances.len() {
            let mut changed = instances.clone();
            changed[i] += halo2_axiom::halo2curves::bn256::Fr::from(1);
            let r = evm.call(d.verifier, encode_calldata(&proof, &changed)).unwrap();
            assert!(!r.returned_true(), "{name}: instance {i} changed and accepted in the EVM");
        }
        let truncated = &proof[..proof.len() - 32];
        assert!(!evm.call(d.verifier, encode_calldata(truncated, &instances)).unwrap().returned_true());
    }
}

#[test]
fn solidity_and_verify_evm_commands() {
    if solc().is_none() {
        return;
    }
    let (model, compiled) = common::compile("mlp_digits", &CompileOptions::default());
    let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
    let bundle = zkinfer::prove(&compiled, &keys, &common::input("mlp_digits", &model)).expect("prove");
    let dir = common::scratch("evm_models_cli");
    compiled.save(&dir).unwrap();
    keys.save(&dir).unwrap();
    let proof_path = dir.join("proof.json");
    bundle.save(&proof_path).unwrap();
    let zk = env!("CARGO_BIN_EXE_zkinfer");
    let (d, p) = (dir.to_str().unwrap(), proof_path.to_str().unwrap());

    let sol = dir.join("Verifier.sol");
    let st = Command::new(zk).args(["solidity", d, "--out", sol.to_str().unwrap()]).status().unwrap();
    assert!(st.success());
    let text = std::fs::read_to_string(&sol).unwrap();
    assert!(text.contains("contract ZkinferVerifier ") && text.contains("contract ZkinferVerifyingKey0 "));

    let out = Command::new(zk).args(["verify-evm", d, "--proof", p]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.starts_with("verified") && stdout.contains("gas: "), "{stdout}");

    let mut bad = bundle.clone();
    let mut bytes = bad.proof_bytes().unwrap();
    bytes[100] ^= 1;
    bad.proof = zkinfer::evm::to_hex(&bytes);
    let bad_path = dir.join("bad.json");
    bad.save(&bad_path).unwrap();
    let out = Command::new(zk).args(["verify-evm", d, "--proof", bad_path.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stdout));

    let out = Command::new(zk).args(["verify-evm", d, "--proof", p, "--solc", "/nonexistent/solc"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("npm ci --prefix evm"));
}
