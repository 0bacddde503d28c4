//! The `zkinfer` binary as a user drives it: compile, setup, prove, verify, with exit codes and
//! the errors it prints for bad input.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

#[test]
fn compile_setup_prove_verify_and_reject_tampering() {
    let dir = scratch("cli_mlp_digits");
    let model = model_path("mlp_digits");
    let input = models_dir().join("mlp_digits.input.json");
    let proof = dir.join("proof.json");

    let o = zkinfer(&["compile", s(&model), "--out", s(&dir)]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("k="), "{}", text(&o));
    assert!(text(&o).contains("proof system: halo2"), "{}", text(&o));
    // What each mode hides, and from whom, in numbers (mlp_digits is k = 7 by default).
    assert!(text(&o).contains("privacy, inputs: 'input' private: hidden from verifiers"), "{}", text(&o));
    assert!(text(&o).contains("about 2^7 = 128 proofs let a verifier interpolate the weights"), "{}", text(&o));
    assert!(text(&o).contains("privacy, outputs: 'output' public: every verifier sees"), "{}", text(&o));
    let settings: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("settings.json")).unwrap()).unwrap();
    // The proof system names the circuit; the instance layout is the settings' own.
    assert!(settings["circuit"]["halo2"]["k"].is_u64(), "{settings}");
    assert_eq!(settings["instances"]["segments"][0]["role"], "output");

    let o = zkinfer(&["setup", s(&dir)]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("INSECURE"), "dev SRS must warn: {}", text(&o));

    let o = zkinfer(&["prove", s(&dir), "--input", s(&input), "--out", s(&proof)]);
    assert!(o.status.success(), "{}", text(&o));

    let o = zkinfer(&["verify", s(&dir), "--proof", s(&proof)]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("verified"), "{}", text(&o));

    // A flipped nibble in the proof: rejected with exit code 2.
    let bundle: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&proof).unwrap()).unwrap();
    let hex = bundle["proof"].as_str().unwrap().to_string();
    let pos = hex.len() / 2;
    let flipped = if &hex[pos..pos + 1] == "0" { "1" } else { "0" };
    let bad_hex = format!("{}{}{}", &hex[..pos], flipped, &hex[pos + 1..]);
    let mut bad = bundle.clone();
    bad["proof"] = serde_json::Value::String(bad_hex);
    let bad_path = dir.join("bad_proof.json");
    std::fs::write(&bad_path, serde_json::to_string(&bad).unwrap()).unwrap();
    let o = zkinfer(&["verify", s(&dir), "--proof", s(&bad_path)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("rejected"), "{}", text(&o));

    // snarkjs checks Groth16 proofs only: named.
    let o = zkinfer(&["snarkjs", s(&dir), "--proof", s(&proof), "--out", s(&dir.join("snarkjs"))]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("snarkjs checks Groth16 proofs; this model is compiled for halo2"), "{}", text(&o));

    // A proof file that names another proof system: rejected by name, before any check.
    let mut other = bundle.clone();
    assert_eq!(other["proof_system"], "halo2");
    other["proof_system"] = serde_json::Value::String("groth16".into());
    std::fs::write(&bad_path, serde_json::to_string(&other).unwrap()).unwrap();
    let o = zkinfer(&["verify", s(&dir), "--proof", s(&bad_path)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("a groth16 proof cannot be checked against a model compiled for halo2"), "{}", text(&o));

    // Settings whose instance layout disagrees with the outputs' visibility and shape, or an
    // older settings version: refused by name before any key is read.
    let edited = dir.join("edited");
    std::fs::create_dir_all(&edited).unwrap();
    for f in ["vk.bin", "srs.bin"] {
        std::fs::copy(dir.join(f), edited.join(f)).unwrap();
    }
    let mut wrong = settings.clone();
    wrong["instances"]["segments"][0]["len"] = 9.into();
    std::fs::write(edited.join("settings.json"), wrong.to_string()).unwrap();
    let o = zkinfer(&["verify", s(&edited), "--proof", s(&proof)]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("instance layout does not match"), "{}", text(&o));
    let mut old = settings.clone();
    old["version"] = 3.into();
    std::fs::write(edited.join("settings.json"), old.to_string()).unwrap();
    let o = zkinfer(&["verify", s(&edited), "--proof", s(&proof)]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("v3 is not supported (expected zkinfer-settings v4); recompile"), "{}", text(&o));

    // A truncated proof file: a clear error, not a panic.
    std::fs::write(&bad_path, &std::fs::read(&proof).unwrap()[..100]).unwrap();
    let o = zkinfer(&["verify", s(&dir), "--proof", s(&bad_path)]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("not a zkinfer proof file"), "{}", text(&o));

    // A corrupted verifying key: named in the error.
    let vk = dir.join("vk.bin");
    let mut bytes = std::fs::read(&vk).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&vk, &bytes).unwrap();
    let o = zkinfer(&["verify", s(&dir), "--proof", s(&proof)]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).to_lowercase().contains("verifying key"), "{}", text(&o));
    assert!(!text(&o).contains("panicked"), "{}", text(&o));
}

#[test]
fn bad_inputs_give_clear_errors() {
    let dir = scratch("cli_bad_inputs");
    let model = model_path("mlp_digits");
    let o = zkinfer(&["compile", s(&model), "--out", s(&dir)]);
    assert!(o.status.success(), "{}", text(&o));
    let o = zkinfer(&["setup", s(&dir)]);
    assert!(o.status.success(), "{}", text(&o));

    let short = dir.join("short.json");
    std::fs::write(&short, r#"{"input_data": [[0.5, 0.25]]}"#).unwrap();
    let o = zkinfer(&["prove", s(&dir), "--input", s(&short), "--out", s(&dir.join("p.json"))]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("2 values but the model expects 64"), "{}", text(&o));

    let not_json = dir.join("not.json");
    std::fs::write(&not_json, "input_data = 3").unwrap();
    let o = zkinfer(&["prove", s(&dir), "--input", s(&not_json), "--out", s(&dir.join("p.json"))]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("input_data"), "{}", text(&o));

    let unsupported = unsupported_model(&dir);
    let o = zkinfer(&["compile", s(&unsupported), "--out", s(&dir.join("unsupported"))]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("not supported at opset 17"), "{}", text(&o));

    // A visibility a value cannot have is a usage error (clap's exit code 2), named by the flag.
    let o = zkinfer(&["compile", s(&model), "--out", s(&dir), "--param-visibility", "public"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("parameter visibility 'public' is not offered"), "{}", text(&o));
    let o = zkinfer(&["compile", s(&model), "--out", s(&dir), "--input-visibility", "fixed"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("'fixed' applies to parameters"), "{}", text(&o));
    // One visibility per input: a list of the wrong length names both counts.
    let o = zkinfer(&["compile", s(&model), "--out", s(&dir), "--input-visibility", "public,private"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("the model has 1 input(s) but 2 input visibilities were given"), "{}", text(&o));
    let o = zkinfer(&["compile", s(&model), "--out", s(&dir), "--proof-system", "plonk"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("unknown proof system 'plonk': expected halo2 or groth16"), "{}", text(&o));

    let o = zkinfer(&["setup", s(&dir.join("nowhere"))]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("settings.json"), "{}", text(&o));

    // The GPU backend in a build without it: a clear error before any work, no CPU fallback.
    #[cfg(not(feature = "cuda"))]
    {
        let input = models_dir().join("mlp_digits.input.json");
        let proof = dir.join("gpu.json");
        let prove = ["prove", s(&dir), "--input", s(&input), "--out", s(&proof), "--backend", "cuda"];
        for args in [&prove[..], &["run", s(&model), "--input", s(&input), "--backend", "cuda"]] {
            let o = zkinfer(args);
            assert_eq!(o.status.code(), Some(1), "{args:?}");
            assert!(text(&o).contains("built without CUDA"), "{args:?}: {}", text(&o));
        }
        assert!(!proof.exists());
    }
}

#[test]
fn run_prints_summary_and_verifies() {
    let model = model_path("cnn_digits");
    let input = models_dir().join("cnn_digits.input.json");
    let o = zkinfer(&["run", s(&model), "--input", s(&input), "--input-visibility", "public", "--backend", "cpu"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    for field in ["k (2^k rows)", "prove time", "peak memory", "proof size", "max |out - f32|", "verified"] {
        assert!(out.contains(field), "missing {field}: {out}");
    }
}

#[test]
fn a_closed_stdout_ends_quietly() {
    // `zkinfer compile … | head -0`: the reader is gone before anything is printed.
    let dir = scratch("cli_closed_stdout");
    let model = model_path("mlp_digits");
    let mut child = Command::new(env!("CARGO_BIN_EXE_zkinfer"))
        .args(["compile", s(&model), "--out", s(&dir)])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs zkinfer");
    drop(child.stdout.take());
    let o = child.wait_with_output().expect("waits for zkinfer");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(o.status.code(), Some(141), "{stderr}");
}

/// A model with two inputs and two outputs from the command line: one row per input in the data
/// files, one visibility per input, both outputs in the proof file.
#[test]
fn two_inputs_one_visibility_each() {
    let dir = scratch("cli_two_inputs");
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/multi_io");
    let model = models.join("two_inputs.onnx");
    let input = models.join("two_inputs.input.json");
    let out = dir.join("run");
    let o =
        zkinfer(&["run", s(&model), "--input", s(&input), "--input-visibility", "public,private", "--out", s(&out)]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("'features' [1, 8] (public"), "{}", text(&o));
    assert!(text(&o).contains("'context' [1, 4] (private"), "{}", text(&o));
    let bundle: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("proof.json")).unwrap()).unwrap();
    assert_eq!(bundle["instances"].as_array().unwrap().len(), 8 + 3 + 2);
    let names: Vec<&str> = bundle["outputs"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["scores", "aux"]);
    // An input file with one row for a two-input model names the count.
    let one_row = dir.join("one_row.json");
    std::fs::write(&one_row, r#"{"input_data": [[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]]}"#).unwrap();
    let o = zkinfer(&["prove", s(&out), "--input", s(&one_row), "--out", s(&dir.join("p.json"))]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("the model has 2 inputs: expected 2 rows (one per input), found 1"), "{}", text(&o));
}

/// Hashed inputs and outputs from the command line: one instance per hashed tensor, the hashed
/// output left out of the proof file, the proof verified, and a changed hash or a settings file
/// that no longer marks the segment as hashed refused.
#[test]
fn hashed_inputs_and_outputs() {
    let dir = scratch("cli_hashed");
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/multi_io");
    let model = models.join("two_inputs.onnx");
    let input = models.join("two_inputs.input.json");
    let out = dir.join("run");
    let vis = ["--input-visibility", "hashed,private", "--output-visibility", "public,hashed"];
    let o = zkinfer(&[&["run", s(&model), "--input", s(&input), "--out", s(&out)][..], &vis[..]].concat());
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("'features' [1, 8] (hashed"), "{}", text(&o));
    assert!(text(&o).contains("privacy, inputs: 'features' hashed: hidden from verifiers"), "{}", text(&o));
    assert!(text(&o).contains("Poseidon rows"), "{}", text(&o));
    let proof = out.join("proof.json");
    let bundle: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&proof).unwrap()).unwrap();
    // features' hash, then scores' 3 values, then aux's hash.
    assert_eq!(bundle["instances"].as_array().unwrap().len(), 1 + 3 + 1);
    let names: Vec<&str> = bundle["outputs"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["scores"]);
    let o = zkinfer(&["verify", s(&out), "--proof", s(&proof)]);
    assert!(o.status.success(), "{}", text(&o));

    for i in [0, 4] {
        let mut bad = bundle.clone();
        bad["instances"][i] = serde_json::Value::String(zkinfer::encode_instance(12345));
        let bad_path = dir.join("bad.json");
        std::fs::write(&bad_path, bad.to_string()).unwrap();
        let o = zkinfer(&["verify", s(&out), "--proof", s(&bad_path)]);
        assert_eq!(o.status.code(), Some(2), "hash {i} changed: {}", text(&o));
    }
    let settings_path = out.join("settings.json");
    let settings: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&settings_path).unwrap()).unwrap();
    assert_eq!(settings["instances"]["segments"][0]["hashed"], true, "{settings}");
    let mut unmarked = settings.clone();
    unmarked["instances"]["segments"][0].as_object_mut().unwrap().remove("hashed");
    std::fs::write(&settings_path, unmarked.to_string()).unwrap();
    let o = zkinfer(&["verify", s(&out), "--proof", s(&proof)]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("instance layout does not match"), "{}", text(&o));

    // Hashed parameters: the model id, named when compiling and recorded in the settings.
    let p = dir.join("p");
    let o = zkinfer(&["compile", s(&model), "--out", s(&p), "--param-visibility", "hashed"]);
    assert!(o.status.success(), "{}", text(&o));
    let settings: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.join("settings.json")).unwrap()).unwrap();
    let id = settings["model_id"].as_str().expect("a model id").to_string();
    assert!(text(&o).contains(&format!("bound to the model id {id}")), "{}", text(&o));
    assert_eq!(settings["instances"]["segments"][0]["role"], "params");
    // model-id prints it without keys; `verify` shows it.
    let o = zkinfer(&["model-id", s(&model), "--param-visibility", "hashed"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains(&format!("model id: {id} (Poseidon hash of")), "{}", text(&o));
    assert!(text(&o).contains("structure: 0x"), "{}", text(&o));
    let o = zkinfer(&["model-id", s(&model)]);
    assert!(text(&o).contains("model id: none: parameters are fixed"), "{}", text(&o));
    // No circuit is planned for the id: a k limit that compile cannot meet does not matter.
    let o =
        zkinfer(&["compile", s(&model), "--out", s(&dir.join("tiny")), "--param-visibility", "hashed", "--max-k", "6"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = zkinfer(&["model-id", s(&model), "--param-visibility", "hashed", "--max-k", "6"]);
    assert!(text(&o).contains(&format!("model id: {id} (Poseidon hash of")), "{}", text(&o));
    // The Solidity verifier pins the id unless asked for one of any model.
    let o = zkinfer(&["setup", s(&p)]);
    assert!(o.status.success(), "{}", text(&o));
    let sol = p.join("Verifier.sol");
    let o = zkinfer(&["solidity", s(&p), "--out", s(&sol)]);
    assert!(text(&o).contains("accepts proofs of this model only"), "{}", text(&o));
    let source = std::fs::read_to_string(&sol).unwrap();
    assert!(source.contains(&format!("uint256 constant ZKINFER_MODEL_ID = {id};")), "the pinned id");
    let o = zkinfer(&["solidity", s(&p), "--out", s(&sol), "--any-model"]);
    assert!(text(&o).contains("accepts proofs of any weights"), "{}", text(&o));
    assert!(!std::fs::read_to_string(&sol).unwrap().contains("ZKINFER_MODEL_ID"), "no pinned id");

    // A salt: generated into a new file, read back from it; the id changes with it.
    let salt = dir.join("salt.hex");
    let _ = std::fs::remove_file(&salt);
    let salted = |out: &str| {
        let o = zkinfer(&[
            "compile",
            s(&model),
            "--out",
            s(&dir.join(out)),
            "--param-visibility",
            "hashed",
            "--param-salt",
            s(&salt),
        ]);
        assert!(o.status.success(), "{}", text(&o));
        assert!(text(&o).contains("salted: only whoever holds the weights and the salt"), "{}", text(&o));
        let settings: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(out).join("settings.json")).unwrap()).unwrap();
        (text(&o), settings["model_id"].as_str().unwrap().to_string())
    };
    let (first, salted_id) = salted("s1");
    assert!(first.contains("wrote a new parameter salt"), "{first}");
    assert_eq!(std::fs::read_to_string(&salt).unwrap().trim().len(), 64);
    let (second, again) = salted("s2");
    assert!(!second.contains("wrote a new parameter salt"), "{second}");
    assert_eq!(salted_id, again, "the same salt file gives the same id");
    assert_ne!(salted_id, id, "the salt changes the id");
    let o = zkinfer(&["compile", s(&model), "--out", s(&p), "--param-salt", s(&salt)]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("a parameter salt needs hashed parameters"), "{}", text(&o));
    std::fs::write(&salt, "0x1234").unwrap();
    let o = zkinfer(&["compile", s(&model), "--out", s(&p), "--param-visibility", "hashed", "--param-salt", s(&salt)]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("a parameter salt is 0x and 62 hex digits"), "{}", text(&o));
    let o = zkinfer(&["compile", s(&model), "--out", s(&p), "--param-visibility", "open"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("expected fixed, private or hashed"), "{}", text(&o));
}
