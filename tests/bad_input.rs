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
    let path = unsupported_model(&scratch("unsupported_op"));
    let err = Model::load(path).expect_err("ImageDecoder is not supported");
    let msg = err.to_string();
    println!("{msg}");
    assert!(msg.contains("opset 17"), "{msg}");
    assert!(msg.contains("not supported") && msg.contains("ImageDecoder"), "{msg}");
}

#[test]
fn wrong_input_length_and_nan_are_clear_errors() {
    let (model, compiled) = compile("mlp_digits", &CompileOptions::default());
    let mut x = input("mlp_digits", &model);
    x[0].pop();
    let err = compiled.witness(&x).expect_err("short input");
    assert!(err.to_string().contains("63 values but the model expects 64"), "{err}");

    let mut x = input("mlp_digits", &model);
    x[0][5] = f32::NAN;
    let err = compiled.witness(&x).expect_err("NaN input");
    assert!(err.to_string().contains("#5") && err.to_string().contains("NaN"), "{err}");

    let mut x = input("mlp_digits", &model);
    x[0][3] = 1e6;
    let err = compiled.witness(&x).expect_err("far out of range");
    assert!(err.to_string().contains("outside the calibrated range"), "{err}");
}

/// A compiled circuit with a valid checksum but an out-of-range index (crafted, not corrupted)
/// is refused at load with a clear error instead of panicking later.
#[test]
fn crafted_compiled_circuit_is_refused_at_load() {
    let (_, compiled) = compile("mlp_digits", &CompileOptions::default());
    let dir = scratch("crafted_circuit");
    compiled.save(&dir).expect("save");
    let mut q = (*compiled.qgraph).clone();
    let node = q.nodes.iter_mut().find(|n| matches!(n.op, zkinfer_graph::QOp::Linear(_))).expect("a linear node");
    if let zkinfer_graph::QOp::Linear(l) = &mut node.op {
        l.index[0] = Some(1_000_000);
    }
    let bytes = serde_json::to_vec(&q).expect("json");
    zkinfer_prover::artifact::write_artifact(
        &dir.join("circuit.bin"),
        zkinfer_prover::artifact::ArtifactKind::Circuit,
        &bytes,
    )
    .expect("write");
    let err = zkinfer::Compiled::load(&dir).expect_err("crafted circuit must be refused");
    assert!(err.to_string().contains("linear index out of range"), "{err}");
}

/// A Groth16 model whose circuit.bin holds other weights than the ones settings.json was
/// compiled with (a valid file, another circuit) is refused at load by its digest.
#[test]
fn groth16_circuit_with_other_weights_is_refused_at_load() {
    let opts = CompileOptions { proof_system: zkinfer::ProofSystem::Groth16, ..CompileOptions::default() };
    let (_, compiled) = compile("mlp_digits", &opts);
    let dir = scratch("groth16_other_weights");
    compiled.save(&dir).expect("save");
    zkinfer::Compiled::load(&dir).expect("the saved model loads");
    let mut q = (*compiled.qgraph).clone();
    let node = q.nodes.iter_mut().find(|n| matches!(n.op, zkinfer_graph::QOp::Linear(_))).expect("a linear node");
    if let zkinfer_graph::QOp::Linear(l) = &mut node.op {
        l.weight[0] += 1;
    }
    let bytes = serde_json::to_vec(&q).expect("json");
    let path = dir.join("circuit.bin");
    zkinfer_prover::artifact::write_artifact(&path, zkinfer_prover::artifact::ArtifactKind::Circuit, &bytes)
        .expect("write");
    let err = zkinfer::Compiled::load(&dir).expect_err("another circuit must be refused");
    assert!(err.to_string().contains("another model or a changed file"), "{err}");
}
