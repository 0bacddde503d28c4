//! End to end through ONNX, the ops of attention: Softmax, LogSoftmax (both axis conventions),
//! Div and MatMul of two activations, and LayerNormalization are imported, quantized and proven
//! under MockProver; the circuit's output is close to the f32 reference, and an output cell
//! off by one is rejected.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use common::*;
use zkinfer_circuits::{plan_circuit, CellOverride, Fr, ModelCircuit, PlanOptions};
use zkinfer_graph::{calibrate, quantize, QGraph, QOp, QuantConfig, VisibilityConfig};
use zkinfer_onnx::testing::{float_info, float_tensor, int_attr, model_bytes, node, string_attr, values};

/// `h = x W` (shape [2, 3, 4]), then `op` with `axis` at `opset`.
fn model(op: &str, axis: i64, opset: i64) -> Vec<u8> {
    let nodes = vec![
        node("MatMul", &["x", "w"], "h", vec![]),
        node("Reshape", &["h", "shape"], "r", vec![]),
        node(op, &["r"], "y", vec![int_attr("axis", axis)]),
    ];
    let initializers = vec![
        float_tensor("w", &[6, 24], values(3, 144).iter().map(|v| v * 1.5).collect()),
        float_tensor("shape", &[3], vec![2.0, 3.0, 4.0]),
    ];
    model_bytes(opset, nodes, initializers, float_info("x", &[1, 6]), float_info("y", &[2, 3, 4]))
}

/// `y = x / (x * x + 1)`: a divisor that is an activation.
fn div_model() -> Vec<u8> {
    let nodes = vec![
        node("Mul", &["x", "x"], "sq", vec![]),
        node("Add", &["sq", "one"], "den", vec![]),
        node("Div", &["x", "den"], "y", vec![]),
    ];
    let initializers = vec![float_tensor("one", &[], vec![1.0])];
    model_bytes(13, nodes, initializers, float_info("x", &[1, 6]), float_info("y", &[1, 6]))
}

/// `q = x Wq` as [2, 4], `k = x Wk` as [4, 2], `y = q k`: a product of two activations.
fn matmul_model() -> Vec<u8> {
    let nodes = vec![
        node("MatMul", &["x", "wq"], "q0", vec![]),
        node("Reshape", &["q0", "sq"], "q", vec![]),
        node("MatMul", &["x", "wk"], "k0", vec![]),
        node("Reshape", &["k0", "sk"], "k", vec![]),
        node("MatMul", &["q", "k"], "y", vec![]),
    ];
    let initializers = vec![
        float_tensor("wq", &[6, 8], values(4, 48)),
        float_tensor("wk", &[6, 8], values(5, 48)),
        float_tensor("sq", &[2], vec![2.0, 4.0]),
        float_tensor("sk", &[2], vec![4.0, 2.0]),
    ];
    model_bytes(13, nodes, initializers, float_info("x", &[1, 6]), float_info("y", &[2, 2]))
}

/// `h = x W` as [2, 4], then LayerNormalization over the last axis with scale and bias.
fn layer_norm_model() -> Vec<u8> {
    let nodes = vec![
        node("MatMul", &["x", "w"], "h0", vec![]),
        node("Reshape", &["h0", "shape"], "h", vec![]),
        node("LayerNormalization", &["h", "gamma", "beta"], "y", vec![int_attr("axis", -1)]),
    ];
    let initializers = vec![
        float_tensor("w", &[6, 8], values(6, 48)),
        float_tensor("shape", &[2], vec![2.0, 4.0]),
        float_tensor("gamma", &[4], vec![1.0, 0.5, -2.0, 1.5]),
        float_tensor("beta", &[4], vec![0.0, 0.25, -0.5, 1.0]),
    ];
    model_bytes(17, nodes, initializers, float_info("x", &[1, 6]), float_info("y", &[2, 4]))
}

/// The `Attention` op (opset 23) over computed Q, K and V `[1, 4, 6]` (3-D, two query heads
/// over one key/value head), causal: built from its function body, the mask folded.
fn attention_op_model() -> Vec<u8> {
    let nodes = vec![
        node("MatMul", &["x", "wq"], "q0", vec![]),
        node("Reshape", &["q0", "s"], "q", vec![]),
        node("MatMul", &["x", "wk"], "k0", vec![]),
        node("Reshape", &["k0", "s3"], "k", vec![]),
        node("MatMul", &["x", "wv"], "v0", vec![]),
        node("Reshape", &["v0", "s3"], "v", vec![]),
        node(
            "Attention",
            &["q", "k", "v"],
            "y",
            vec![int_attr("q_num_heads", 2), int_attr("kv_num_heads", 1), int_attr("is_causal", 1)],
        ),
    ];
    let initializers = vec![
        float_tensor("wq", &[6, 24], values(7, 144)),
        float_tensor("wk", &[6, 12], values(8, 72)),
        float_tensor("wv", &[6, 12], values(9, 72)),
        float_tensor("s", &[3], vec![1.0, 4.0, 6.0]),
        float_tensor("s3", &[3], vec![1.0, 4.0, 3.0]),
    ];
    model_bytes(23, nodes, initializers, float_info("x", &[1, 6]), float_info("y", &[1, 4, 6]))
}

/// `Einsum("ij,kj->ik")` of `q = x Wq` and `k = x Wk` (both [2, 4]): `q kᵀ` as the op builds it
/// (a Transpose and a MatMul of two activations).
fn einsum_model() -> Vec<u8> {
    let eq = string_attr("equation", "ij,kj->ik");
    let nodes = vec![
        node("MatMul", &["x", "wq"], "q0", vec![]),
        node("Reshape", &["q0", "s"], "q", vec![]),
        node("MatMul", &["x", "wk"], "k0", vec![]),
        node("Reshape", &["k0", "s"], "k", vec![]),
        node("Einsum", &["q", "k"], "y", vec![eq]),
    ];
    let initializers = vec![
        float_tensor("wq", &[6, 8], values(10, 48)),
        float_tensor("wk", &[6, 8], values(11, 48)),
        float_tensor("s", &[2], vec![2.0, 4.0]),
    ];
    model_bytes(13, nodes, initializers, float_info("x", &[1, 6]), float_info("y", &[2, 2]))
}

fn samples() -> Vec<Vec<f32>> {
    (0..6).map(|s| values(20 + s, 6).iter().map(|v| v * 2.0).collect()).collect()
}

/// Imports, calibrates, quantizes and plans `bytes`; checks every sample against f32 within
/// `tol` and under MockProver, and that an output cell off by one is rejected.
fn check(bytes: &[u8], tol: f64) -> QGraph {
    let g = zkinfer_onnx::parse(bytes).expect("import");
    let samples = samples();
    let calib = calibrate(&g, zkinfer_graph::one_input_samples(samples.clone())).expect("calibrate");
    let config = QuantConfig { table_bits: 9, ..QuantConfig::default() };
    let q = quantize(&g, &calib, &config, &VisibilityConfig::default()).expect("quantize");
    let p = plan_circuit(&q, &PlanOptions { max_limb_bits: 8, ..PlanOptions::default() }).expect("plan");
    for x in &samples[..2] {
        let w = q.eval(q.quantize_input(x).expect("in range")).expect("eval");
        assert_eq!(mock(&q, &p, &w, vec![], None), Ok(()), "{}", p.summary());
        let got = q.dequantize_output(0, w.output(&q, 0));
        let want = g.eval(x).expect("f32");
        for (a, b) in got.iter().zip(want.iter()) {
            assert!((a - f64::from(*b)).abs() < tol, "{a} vs {b}: {got:?} vs {want:?}");
        }
    }
    let w = q.eval(q.quantize_input(&samples[0]).expect("in range")).expect("eval");
    let c = ModelCircuit::new(Arc::new(q.clone()), p.clone(), None);
    let cells = c.output_cells(0).expect("layout");
    for &(col, row) in [cells[0], cells[cells.len() - 1]].iter() {
        let honest = mock_values(&q, &p, &w, &[(col, row)])[0];
        let r = mock(&q, &p, &w, vec![CellOverride { column: col, row, value: honest + Fr::one() }], None);
        assert!(r.is_err(), "an output off by one must be rejected");
    }
    q
}

fn has_div(q: &QGraph) -> bool {
    q.nodes.iter().any(|n| matches!(n.op, QOp::Div(_)))
}

#[test]
fn softmax_is_proven_and_sums_to_one() {
    for (axis, opset) in [(-1, 13), (1, 13), (1, 11)] {
        let q = check(&model("Softmax", axis, opset), 2e-3);
        assert!(has_div(&q));
        let g = zkinfer_onnx::parse(&model("Softmax", axis, opset)).expect("import");
        let y = g.eval(&samples()[0]).expect("f32");
        // Opset 11 normalizes the trailing 3x4 block of each batch; 13 one axis.
        let groups = if opset == 11 {
            2
        } else if axis == 1 {
            8
        } else {
            6
        };
        assert!((y.iter().map(|&v| f64::from(v)).sum::<f64>() - groups as f64).abs() < 1e-4);
    }
}

#[test]
fn log_softmax_is_proven() {
    for (axis, opset) in [(-1, 13), (1, 11)] {
        check(&model("LogSoftmax", axis, opset), 5e-3);
    }
}

#[test]
fn div_by_an_activation_is_proven() {
    let q = check(&div_model(), 1e-3);
    assert!(has_div(&q));
}

#[test]
fn matmul_of_two_activations_is_proven() {
    let q = check(&matmul_model(), 1e-3);
    // 2x4 times 4x2: 16 products in one Mul node.
    assert!(q.nodes.iter().any(|n| matches!(&n.op, QOp::Mul(m) if m.a_index.len() == 16)));
}

#[test]
fn layer_norm_is_proven() {
    check(&layer_norm_model(), 2e-2);
}

#[test]
fn the_attention_op_is_proven() {
    let q = check(&attention_op_model(), 2e-2);
    // Two products of activations (Q Kᵀ and P V), and no constant -inf left in the circuit.
    assert!(q.nodes.iter().filter(|n| matches!(n.op, QOp::Mul(_))).count() >= 2);
}

#[test]
fn einsum_of_two_activations_is_proven() {
    check(&einsum_model(), 1e-3);
}
