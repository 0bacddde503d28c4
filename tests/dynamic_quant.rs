//! A model as onnxruntime's dynamic quantization (`quantize_dynamic`) writes it: each MatMul
//! becomes `DynamicQuantizeLinear` of its activation (uint8, a scale and zero point computed
//! from the activation itself), `MatMulInteger` with int8 weights, a `Cast` to float and a `Mul`
//! by the product of the two scales. It imports, proves and verifies, and the proven output
//! stays within a few activation quantization steps of the float model it was quantized from.
//! `examples/dynamic_quant/mlp_digits_int8.onnx` is the bundled mlp_digits as onnxruntime itself
//! quantized it (`scripts/make-dynamic-quant.py`): its proof matches onnxruntime's output.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::scratch;
use zkinfer::{CompileOptions, Model, Sample, Srs};
use zkinfer_onnx::proto::NodeProto;
use zkinfer_onnx::testing::{float_info, float_tensor, int8_tensor, int_attr, model_bytes, node};

/// Float weights of a `rows x cols` layer.
fn weights(rows: usize, cols: usize, seed: usize) -> Vec<f32> {
    (0..rows * cols).map(|i| (((i * 37 + seed * 11) % 61) as f32 / 30.0 - 1.0) * 0.8).collect()
}

/// Symmetric int8 quantization of `w`: (values, scale), as `quantize_dynamic` does per tensor.
fn quantize(w: &[f32]) -> (Vec<i32>, f32) {
    let scale = w.iter().fold(0f32, |m, v| m.max(v.abs())) / 127.0;
    (w.iter().map(|v| (v / scale).round() as i32).collect(), scale)
}

/// The nodes of one dynamically quantized `x · W + b` named `l`, from `x` to `{l}_out`.
fn layer(l: &str, x: &str, w_scale: f32) -> (Vec<NodeProto>, Vec<zkinfer_onnx::proto::TensorProto>) {
    let n = |s: &str| format!("{l}_{s}");
    let mut dql = node("DynamicQuantizeLinear", &[x], &n("xq"), vec![]);
    dql.output.extend([n("xs"), n("xz")]);
    let nodes = vec![
        dql,
        node("MatMulInteger", &[&n("xq"), &n("wq"), &n("xz"), &n("wz")], &n("acc"), vec![]),
        node("Cast", &[&n("acc")], &n("accf"), vec![int_attr("to", 1)]),
        node("Mul", &[&n("xs"), &n("ws")], &n("s"), vec![]),
        node("Mul", &[&n("accf"), &n("s")], &n("mm"), vec![]),
        node("Add", &[&n("mm"), &n("b")], &n("out"), vec![]),
    ];
    let consts = vec![float_tensor(&n("ws"), &[], vec![w_scale]), int8_tensor(&n("wz"), &[], vec![0])];
    (nodes, consts)
}

/// `relu(x W1 + b1) W2 + b2`, x of 6 values, dynamically quantized; also the float model's
/// weights, for the reference.
fn model_file() -> (std::path::PathBuf, [Vec<f32>; 2], [Vec<f32>; 2]) {
    let (w1, w2) = (weights(6, 5, 1), weights(5, 3, 2));
    let (b1, b2): (Vec<f32>, Vec<f32>) = ((0..5).map(|i| i as f32 * 0.1 - 0.2).collect(), vec![0.1, -0.1, 0.05]);
    let ((q1, s1), (q2, s2)) = (quantize(&w1), quantize(&w2));
    let (mut nodes, mut inits) = layer("l1", "x", s1);
    nodes.push(node("Relu", &["l1_out"], "r", vec![]));
    let (n2, i2) = layer("l2", "r", s2);
    nodes.extend(n2);
    nodes.push(node("Identity", &["l2_out"], "y", vec![]));
    inits.extend(i2);
    inits.extend([
        int8_tensor("l1_wq", &[6, 5], q1),
        int8_tensor("l2_wq", &[5, 3], q2),
        float_tensor("l1_b", &[5], b1.clone()),
        float_tensor("l2_b", &[3], b2.clone()),
    ]);
    let bytes = model_bytes(13, nodes, inits, float_info("x", &[1, 6]), float_info("y", &[1, 3]));
    let path = scratch("dynamic_quant").join("mlp_dynamic_quant.onnx");
    std::fs::write(&path, bytes).expect("write model");
    (path, [w1, w2], [b1, b2])
}

/// Inputs off any simple grid: an exact tie `255·x / range = n + 1/2` rounds half to even in
/// the circuit but either way in f32, one activation step apart.
fn sample(s: usize) -> Sample {
    vec![(0..6).map(|i| (((s * 7 + i * 5) % 13) as f32 / 6.1) - 1.03).collect()]
}

/// The float model `relu(x W1 + b1) W2 + b2`.
fn float_model(x: &[f32], w: &[Vec<f32>; 2], b: &[Vec<f32>; 2]) -> Vec<f32> {
    let dense = |x: &[f32], w: &[f32], b: &[f32]| -> Vec<f32> {
        (0..b.len()).map(|j| b[j] + x.iter().enumerate().map(|(i, v)| v * w[i * b.len() + j]).sum::<f32>()).collect()
    };
    let h: Vec<f32> = dense(x, &w[0], &b[0]).into_iter().map(|v| v.max(0.0)).collect();
    dense(&h, &w[1], &b[1])
}

#[test]
fn an_onnxruntime_dynamically_quantized_mlp_proves_and_verifies() {
    let (path, w, b) = model_file();
    let model = Model::load(&path).expect("the dynamically quantized model imports");
    let samples: Vec<Sample> = (0..8).map(sample).collect();
    let compiled = model.compile(&samples, &CompileOptions::default()).expect("compile");
    let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
    let input = sample(3);
    let bundle = zkinfer::prove(&compiled, &keys, &input).expect("prove");
    zkinfer::verify(&keys.verifier(), &bundle).expect("honest proof verifies");

    // Against the graph's own f32 evaluation (the uint8 activations included).
    let reference = model.eval(&input).expect("f32");
    let err = bundle.max_abs_error(&reference);
    // Against the float model it was quantized from: within the uint8 steps of the two
    // activations (their ranges over 255, through the weights) and int8 weight rounding.
    let float = float_model(&input[0], &w, &b);
    let proven: Vec<f64> = bundle.outputs[0].values.clone();
    let drift = proven.iter().zip(&float).map(|(p, f)| (p - f64::from(*f)).abs()).fold(0.0, f64::max);
    assert!(err < 2e-3, "proven output vs the graph's f32: {err}");
    assert!(drift < 0.02, "proven output {proven:?} vs the float model {float:?}");
    std::fs::remove_dir_all(path.parent().expect("dir")).ok();
}

#[test]
fn mlp_digits_quantized_by_onnxruntime_proves_its_output() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/dynamic_quant");
    let model = Model::load(dir.join("mlp_digits_int8.onnx")).expect("onnxruntime's model imports");
    let samples = zkinfer::read_samples(dir.join("mlp_digits_int8.calibration.json"), &model).expect("calibration");
    let input = zkinfer::read_samples(dir.join("mlp_digits_int8.input.json"), &model).expect("input").remove(0);
    let reference = std::fs::read_to_string(dir.join("mlp_digits_int8.ort_output.json")).expect("reference");
    let ort: Vec<f64> = serde_json::from_str(&reference).expect("reference");
    let compiled = model.compile(&samples, &CompileOptions::default()).expect("compile");
    let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
    let bundle = zkinfer::prove(&compiled, &keys, &input).expect("prove");
    zkinfer::verify(&keys.verifier(), &bundle).expect("honest proof verifies");
    let proven = &bundle.outputs[0].values;
    let err = proven.iter().zip(&ort).map(|(p, o)| (p - o).abs()).fold(0.0, f64::max);
    // Logits of magnitude up to 10: the activation scales' fixed-point rounding, 1e-3 measured.
    assert!(err < 5e-3, "proven {proven:?} vs onnxruntime {ort:?}");
    assert_eq!(common::argmax(proven), common::argmax(&ort));
}
