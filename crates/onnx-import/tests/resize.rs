//! `Resize`, built per axis: nearest is a `Gather` (a re-wiring, exact), linear and cubic a
//! `MatMul` by the interpolation weights. Values against onnx's own examples (the conformance
//! manifest runs all 39 of onnx's Resize cases through the circuit); the refusals by name.

#![allow(clippy::expect_used)]

use zkinfer_graph::Graph;
use zkinfer_onnx::proto::AttributeProto;
use zkinfer_onnx::testing::{float_info, float_tensor, model_bytes, node, string_attr};
use zkinfer_onnx::{parse, ImportError};

/// `Resize(x, "", scales)` of a `[1, 1, 2, 2]` input at opset 19.
fn resize(scales: &[f32], out: &[i64], attrs: Vec<AttributeProto>) -> Result<Graph, ImportError> {
    let bytes = model_bytes(
        19,
        vec![node("Resize", &["x", "", "scales"], "y", attrs)],
        vec![float_tensor("scales", &[scales.len() as i64], scales.to_vec())],
        float_info("x", &[1, 1, 2, 2]),
        float_info("y", out),
    );
    parse(&bytes)
}

fn ops(g: &Graph) -> Vec<&str> {
    g.nodes.iter().map(|n| n.op.name()).collect()
}

fn eval(g: &Graph) -> Vec<f32> {
    g.eval(&[1.0, 2.0, 3.0, 4.0]).expect("eval").iter().copied().collect()
}

#[test]
fn linear_upsampling_is_onnxs_example() {
    // onnx's test_resize_upsample_scales_linear (half_pixel).
    let g = resize(&[1.0, 1.0, 2.0, 2.0], &[1, 1, 4, 4], vec![string_attr("mode", "linear")]).expect("import");
    assert_eq!(eval(&g), [1.0, 1.25, 1.75, 2.0, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3.0, 3.25, 3.75, 4.0]);
    assert!(ops(&g).contains(&"MatMul") && !ops(&g).contains(&"Gather"), "{:?}", ops(&g));
}

#[test]
fn nearest_upsampling_is_a_gather() {
    // onnx's test_resize_upsample_scales_nearest.
    let g = resize(&[1.0, 1.0, 2.0, 3.0], &[1, 1, 4, 6], vec![string_attr("mode", "nearest")]).expect("import");
    let want = [1., 1., 1., 2., 2., 2., 1., 1., 1., 2., 2., 2., 3., 3., 3., 4., 4., 4., 3., 3., 3., 4., 4., 4.];
    assert_eq!(eval(&g), want);
    assert_eq!(ops(&g), ["Gather", "Gather"]);
}

#[test]
fn refusals_name_their_cause() {
    let err = |r: Result<Graph, ImportError>| r.expect_err("refused").to_string();
    let e = err(resize(&[1.0, 1.0, 2.0, 2.0], &[1, 1, 4, 4], vec![string_attr("mode", "area")]));
    assert!(e.contains("'area' is not a mode"), "{e}");
    let e = err(resize(&[1.0, 2.0], &[1, 1, 4, 4], vec![]));
    assert!(e.contains("exactly one of scales and sizes"), "{e}");
    let attrs = vec![string_attr("coordinate_transformation_mode", "tf_crop_and_resize")];
    let e = err(resize(&[1.0, 1.0, 2.0, 2.0], &[1, 1, 4, 4], attrs));
    assert!(e.contains("needs a constant roi"), "{e}");
}
