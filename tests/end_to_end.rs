//! Compile, setup, prove and verify the bundled digit models, the smooth-activation MLP and the
//! GPT-style model through the library API, and check that tampered proofs and public outputs
//! are rejected.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::*;
use zkinfer::{CompileOptions, Error, Sample, Srs};

fn prove_and_check(name: &str) {
    let (model, compiled) = compile(name, &CompileOptions::default());
    let input = input(name, &model);
    let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
    let bundle = zkinfer::prove(&compiled, &keys, &input).expect("prove");
    let vkeys = keys.verifier();
    zkinfer::verify(&vkeys, &bundle).expect("honest proof verifies");

    let reference = float_output(name);
    let logits = &bundle.outputs[0].values;
    let err = logits.iter().zip(&reference).map(|(a, b)| (a - b).abs()).fold(0f64, f64::max);
    println!("{name}: k={} max |zk - f32| = {err:.2e}", compiled.circuit().k());
    assert!(err < 1e-2, "{name}: output error {err} too large");
    assert_eq!(argmax(logits), argmax(&reference), "{name}: argmax differs");

    // One flipped byte anywhere in the proof is rejected.
    let proof = bundle.proof_bytes().expect("hex");
    for pos in [0, proof.len() / 3, proof.len() / 2, proof.len() - 1] {
        let mut bad = proof.clone();
        bad[pos] ^= 1;
        let mut tampered = bundle.clone();
        tampered.proof = format!("0x{}", bad.iter().map(|b| format!("{b:02x}")).collect::<String>());
        assert!(
            matches!(zkinfer::verify(&vkeys, &tampered), Err(Error::Verify(_))),
            "{name}: flipped byte {pos} accepted"
        );
    }

    // A changed public output (consistently edited everywhere in the file) is rejected by the proof check.
    let mut forged = bundle.clone();
    let last = forged.instances.len() - 1;
    let out = &mut forged.outputs[0];
    let n = out.quantized.len();
    let target = out.quantized[n - 1] + 1;
    out.quantized[n - 1] = target;
    out.values[n - 1] = target as f64 / (1u64 << out.scale) as f64;
    forged.instances[last] = forged_instance(target);
    assert!(matches!(zkinfer::verify(&vkeys, &forged), Err(Error::Verify(_))), "{name}: forged output accepted");

    // Outputs in the file that disagree with the instances are caught before the proof check.
    let mut lying = bundle.clone();
    lying.outputs[0].values[0] += 1.0;
    assert!(matches!(zkinfer::verify(&vkeys, &lying), Err(Error::BadProof(_))));
    // So is a file that drops its public output, or renames it.
    let mut dropped = bundle.clone();
    dropped.outputs.clear();
    assert!(matches!(zkinfer::verify(&vkeys, &dropped), Err(Error::BadProof(_))));
    let mut renamed = bundle.clone();
    renamed.outputs[0].name.push('x');
    assert!(matches!(zkinfer::verify(&vkeys, &renamed), Err(Error::BadProof(_))));
}

fn forged_instance(v: i64) -> String {
    zkinfer::encode_instance(v)
}

#[test]
fn mlp_digits_end_to_end() {
    prove_and_check("mlp_digits");
}

#[test]
fn cnn_digits_end_to_end() {
    prove_and_check("cnn_digits");
}

/// A digit classifier with a Tanh and a Sigmoid layer (`scripts/make-mlp-act.py`): its two
/// interpolated tables are sized by the planner (coarser than `table_bits` allows, while their
/// interpolation stays within half a unit of the output scale), against onnxruntime.
#[test]
fn mlp_act_end_to_end() {
    prove_and_check("mlp_act");
}

/// Two GPT blocks on int64 `input_ids` (`scripts/make-gpt-tiny.py`): token embedding by a
/// witness id, nanoGPT's `Where(tril == 0, -inf, scores)` mask, decomposed LayerNorm and tanh
/// GELU, against onnxruntime's next-token logits.
#[test]
fn gpt_tiny_end_to_end() {
    prove_and_check("gpt_tiny");
}

/// The new-op fixture (BatchNorm folded into Conv, depthwise Conv, AveragePool, Transpose, Concat,
/// GlobalAveragePool) proves and verifies, and matches onnx's reference output.
#[test]
fn small_cnn_fixture_end_to_end() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/onnx-import/tests/fixtures");
    let model = zkinfer::Model::load(dir.join("small_cnn.onnx")).expect("imports");
    let fixture: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("small_cnn.json")).expect("fixture")).expect("json");
    let flat = |v: &serde_json::Value| -> Vec<f32> {
        fn walk(v: &serde_json::Value, out: &mut Vec<f32>) {
            match v {
                serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
                x => out.push(x.as_f64().expect("number") as f32),
            }
        }
        let mut out = Vec::new();
        walk(v, &mut out);
        out
    };
    let input = vec![flat(&fixture["input"])];
    let samples: Vec<Sample> = flat(&fixture["calibration"]).chunks(input[0].len()).map(|c| vec![c.to_vec()]).collect();
    let compiled = model.compile(&samples, &CompileOptions::default()).expect("compiles");
    let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
    let bundle = zkinfer::prove(&compiled, &keys, &input).expect("prove");
    zkinfer::verify(&keys.verifier(), &bundle).expect("verifies");
    let reference: Vec<f64> = flat(&fixture["output"]).iter().map(|&v| v as f64).collect();
    let err = bundle.outputs[0].values.iter().zip(&reference).map(|(a, b)| (a - b).abs()).fold(0f64, f64::max);
    assert!(err < 1e-2, "small_cnn: error {err}");
}
