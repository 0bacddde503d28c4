//! `fixtures/small_cnn.onnx` (made by `fixtures/make_small_cnn.py`): BatchNorm, depthwise Conv,
//! AveragePool, Transpose, Concat and a `Shape -> Gather -> Unsqueeze -> Concat -> Reshape`
//! flatten import, evaluate like onnx's reference evaluator in f32, and quantize to an integer
//! graph that stays within tolerance of it.

use std::path::PathBuf;

use zkinfer_graph::{calibrate, quantize, QOp, QuantConfig, VisibilityConfig};
use zkinfer_onnx::load;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn floats(v: &serde_json::Value) -> Vec<f32> {
    v.as_array().map(|a| a.iter().filter_map(|x| x.as_f64()).map(|x| x as f32).collect()).unwrap_or_default()
}

#[test]
fn small_cnn_imports_quantizes_and_matches_the_reference() {
    let g = load(fixtures().join("small_cnn.onnx")).unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read_to_string(fixtures().join("small_cnn.json")).unwrap_or_else(|e| panic!("{e}"));
    let data: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let (x, want) = (floats(&data["input"]), floats(&data["output"]));
    assert_eq!(g.output_shape(0), &[1, 5]);

    // The shape chain folded away: no node of the f32 graph is left for it.
    let names: Vec<&str> = g.nodes.iter().map(|n| n.op.name()).collect();
    assert!(!names.contains(&"Shape") && !names.contains(&"Unsqueeze"), "{names:?}");

    let y = g.eval(&x).unwrap_or_else(|e| panic!("{e}"));
    let f32_err = y.iter().zip(&want).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
    println!("small_cnn: f32 max abs err vs onnx reference = {f32_err:e}");
    assert!(f32_err < 1e-4, "f32 output differs from the reference by {f32_err}");

    let samples: Vec<Vec<f32>> =
        data["calibration"].as_array().map(|a| a.iter().map(floats).collect()).unwrap_or_default();
    let calib = calibrate(&g, zkinfer_graph::one_input_samples(samples)).unwrap_or_else(|e| panic!("{e}"));
    let q =
        quantize(&g, &calib, &QuantConfig::default(), &VisibilityConfig::default()).unwrap_or_else(|e| panic!("{e}"));
    let w = q.eval(q.quantize_input(&x).unwrap_or_else(|e| panic!("{e}"))).unwrap_or_else(|e| panic!("{e}"));
    let got = q.dequantize_output(0, w.output(&q, 0));
    let err = got.iter().zip(&want).fold(0f64, |m, (a, b)| m.max((a - *b as f64).abs()));
    let out_scale = q.tensors[q.outputs[0].tensor].scale;
    let linears = q.nodes.iter().filter(|n| matches!(n.op, QOp::Linear(_))).count();
    println!(
        "small_cnn: integer max abs err = {err:.3e}, output scale 2^-{out_scale}, {linears} linear ops, {} MACs",
        q.macs()
    );
    // Both BatchNorms fold into their convolutions: conv1, dwconv, pool, concat, gap, fc.
    assert_eq!(linears, 6, "{:#?}", q.nodes.iter().map(|n| (&n.name, &n.op)).collect::<Vec<_>>());
    // Tolerance: 64 quanta of the output scale (≈ 3.9e-3 at 2^-14), one per term of the widest
    // linear op feeding the output (the 36-term dwconv/pool chain), with head-room; measured: ≈ 1.3.
    let tol = 64.0 * 0.5f64.powi(out_scale as i32);
    assert!(err <= tol, "integer output differs from the reference by {err} (tolerance {tol})");
}
