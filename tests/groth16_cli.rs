//! `--proof-system groth16` as a user drives it: compile, setup (with its warning), prove,
//! verify, solidity, calldata, verify-evm and run, and the refusals: a tampered proof, a changed
//! output or public word, another model's key, an SRS file; private and hashed parameters.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::*;

/// Compiles and sets up `name` for Groth16 into `dir`.
fn compiled(name: &str, dir: &Path) {
    let o = zkinfer(&["compile", s(&model_path(name)), "--out", s(dir), "--proof-system", "groth16"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("proof system: groth16"), "{}", text(&o));
    let o = zkinfer(&["setup", s(dir)]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("circuit-specific") && text(&o).contains("INSECURE"), "{}", text(&o));
    assert!(text(&o).contains("wrote pk.bin, vk.bin"), "{}", text(&o));
}

/// Verifies `proof` against `dir`: `Some(true)` verified, `Some(false)` rejected (exit 2).
fn verdict(dir: &Path, proof: &Path) -> Option<bool> {
    let o = zkinfer(&["verify", s(dir), "--proof", s(proof)]);
    match o.status.code() {
        Some(0) => Some(true),
        Some(2) => Some(false),
        _ => {
            eprintln!("{}", text(&o));
            None
        }
    }
}

#[test]
fn groth16_through_the_cli() {
    let dir = scratch("groth16_cli_digits");
    let proof = dir.join("proof.json");
    compiled("mlp_digits", &dir);
    let settings: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("settings.json")).unwrap()).unwrap();
    let plan = &settings["circuit"]["groth16"];
    assert_eq!(plan["public_inputs"], 1, "ten logits packed in one word: {plan}");
    assert_eq!(plan["packing"]["segments"][0]["width"], 20, "{plan}");
    let input = models_dir().join("mlp_digits.input.json");
    let o = zkinfer(&["prove", s(&dir), "--input", s(&input), "--out", s(&proof)]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(verdict(&dir, &proof), Some(true));

    let bundle: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&proof).unwrap()).unwrap();
    assert_eq!(bundle["proof_system"], "groth16");
    assert_eq!(bundle["instances"].as_array().unwrap().len(), 1);
    let bad_path = dir.join("bad.json");
    let rejected = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut bad = bundle.clone();
        edit(&mut bad);
        std::fs::write(&bad_path, bad.to_string()).unwrap();
        verdict(&dir, &bad_path) == Some(false)
    };
    // A flipped nibble in the proof, a changed logit, a changed word.
    assert!(rejected(&|b| {
        let hex = b["proof"].as_str().unwrap().to_string();
        let pos = 2 + 64;
        let flip = if &hex[pos..=pos] == "0" { "1" } else { "0" };
        b["proof"] = format!("{}{flip}{}", &hex[..pos], &hex[pos + 1..]).into();
    }));
    assert!(rejected(&|b| {
        let q = b["outputs"][0]["quantized"][3].as_i64().unwrap();
        b["outputs"][0]["quantized"][3] = (q + 1).into();
    }));
    assert!(rejected(&|b| {
        let w = b["instances"][0].as_str().unwrap().to_string();
        let last = if w.ends_with('0') { "1" } else { "0" };
        b["instances"][0] = format!("{}{last}", &w[..w.len() - 1]).into();
    }));
    // Two words where the model has one: refused with the counts.
    let mut two = bundle.clone();
    two["instances"].as_array_mut().unwrap().push(bundle["instances"][0].clone());
    std::fs::write(&bad_path, two.to_string()).unwrap();
    let o = zkinfer(&["verify", s(&dir), "--proof", s(&bad_path)]);
    assert!(text(&o).contains("2 public instances given, the model has 1"), "{}", text(&o));

    // Solidity, calldata and the in-process EVM.
    let sol = dir.join("Groth16.sol");
    let o = zkinfer(&["solidity", s(&dir), "--out", s(&sol)]);
    assert!(o.status.success() && std::fs::read_to_string(&sol).unwrap().contains("ZkinferGroth16Verifier"));
    let o = zkinfer(&["calldata", s(&dir), "--proof", s(&proof)]);
    assert!(o.status.success() && String::from_utf8_lossy(&o.stdout).starts_with("0x"), "{}", text(&o));
    if zkinfer_verifier::evm::find_solc(None).is_ok() || std::env::var_os("ZKINFER_SKIP_EVM").is_none() {
        let o = zkinfer(&["verify-evm", s(&dir), "--proof", s(&proof)]);
        assert!(o.status.success() && text(&o).contains("verified"), "{}", text(&o));
        let gas: u64 = text(&o).split("gas: ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
        assert!(gas < 230_000, "{gas} gas");
    }

    // snarkjs's files, checked by snarkjs itself (installed by scripts/test.sh).
    let files = dir.join("snarkjs");
    let o = zkinfer(&["snarkjs", s(&dir), "--proof", s(&proof), "--out", s(&files)]);
    assert!(o.status.success(), "{}", text(&o));
    let snarkjs = Path::new(env!("CARGO_MANIFEST_DIR")).join("evm/node_modules/.bin/snarkjs");
    if snarkjs.exists() || std::env::var_os("ZKINFER_SKIP_EVM").is_none() {
        let o = std::process::Command::new(&snarkjs)
            .args(["groth16", "verify", "verification_key.json", "public.json", "proof.json"])
            .current_dir(&files)
            .output()
            .expect("runs snarkjs");
        assert!(o.status.success() && text(&o).contains("OK"), "{}", text(&o));
    }

    // Another model's verifying key in this directory: refused by name, before any check.
    let other = scratch("groth16_cli_other");
    compiled("cnn_digits", &other);
    std::fs::copy(other.join("vk.bin"), dir.join("vk.bin")).unwrap();
    let o = zkinfer(&["verify", s(&dir), "--proof", s(&proof)]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("another model (run setup again)"), "{}", text(&o));

    // A Groth16 setup takes no SRS file.
    let o = zkinfer(&["setup", s(&other), "--srs", s(&other.join("vk.bin"))]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("takes no SRS"), "{}", text(&o));
}

#[test]
fn groth16_run_and_refusals() {
    let model = model_path("mlp_digits");
    let input = models_dir().join("mlp_digits.input.json");
    let o = zkinfer(&["run", s(&model), "--input", s(&input), "--proof-system", "groth16"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("groth16") && text(&o).contains("INSECURE"), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).trim_end().ends_with("verified"), "{}", text(&o));
    // Private parameters: the weights are witnesses, the run verifies.
    let o = zkinfer(&[
        "run",
        s(&model),
        "--input",
        s(&input),
        "--proof-system",
        "groth16",
        "--param-visibility",
        "private",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).trim_end().ends_with("verified"), "{}", text(&o));
}

/// Hashed parameters under Groth16: instance 0 of the proof is the model id settings.json
/// records (the Halo2 circuit's), a proof claiming another id is refused by name, and the
/// Solidity verifier pins the id.
#[test]
fn groth16_hashed_parameters_through_the_cli() {
    let dir = scratch("groth16_cli_hashed");
    let (model, proof) = (model_path("mlp_digits"), dir.join("proof.json"));
    let args = ["--proof-system", "groth16", "--param-visibility", "hashed"];
    let o = zkinfer(&[&["compile", s(&model), "--out", s(&dir)][..], &args].concat());
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("one per architecture with private or hashed"), "{}", text(&o));
    let halo2 = scratch("groth16_cli_hashed_halo2");
    let o = zkinfer(&["compile", s(&model), "--out", s(&halo2), "--param-visibility", "hashed"]);
    assert!(o.status.success(), "{}", text(&o));
    let settings = |d: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(d.join("settings.json")).unwrap()).unwrap()
    };
    let id = settings(&dir)["model_id"].as_str().unwrap().to_string();
    assert_eq!(settings(&halo2)["model_id"].as_str(), Some(id.as_str()), "one model id under both systems");

    assert!(zkinfer(&["setup", s(&dir)]).status.success());
    let input = models_dir().join("mlp_digits.input.json");
    let o = zkinfer(&["prove", s(&dir), "--input", s(&input), "--out", s(&proof)]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(verdict(&dir, &proof), Some(true));
    let bundle: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&proof).unwrap()).unwrap();
    assert_eq!(bundle["instances"][0].as_str(), Some(id.as_str()), "instance 0 is the model id");
    let mut other = bundle.clone();
    let w = id.trim_start_matches("0x");
    other["instances"][0] = format!("0x{}{}", &w[..w.len() - 1], if w.ends_with('0') { "1" } else { "0" }).into();
    let bad = dir.join("other_id.json");
    std::fs::write(&bad, other.to_string()).unwrap();
    let o = zkinfer(&["verify", s(&dir), "--proof", s(&bad)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("other weights ran"), "{}", text(&o));

    let sol = dir.join("Groth16.sol");
    let o = zkinfer(&["solidity", s(&dir), "--out", s(&sol)]);
    assert!(o.status.success() && text(&o).contains("accepts proofs of this model only"), "{}", text(&o));
    assert!(std::fs::read_to_string(&sol).unwrap().contains(&format!("MODEL_ID = {id};")));
    if zkinfer_verifier::evm::find_solc(None).is_ok() || std::env::var_os("ZKINFER_SKIP_EVM").is_none() {
        let o = zkinfer(&["verify-evm", s(&dir), "--proof", s(&proof)]);
        assert!(o.status.success() && text(&o).contains("verified"), "{}", text(&o));
        let gas: u64 = text(&o).split("gas: ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
        assert!(gas < 230_000, "{gas} gas");
    }
}
