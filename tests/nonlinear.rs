//! Lookup-table activations through the library API with the default settings: an ONNX model
//! with Sigmoid and Tanh (built here with prost) compiles, proves and verifies natively and in the
//! Solidity verifier (revm); an input that drives an activation outside its calibrated table
//! domain is an error naming the tensor before any proving work.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::*;
use zkinfer::{CompileOptions, Error, Model, Sample, Srs};
use zkinfer_graph::GraphError;
use zkinfer_onnx::testing::{float_info, float_tensor, model_bytes, node};
use zkinfer_verifier::evm::solidity::{deploy, VERIFIER_SOL};
use zkinfer_verifier::evm::{compile, encode_calldata, find_solc, Evm};

fn weights(name: &str, rows: usize, cols: usize) -> zkinfer_onnx::proto::TensorProto {
    let v = (0..rows * cols).map(|i| ((i * 37 + 11) % 61) as f32 / 30.0 - 1.0).collect();
    float_tensor(name, &[rows as i64, cols as i64], v)
}

/// `y = tanh(sigmoid(x W1) W2)`, x of shape [1, 4], written into a fresh scratch folder `dir`
/// (one per test: the tests run in parallel).
fn model_file(dir: &str) -> std::path::PathBuf {
    let nodes = vec![
        node("MatMul", &["x", "w1"], "h", vec![]),
        node("Sigmoid", &["h"], "s", vec![]),
        node("MatMul", &["s", "w2"], "o", vec![]),
        node("Tanh", &["o"], "y", vec![]),
    ];
    let initializers = vec![weights("w1", 4, 5), weights("w2", 5, 3)];
    let bytes = model_bytes(13, nodes, initializers, float_info("x", &[1, 4]), float_info("y", &[1, 3]));
    let path = scratch(dir).join("sigmoid_tanh.onnx");
    std::fs::write(&path, bytes).expect("write model");
    path
}

fn samples() -> Vec<Sample> {
    (0..6).map(|s| vec![(0..4).map(|i| (((s * 7 + i * 3) % 11) as f32 / 5.0) - 1.0).collect()]).collect()
}

#[test]
fn sigmoid_tanh_model_proves_and_verifies_with_default_settings() {
    let model = Model::load(model_file("nonlinear_native")).expect("load");
    let samples = samples();
    let compiled = model.compile(&samples, &CompileOptions::default()).expect("compile");
    println!("{}", compiled.circuit().summary());
    assert!(compiled.circuit().halo2().unwrap().lookup && compiled.circuit().halo2().unwrap().stats.table_rows > 1);
    let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
    let input = samples[3].clone();
    let bundle = zkinfer::prove(&compiled, &keys, &input).expect("prove");
    zkinfer::verify(&keys.verifier(), &bundle).expect("honest proof verifies");
    let reference = model.eval(&input).expect("f32");
    let err = bundle.max_abs_error(&reference);
    // 12-bit tables step the inputs to sigmoid and tanh by about 2^-9; interpolating between
    // the neighbouring entries leaves 4e-5 (measured).
    assert!(err < 5e-4, "output error {err}");

    // Far outside the calibration data: refused before proving, naming a tensor and the value.
    let mut refused = 0;
    for signs in 0..16u32 {
        let x: Vec<f32> = (0..4).map(|i| if signs >> i & 1 == 1 { 1.9 } else { -1.9 }).collect();
        match model_witness(&compiled, &x) {
            Ok(()) => {}
            Err(Error::Graph(e @ (GraphError::OutsideTable { .. } | GraphError::OutOfRange { .. }))) => {
                assert!(e.to_string().contains("recalibrate"), "{e}");
                refused += 1;
            }
            Err(other) => panic!("expected a range error, got {other:?}"),
        }
    }
    assert!(refused > 0, "every ±1.9 input was within the calibrated ranges");
}

/// The integer witness alone (the first step of proving).
fn model_witness(compiled: &zkinfer::Compiled, x: &[f32]) -> Result<(), Error> {
    compiled.witness(&[x.to_vec()]).map(|_| ())
}

/// The Solidity verifier interprets the constraint system, three-column lookups included.
#[test]
fn sigmoid_tanh_model_verifies_in_the_evm() {
    let solc = match find_solc(None) {
        Ok(p) => p,
        Err(e) if std::env::var_os("ZKINFER_SKIP_EVM").is_some() => return eprintln!("skipped: {e}"),
        Err(e) => panic!("{e}"),
    };
    let model = Model::load(model_file("nonlinear_evm")).expect("load");
    let samples = samples();
    let compiled = model.compile(&samples, &CompileOptions::default()).expect("compile");
    let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
    let bundle = zkinfer::prove(&compiled, &keys, &samples[1]).expect("prove");
    let vkeys = keys.verifier();
    let verifier = compile(&solc, &[("Verifier.sol", VERIFIER_SOL)], "Verifier.sol", "ZkinferVerifier").unwrap();
    let mut evm = Evm::new();
    let d = deploy(&mut evm, &verifier, &vkeys.halo2().unwrap().key_contracts().unwrap()).unwrap();
    let (proof, instances) = (bundle.proof_bytes().unwrap(), bundle.instance_values().unwrap());
    let honest = evm.call(d.verifier, encode_calldata(&proof, &instances)).unwrap();
    assert!(honest.returned_true(), "honest proof rejected: {honest:?}");
    eprintln!("sigmoid/tanh: k={} gas {}", compiled.circuit().k(), honest.gas_used);
    let mut flipped = proof.clone();
    flipped[proof.len() / 2] ^= 1;
    assert!(!evm.call(d.verifier, encode_calldata(&flipped, &instances)).unwrap().returned_true());
}
