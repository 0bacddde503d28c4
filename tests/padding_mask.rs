//! Padding masks computed from an input, as Hugging Face exporters write them ahead of Softmax:
//! `scores + (1 - float(attention_mask))·fill` with an int64 `attention_mask` and float32's
//! lowest value, and `Where(keep, scores, -inf)` with a boolean input. The mask is folded into
//! the Softmax (`SoftmaxKeep`): the circuit holds the mask to 0 or 1 and replaces the fill by a
//! bounded one that provably vanishes, so each model's witness passes `MockProver` with the
//! output of an f64 reference of the model as written, and one proves and verifies.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::mock_error;
use zkinfer::{CompileOptions, Model, Sample};
use zkinfer_onnx::proto::tensor_proto::DataType;
use zkinfer_onnx::proto::type_proto::Value as Type;
use zkinfer_onnx::proto::ValueInfoProto;
use zkinfer_onnx::testing::{float_info, float_tensor, int_attr, model_bytes_io, node};

const T: usize = 4;
const D: usize = 3;

fn weight_values(seed: usize) -> Vec<f32> {
    (0..D * D).map(|i| ((i * 37 + seed * 13 + 11) % 61) as f32 / 30.0 - 1.0).collect()
}

fn typed_info(name: &str, dims: &[i64], t: DataType) -> ValueInfoProto {
    let mut info = float_info(name, dims);
    if let Some(Type::TensorType(tt)) = info.r#type.as_mut().and_then(|t| t.value.as_mut()) {
        tt.elem_type = Some(t as i32);
    }
    info
}

/// How the mask reaches the scores.
#[derive(Clone, Copy, Debug)]
enum Form {
    /// `scores + (1 - Cast(mask))·f32::MIN`, `mask` int64.
    Additive,
    /// `Where(keep, scores, -inf)`, `keep` boolean.
    Where,
}

/// `softmax(x Wq (x Wk)^T masked by keys) x Wv`.
fn model(form: Form) -> Model {
    let mut nodes = vec![
        node("MatMul", &["x", "wq"], "q", vec![]),
        node("MatMul", &["x", "wk"], "k", vec![]),
        node("MatMul", &["x", "wv"], "v", vec![]),
        node("Transpose", &["k"], "kt", vec![]),
        node("MatMul", &["q", "kt"], "scores", vec![]),
    ];
    let mut init =
        (1..=3).map(|s| float_tensor(["wq", "wk", "wv"][s - 1], &[3, 3], weight_values(s))).collect::<Vec<_>>();
    let mask_type = match form {
        Form::Additive => {
            nodes.push(node("Cast", &["mask"], "maskf", vec![int_attr("to", DataType::Float as i64)]));
            nodes.push(node("Sub", &["one", "maskf"], "inv", vec![]));
            nodes.push(node("Mul", &["inv", "lowest"], "fill", vec![]));
            nodes.push(node("Add", &["scores", "fill"], "masked", vec![]));
            init.push(float_tensor("one", &[], vec![1.0]));
            init.push(float_tensor("lowest", &[], vec![f32::MIN]));
            DataType::Int64
        }
        Form::Where => {
            nodes.push(node("Where", &["mask", "scores", "ninf"], "masked", vec![]));
            init.push(float_tensor("ninf", &[], vec![f32::NEG_INFINITY]));
            DataType::Bool
        }
    };
    nodes.push(node("Softmax", &["masked"], "p", vec![int_attr("axis", -1)]));
    nodes.push(node("MatMul", &["p", "v"], "y", vec![]));
    let inputs = vec![float_info("x", &[T as i64, D as i64]), typed_info("mask", &[1, T as i64], mask_type)];
    let bytes = model_bytes_io(17, nodes, init, inputs, vec![float_info("y", &[T as i64, D as i64])]);
    Model { graph: zkinfer_onnx::parse(&bytes).expect("import"), source: "padding_mask.onnx".into() }
}

/// The model in f64 as written: masked keys get `e^(fill + s - max) = 0`.
fn reference(x: &[f32], keep: &[f32]) -> Vec<f64> {
    let mm = |a: &[f64], w: &[f32], n: usize, k: usize, m: usize| -> Vec<f64> {
        (0..n * m).map(|o| (0..k).map(|t| a[o / m * k + t] * f64::from(w[t * m + o % m])).sum()).collect()
    };
    let x: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
    let (q, k, v) =
        (mm(&x, &weight_values(1), T, D, D), mm(&x, &weight_values(2), T, D, D), mm(&x, &weight_values(3), T, D, D));
    let mut p = vec![0.0; T * T];
    for i in 0..T {
        let s: Vec<f64> = (0..T).map(|j| (0..D).map(|t| q[i * D + t] * k[j * D + t]).sum()).collect();
        let m = (0..T).filter(|&j| keep[j] != 0.0).map(|j| s[j]).fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = (0..T).map(|j| if keep[j] != 0.0 { (s[j] - m).exp() } else { 0.0 }).collect();
        let sum: f64 = e.iter().sum();
        for j in 0..T {
            p[i * T + j] = e[j] / sum;
        }
    }
    let v32: Vec<f32> = v.iter().map(|&a| a as f32).collect();
    mm(&p, &v32, T, T, D)
}

fn samples() -> Vec<Sample> {
    let masks =
        [[1.0, 1.0, 1.0, 0.0], [1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0], [0.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0]];
    (0..masks.len())
        .map(|s| vec![(0..T * D).map(|i| (((s * 7 + i * 3) % 11) as f32 / 5.0) - 1.0).collect(), masks[s].to_vec()])
        .collect()
}

fn check(form: Form) {
    let model = model(form);
    let ops: Vec<&str> = model.graph.nodes.iter().map(|n| n.op.name()).collect();
    assert!(!ops.contains(&"Where") && !ops.contains(&"Add"), "{form:?}: the mask is folded: {ops:?}");
    let samples = samples();
    let compiled = model.compile(&samples, &CompileOptions::default()).unwrap_or_else(|e| panic!("{form:?}: {e}"));
    for input in &samples {
        let reference = reference(&input[0], &input[1]);
        let err = mock_error(&compiled, input, &reference, &format!("{form:?}"));
        assert!(err < 2e-3, "{form:?} {:?}: output error {err}", input[1]);
    }
    // A mask that keeps no key leaves a row with nothing to normalize: refused, not guessed.
    let none = vec![samples[0][0].clone(), vec![0.0; T]];
    let err = compiled.witness(&none).expect_err("a fully masked row").to_string();
    assert!(err.contains("every element of a softmax row is masked") || err.contains("keeps an element"), "{err}");
}

#[test]
fn an_attention_mask_input_scaled_by_the_lowest_float_proves() {
    check(Form::Additive);
}

#[test]
fn a_boolean_keep_input_with_where_minus_infinity_proves() {
    check(Form::Where);
}

#[test]
fn a_padding_masked_block_proves_and_verifies_and_holds_the_mask_to_bits() {
    let model = model(Form::Additive);
    let samples = samples();
    let compiled = model.compile(&samples, &CompileOptions::default()).expect("compile");
    let keys = zkinfer::setup(&compiled, zkinfer::Srs::Dev).expect("setup");
    let bundle = zkinfer::prove(&compiled, &keys, &samples[1]).expect("prove");
    zkinfer::verify(&keys.verifier(), &bundle).expect("honest proof verifies");
    // An int64 mask of 2 would add +|fill| in the model as written; the circuit has no witness.
    let two = vec![samples[1][0].clone(), vec![1.0, 2.0, 0.0, 1.0]];
    let err = compiled.witness(&two).expect_err("a mask of 2").to_string();
    assert!(err.contains("0 or 1"), "{err}");
}
