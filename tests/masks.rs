//! Causal masks as exporters write them, ahead of Softmax: an additive `-1e4`, `-1e9`, `-inf`
//! or float32's lowest value, and `Where(mask, scores, -inf)`. Softmax's exponential is constant
//! (0) below about `-(s+1)·ln 2`, so the circuit clamps its table input there and the result is
//! the unclamped integer function's, bit for bit: each model compiles, its witness passes
//! `MockProver`, and it proves and verifies with the output of the f32 reference.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::*;
use zkinfer::{CompileOptions, Model, Sample};
use zkinfer_onnx::proto::tensor_proto::DataType;
use zkinfer_onnx::proto::TensorProto;
use zkinfer_onnx::testing::{float_info, float_tensor, int_attr, model_bytes, node};

/// Sequence length and width of the toy attention block.
const T: usize = 4;
const D: usize = 3;

fn weight_values(rows: usize, cols: usize, seed: usize) -> Vec<f32> {
    (0..rows * cols).map(|i| ((i * 37 + seed * 13 + 11) % 61) as f32 / 30.0 - 1.0).collect()
}

fn weights(name: &str, rows: usize, cols: usize, seed: usize) -> TensorProto {
    float_tensor(name, &[rows as i64, cols as i64], weight_values(rows, cols, seed))
}

/// Whether score `(i, j)` (flat `i·T + j`) is masked: a key after the query.
fn above(flat: usize) -> bool {
    flat % T > flat / T
}

/// A position bias (ALiBi-like: a penalty growing with the distance to the key) that
/// [`Mask::BiasCast`] adds where it does not mask.
fn distance_bias(flat: usize) -> f32 {
    -0.25 * ((flat / T) as f32 - (flat % T) as f32)
}

/// What the mask adds to score `flat`.
fn addend(mask: Mask, flat: usize) -> f32 {
    match mask {
        Mask::Add(fill) | Mask::Where(fill) | Mask::BiasCast(fill) if above(flat) => fill,
        Mask::BiasCast(_) => distance_bias(flat),
        _ => 0.0,
    }
}

/// The model in f64 with the mask as written: `e^(fill + s - max)` underflows to 0 by itself.
fn reference(x: &[f32], mask: Mask) -> Vec<f64> {
    let mm = |a: &[f64], b: &[f32], n: usize, k: usize, m: usize| -> Vec<f64> {
        (0..n * m).map(|o| (0..k).map(|t| a[o / m * k + t] * f64::from(b[t * m + o % m])).sum()).collect()
    };
    let x: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
    let (q, k, v) = (
        mm(&x, &weight_values(D, D, 1), T, D, D),
        mm(&x, &weight_values(D, D, 2), T, D, D),
        mm(&x, &weight_values(D, D, 3), T, D, D),
    );
    let mut p = vec![0.0; T * T];
    for i in 0..T {
        let s: Vec<f64> = (0..T)
            .map(|j| (0..D).map(|t| q[i * D + t] * k[j * D + t]).sum::<f64>() + f64::from(addend(mask, i * T + j)))
            .collect();
        let m = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = s.iter().map(|v| (v - m).exp()).collect();
        let sum: f64 = e.iter().sum();
        for j in 0..T {
            p[i * T + j] = e[j] / sum;
        }
    }
    let v32: Vec<f32> = v.iter().map(|&a| a as f32).collect();
    mm(&p, &v32, T, T, D)
}

/// How the mask reaches the scores.
#[derive(Clone, Copy, Debug)]
enum Mask {
    /// `scores + m`, `m = fill` above the diagonal and 0 on and below it.
    Add(f32),
    /// `Where(causal, scores, fill)` with a boolean `causal` constant.
    Where(f32),
    /// `Cast(scores + m)` to float, as ONNX's Attention function body writes it, with `m` the
    /// fill above the diagonal and a position bias ([`distance_bias`]) on and below it.
    BiasCast(f32),
}

/// `softmax(x Wq (x Wk)^T + mask) x Wv`, x of shape [T, D], written into `dir`.
fn model_file(dir: &str, mask: Mask) -> std::path::PathBuf {
    let mut nodes = vec![
        node("MatMul", &["x", "wq"], "q", vec![]),
        node("MatMul", &["x", "wk"], "k", vec![]),
        node("MatMul", &["x", "wv"], "v", vec![]),
        node("Transpose", &["k"], "kt", vec![]),
        node("MatMul", &["q", "kt"], "scores", vec![]),
    ];
    let mut initializers = vec![weights("wq", D, D, 1), weights("wk", D, D, 2), weights("wv", D, D, 3)];
    match mask {
        Mask::Add(fill) => {
            let m = (0..T * T).map(|i| if above(i) { fill } else { 0.0 }).collect();
            initializers.push(float_tensor("mask", &[T as i64, T as i64], m));
            nodes.push(node("Add", &["scores", "mask"], "masked", vec![]));
        }
        Mask::Where(fill) => {
            initializers.push(TensorProto {
                name: Some("causal".into()),
                dims: vec![T as i64, T as i64],
                data_type: Some(DataType::Bool as i32),
                int32_data: (0..T * T).map(|i| i32::from(!above(i))).collect(),
                ..Default::default()
            });
            initializers.push(float_tensor("fill", &[], vec![fill]));
            nodes.push(node("Where", &["causal", "scores", "fill"], "masked", vec![]));
        }
        Mask::BiasCast(_) => {
            let m = (0..T * T).map(|i| addend(mask, i)).collect();
            initializers.push(float_tensor("mask", &[T as i64, T as i64], m));
            nodes.push(node("Add", &["scores", "mask"], "biased", vec![]));
            nodes.push(node("Cast", &["biased"], "masked", vec![int_attr("to", DataType::Float as i64)]));
        }
    }
    nodes.push(node("Softmax", &["masked"], "p", vec![int_attr("axis", -1)]));
    nodes.push(node("MatMul", &["p", "v"], "y", vec![]));
    let bytes = model_bytes(
        17,
        nodes,
        initializers,
        float_info("x", &[T as i64, D as i64]),
        float_info("y", &[T as i64, D as i64]),
    );
    let path = scratch(dir).join("masked_attention.onnx");
    std::fs::write(&path, bytes).expect("write model");
    path
}

fn samples() -> Vec<Sample> {
    (0..6).map(|s| vec![(0..T * D).map(|i| (((s * 7 + i * 3) % 11) as f32 / 5.0) - 1.0).collect()]).collect()
}

/// Compiles the masked model, checks its witness with `MockProver` and its output against f32.
fn check(dir: &str, mask: Mask) {
    let model = Model::load(model_file(dir, mask)).expect("load");
    let samples = samples();
    let compiled = model.compile(&samples, &CompileOptions::default()).unwrap_or_else(|e| panic!("{mask:?}: {e}"));
    for input in &samples {
        let reference = reference(&input[0], mask);
        let err = mock_error(&compiled, input, &reference, &format!("{mask:?}"));
        assert!(err < 2e-3, "{mask:?}: output error {err}");
        // The f32 graph as imported (the mask folded) agrees with the model as written.
        let folded = model.eval(input).expect("f32").remove(0);
        let err = folded.iter().zip(&reference).map(|(a, b)| (f64::from(*a) - b).abs()).fold(0.0, f64::max);
        assert!(err < 1e-5, "{mask:?}: folded f32 error {err}");
    }
}

#[test]
fn an_additive_mask_of_minus_ten_thousand_proves() {
    check("mask_add_1e4", Mask::Add(-1e4));
}

#[test]
fn an_additive_mask_of_minus_1e9_proves() {
    check("mask_add_1e9", Mask::Add(-1e9));
}

#[test]
fn an_additive_mask_of_minus_infinity_proves() {
    check("mask_add_inf", Mask::Add(f32::NEG_INFINITY));
}

#[test]
fn an_additive_mask_of_the_lowest_float_proves() {
    check("mask_add_lowest", Mask::Add(f32::MIN));
}

#[test]
fn a_where_mask_of_minus_infinity_proves() {
    check("mask_where_inf", Mask::Where(f32::NEG_INFINITY));
}

/// The fills fold into the Softmax through the Cast, and the bias stays an Add.
#[test]
fn a_causal_mask_with_a_position_bias_behind_a_cast_proves() {
    check("mask_bias_cast", Mask::BiasCast(f32::NEG_INFINITY));
    let path = model_file("mask_bias_cast_graph", Mask::BiasCast(f32::NEG_INFINITY));
    let model = zkinfer_onnx::decode_model(&std::fs::read(&path).expect("read")).expect("decode");
    let g = zkinfer_onnx::import_model(&model).expect("import");
    let ops: Vec<&str> = g.nodes.iter().map(|n| n.op.name()).collect();
    assert!(ops.contains(&"Add") && !ops.contains(&"Cast"), "{ops:?}");
}

#[test]
fn a_masked_attention_block_proves_and_verifies() {
    let model = Model::load(model_file("mask_prove", Mask::Add(f32::NEG_INFINITY))).expect("load");
    let samples = samples();
    let compiled = model.compile(&samples, &CompileOptions::default()).expect("compile");
    let keys = zkinfer::setup(&compiled, zkinfer::Srs::Dev).expect("setup");
    let bundle = zkinfer::prove(&compiled, &keys, &samples[2]).expect("prove");
    zkinfer::verify(&keys.verifier(), &bundle).expect("honest proof verifies");
}

#[test]
fn a_row_with_every_element_masked_is_refused_by_name() {
    // Mask the whole first row as well: its f32 softmax is NaN (or uniform for a finite fill).
    let path = model_file("mask_full_row", Mask::Add(-1e4));
    let mut model = zkinfer_onnx::decode_model(&std::fs::read(&path).expect("read")).expect("decode");
    let graph = model.graph.as_mut().expect("graph");
    let mask = graph.initializer.iter_mut().find(|t| t.name() == "mask").expect("mask");
    mask.float_data[0] = -1e4;
    let err = zkinfer_onnx::import_model(&model).expect_err("a fully masked row");
    assert!(err.to_string().contains("every element is masked"), "{err}");
}
