//! Bad input gets a clear error that names the cause — never a panic.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::*;
use zkinfer::{CompileOptions, Error, Model};

#[test]
fn malformed_onnx_is_a_clear_error() {
    let dir = scratch("malformed_onnx");
    let path = dir.join("garbage.onnx");
    std::fs::write(&path, b"\x08\x07this is not a protobuf \xff\xff\xff").expect("write");
    let err = Model::load(&path).expect_err("garbage must not import");
    assert!(matches!(err, Error::Import(_)), "{err}");
    println!("{err}");

    let missing = Model::load(dir.join("missing.onnx")).expect_err("missing file");
    assert!(matches!(missing, Error::Io { .. }), "{missing}");
}

#[test]
fn unsupported_op_names_node_op_and_opset() {
    let err = Model::load(model_path("attn_tiny")).expect_err("attention is not supported yet");
    let msg = err.to_string();
    println!("{msg}");
    assert!(msg.contains("opset 17"), "{msg}");
    assert!(msg.contains("not supported") && msg.contains("softmax"), "{msg}");
}

#[test]
fn wrong_input_length_and_nan_are_clear_errors() {
    let (model, compiled) = compile("mlp_digits", &CompileOptions::default());
    let mut x = input("mlp_digits", &model);
    x.pop();
    let err = compiled.witness(&x).expect_err("short input");
    assert!(err.to_string().contains("63 values but the model expects 64"), "{err}");

    let mut x = input("mlp_digits", &model);
    x[5] = f32::NAN;
    let err = compiled.witness(&x).expect_err("NaN input");
    assert!(err.to_string().contains("#5") && err.to_string().contains("NaN"), "{err}");

    let mut x = input("mlp_digits", &model);
    x[3] = 1e6;
    let err = compiled.witness(&x).expect_err("far out of range");
    assert!(err.to_string().contains("outside the calibrated range"), "{err}");
}
