//! The bundled models: f32 eval against onnxruntime's outputs, quantized eval against f32,
//! and the errors an unsupported or broken model gives.

use std::path::PathBuf;

use zkinfer_graph::io::{parse_input_data, split_samples};
use zkinfer_graph::{calibrate, quantize, Graph, QuantConfig, VisibilityConfig};
use zkinfer_onnx::{load, parse, ImportError};

fn models_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/models")
}

fn read(name: &str) -> String {
    let path = models_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn model(name: &str) -> Graph {
    load(models_dir().join(format!("{name}.onnx"))).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn input(name: &str) -> Vec<f32> {
    let rows = parse_input_data(&read(&format!("{name}.input.json"))).unwrap_or_else(|e| panic!("{e}"));
    rows.into_iter().next().unwrap_or_default()
}

/// onnxruntime's output: `{"output_data": [[...]], "shape": [...]}`.
fn expected(name: &str) -> (Vec<f32>, Vec<usize>) {
    let v: serde_json::Value = serde_json::from_str(&read(&format!("{name}.float_output.json"))).unwrap_or_default();
    let data = v["output_data"][0].as_array().map(|a| a.iter().filter_map(|x| x.as_f64()).map(|x| x as f32).collect());
    let shape = v["shape"].as_array().map(|a| a.iter().filter_map(|x| x.as_u64()).map(|x| x as usize).collect());
    (data.unwrap_or_default(), shape.unwrap_or_default())
}

fn argmax(v: impl IntoIterator<Item = f64>) -> usize {
    v.into_iter().enumerate().fold((0, f64::MIN), |best, (i, x)| if x > best.1 { (i, x) } else { best }).0
}

fn check_float(name: &str) {
    let g = model(name);
    let y = g.eval(&input(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let (want, shape) = expected(name);
    assert_eq!(y.shape(), shape.as_slice(), "{name}: output shape");
    let err = y.iter().zip(&want).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
    println!("{name}: f32 max abs err vs onnxruntime = {err:e}");
    assert!(err < 1e-4, "{name}: f32 output differs from onnxruntime by {err}");
}

fn check_quantized(name: &str) {
    let g = model(name);
    let len = g.input_shape(0).iter().product();
    let rows = parse_input_data(&read(&format!("{name}.calibration.json"))).unwrap_or_else(|e| panic!("{e}"));
    let samples = split_samples(rows, len).unwrap_or_else(|e| panic!("{e}"));
    let calib = calibrate(&g, zkinfer_graph::one_input_samples(samples)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let q = quantize(&g, &calib, &QuantConfig::default(), &VisibilityConfig::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let x = input(name);
    let w = q.eval(q.quantize_input(&x).unwrap_or_else(|e| panic!("{e}"))).unwrap_or_else(|e| panic!("{name}: {e}"));
    let got = q.dequantize_output(0, w.output(&q, 0));
    let want = g.eval(&x).unwrap_or_else(|e| panic!("{e}"));
    let err = got.iter().zip(want.iter()).fold(0f64, |m, (a, b)| m.max((a - *b as f64).abs()));
    println!("{name}: quantized max abs err vs f32 = {err:.3e} ({} nodes, {} MACs)", q.nodes.len(), q.macs());
    assert!(err < 1e-2, "{name}: quantized output differs from f32 by {err}");
    assert_eq!(argmax(got), argmax(want.iter().map(|&v| v as f64)), "{name}: argmax");
}

#[test]
fn mlp_digits_f32_matches_onnxruntime() {
    check_float("mlp_digits");
}

#[test]
fn cnn_digits_f32_matches_onnxruntime() {
    check_float("cnn_digits");
}

#[test]
fn mlp_wide_f32_matches_onnxruntime() {
    check_float("mlp_wide");
}

#[test]
fn mlp_digits_quantized_matches_f32() {
    check_quantized("mlp_digits");
}

#[test]
fn cnn_digits_quantized_matches_f32() {
    check_quantized("cnn_digits");
}

#[test]
fn mlp_wide_quantized_matches_f32() {
    check_quantized("mlp_wide");
}

#[test]
fn attn_tiny_imports_with_every_op_supported() {
    // MatMul of two activations, Softmax and LayerNormalization included.
    let g = load(models_dir().join("attn_tiny.onnx")).expect("attn_tiny imports");
    let ops: Vec<&str> = g.nodes.iter().map(|n| n.op.name()).collect();
    for op in ["MatMul", "Softmax", "LayerNormalization"] {
        assert!(ops.contains(&op), "{ops:?}");
    }
}

#[test]
fn malformed_bytes_are_reported() {
    match parse(&[0xff, 0xff, 0xff, 0x07, 0x01]) {
        Err(e @ ImportError::Malformed(_)) => println!("{e}"),
        other => panic!("expected Malformed, got {other:?}"),
    }
}
