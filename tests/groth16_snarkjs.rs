//! Interoperability: `snarkjs groth16 verify` (snarkjs from npm, evm/package.json) accepts a
//! zkinfer Groth16 proof in snarkjs's JSON forms, and refuses it with a changed public input, a
//! changed proof point or another model's key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use zkinfer::{groth16, CompileOptions};

/// `evm/node_modules/.bin/snarkjs`, installed by `bash scripts/test.sh` (`npm ci --prefix evm`).
fn snarkjs() -> Option<PathBuf> {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("evm/node_modules/.bin/snarkjs");
    if bin.exists() {
        return Some(bin);
    }
    assert!(std::env::var_os("ZKINFER_SKIP_EVM").is_some(), "snarkjs is missing (bash scripts/test.sh installs it)");
    None
}

/// Whether `snarkjs groth16 verify` accepts `[vk, proof, public]` (written into `dir`).
fn verifies(snarkjs: &Path, dir: &Path, files: &[String; 3]) -> bool {
    for (name, text) in ["vk.json", "proof.json", "public.json"].iter().zip(files) {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let out = Command::new(snarkjs)
        .args(["groth16", "verify", "vk.json", "public.json", "proof.json"])
        .current_dir(dir)
        .output()
        .expect("runs snarkjs");
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => {
            assert!(text.contains("OK"), "{text}");
            true
        }
        Some(1) => {
            assert!(text.contains("Invalid proof") || text.contains("not valid"), "{text}");
            false
        }
        _ => panic!("snarkjs failed: {text}"),
    }
}

#[test]
fn snarkjs_verifies_a_zkinfer_groth16_proof() {
    let Some(snarkjs) = snarkjs() else { return };
    let quantized = |name: &str| {
        let model = load(name);
        let samples = zkinfer::read_samples(models_dir().join(format!("{name}.calibration.json")), &model).unwrap();
        model.quantize(&samples, &CompileOptions::default()).unwrap()
    };
    let q = quantized("mlp_digits");
    let keys = groth16::setup_dev(&q, 5).unwrap();
    let proof = groth16::prove(&q, &keys, &input("mlp_digits", &load("mlp_digits"))).unwrap();
    let vk = keys.verifying_key();
    let files = groth16::snarkjs(&vk, &proof).unwrap();
    let dir = std::env::temp_dir().join(format!("zkinfer-snarkjs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    assert!(verifies(&snarkjs, &dir, &files), "snarkjs refused the honest proof");
    // Another logit: another packed word.
    let mut bad = proof.clone();
    bad.public[4] += groth16::Fr::from(1u8);
    let changed = groth16::snarkjs(&vk, &bad).unwrap();
    assert!(!verifies(&snarkjs, &dir, &[files[0].clone(), files[1].clone(), changed[2].clone()]));
    // A and C swapped: valid points, wrong proof.
    let json: serde_json::Value = serde_json::from_str(&files[1]).unwrap();
    let mut swapped = json.clone();
    swapped["pi_a"] = json["pi_c"].clone();
    swapped["pi_c"] = json["pi_a"].clone();
    let swapped = serde_json::to_string(&swapped).unwrap();
    assert!(!verifies(&snarkjs, &dir, &[files[0].clone(), swapped, files[2].clone()]));
    // Another model's key with the same number of public inputs.
    let wide = quantized("mlp_wide");
    let other = groth16::setup_dev(&wide, 5).unwrap().verifying_key();
    let other_vk = zkinfer_r1cs::snarkjs::verification_key(&other.key).to_string();
    assert!(!verifies(&snarkjs, &dir, &[other_vk, files[1].clone(), files[2].clone()]));
    std::fs::remove_dir_all(&dir).unwrap();
}
