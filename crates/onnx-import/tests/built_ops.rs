//! Ops built at import from others (TopK, DFT, the re-wirings, Scan, the bitwise ops): their f32
//! semantics on small cases, and refusals by name where a model asks for more than they build.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use zkinfer_onnx::proto::{AttributeProto, GraphProto};
use zkinfer_onnx::testing::{float_info, float_tensor, graph_attr, int_attr, model_bytes, model_bytes_io, node};
use zkinfer_onnx::{parse, ImportError};

/// Imports a one-node model of `op` on `x` (and constant `init`) at `opset`.
fn import(
    opset: i64,
    op: &str,
    inputs: &[&str],
    x: &[i64],
    init: Vec<zkinfer_onnx::proto::TensorProto>,
    attrs: Vec<AttributeProto>,
) -> Result<zkinfer_graph::Graph, ImportError> {
    let n = node(op, inputs, "y", attrs);
    parse(&model_bytes(opset, vec![n], init, float_info("x", x), float_info("y", &[])))
}

fn refused(r: Result<zkinfer_graph::Graph, ImportError>, needle: &str) {
    match r {
        Err(e) => assert!(e.to_string().contains(needle), "expected '{needle}' in: {e}"),
        Ok(_) => panic!("expected a refusal naming '{needle}'"),
    }
}

#[test]
fn top_k_orders_values_and_breaks_ties_by_index() {
    let mut n = node("TopK", &["x", "k"], "v", vec![int_attr("axis", 1)]);
    n.output.push("i".into());
    let bytes = model_bytes_io(
        11,
        vec![n],
        vec![float_tensor("k", &[1], vec![3.0])],
        vec![float_info("x", &[1, 5])],
        vec![float_info("v", &[]), float_info("i", &[])],
    );
    let g = parse(&bytes).unwrap();
    let outs = g.eval_outputs(&[&[2.0, 7.0, 2.0, -1.0, 7.0]]).unwrap();
    assert_eq!(outs[0].iter().copied().collect::<Vec<_>>(), [7.0, 7.0, 2.0]);
    assert_eq!(outs[1].iter().copied().collect::<Vec<_>>(), [1.0, 4.0, 0.0]);
    refused(import(11, "TopK", &["x", "k"], &[1, 5], vec![float_tensor("k", &[1], vec![6.0])], vec![]), "'k'");
}

#[test]
fn dft_of_a_real_signal() {
    let g = import(19, "DFT", &["x"], &[1, 4, 1], vec![], vec![int_attr("axis", 1)]).unwrap();
    let y: Vec<f32> = g.eval(&[1.0, 2.0, 0.0, -1.0]).unwrap().iter().copied().collect();
    // X_j = Σ x_k e^(−2πi·jk/4): (2, 0), (1, −3), (0, 0), (1, 3).
    let want = [2.0, 0.0, 1.0, -3.0, 0.0, 0.0, 1.0, 3.0];
    assert!(y.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-5), "{y:?}");
    let huge = float_tensor("l", &[], vec![1e9]);
    refused(import(19, "DFT", &["x", "l"], &[1, 4, 1], vec![huge], vec![int_attr("axis", 1)]), "dft_length");
}

#[test]
fn rewirings_refuse_outputs_too_large_to_build() {
    let shape = float_tensor("s", &[2], vec![1e6, 1e6]);
    refused(import(18, "CenterCropPad", &["x", "s"], &[2, 2], vec![shape], vec![]), "larger than");
    let ok = float_tensor("s", &[2], vec![1.0, 4.0]);
    let g = import(18, "CenterCropPad", &["x", "s"], &[2, 2], vec![ok], vec![]).unwrap();
    let y: Vec<f32> = g.eval(&[1.0, 2.0, 3.0, 4.0]).unwrap().iter().copied().collect();
    assert_eq!(y, [0.0, 1.0, 2.0, 0.0]);
}

#[test]
fn bitwise_ops_name_the_types_they_do_not_take() {
    // The test input is float: no integer width to decompose.
    refused(import(18, "BitwiseAnd", &["x", "x"], &[2], vec![], vec![]), "FLOAT");
}

#[test]
fn a_scan_body_is_checked_and_unrolled() {
    let body = |op: &str| GraphProto {
        node: vec![node(op, &["s", "x_t"], "s_out", vec![]), node("Identity", &["s_out"], "y_t", vec![])],
        input: vec![float_info("s", &[2]), float_info("x_t", &[2])],
        output: vec![float_info("s_out", &[2]), float_info("y_t", &[2])],
        ..Default::default()
    };
    let scan = |op: &str| {
        let attrs = vec![graph_attr("body", body(op)), int_attr("num_scan_inputs", 1)];
        let mut n = node("Scan", &["s0", "x"], "s_final", attrs);
        n.output.push("y".into());
        let s0 = float_tensor("s0", &[2], vec![0.5, -1.0]);
        parse(&model_bytes(11, vec![n], vec![s0], float_info("x", &[3, 2]), float_info("y", &[3, 2])))
    };
    let g = scan("Add").unwrap();
    let y: Vec<f32> = g.eval(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap().iter().copied().collect();
    assert_eq!(y, [1.5, 1.0, 4.5, 5.0, 9.5, 11.0]);
    match scan("Unique") {
        Err(ImportError::UnsupportedOp { op, .. }) => assert_eq!(op, "Unique"),
        other => panic!("expected the body's op named, got {other:?}"),
    }
}

#[test]
fn an_if_of_a_constant_condition_imports_its_branch() {
    let branch = |op: &str, out: &str| {
        let name = if out == "t" { "then_branch" } else { "else_branch" };
        graph_attr(
            name,
            GraphProto {
                node: vec![node(op, &["x", "x"], out, vec![])],
                output: vec![float_info(out, &[])],
                ..Default::default()
            },
        )
    };
    let model = |cond: Vec<f32>, else_op: &str| {
        let n = node("If", &["c"], "y", vec![branch("Add", "t"), branch(else_op, "e")]);
        parse(&model_bytes(
            16,
            vec![n],
            vec![float_tensor("c", &[], cond)],
            float_info("x", &[2]),
            float_info("y", &[2]),
        ))
    };
    let eval = |g: zkinfer_graph::Graph| g.eval(&[1.5, -2.0]).unwrap().iter().copied().collect::<Vec<f32>>();
    assert_eq!(eval(model(vec![1.0], "Mul").unwrap()), [3.0, -4.0]);
    assert_eq!(eval(model(vec![0.0], "Mul").unwrap()), [2.25, 4.0]);
    // The branch not taken is not imported: an op the registry lacks there is no obstacle.
    assert_eq!(eval(model(vec![1.0], "Unique").unwrap()), [3.0, -4.0]);
    match model(vec![0.0], "Unique") {
        Err(ImportError::UnsupportedOp { op, .. }) => assert_eq!(op, "Unique"),
        other => panic!("expected the taken branch's op named, got {other:?}"),
    }
    // A condition the input decides would need both branches proven.
    let n = node("If", &["x"], "y", vec![branch("Add", "t"), branch("Mul", "e")]);
    refused(parse(&model_bytes(16, vec![n], vec![], float_info("x", &[]), float_info("y", &[]))), "'cond'");
}

/// The single tree of onnx's `tree_ensemble_single_tree` case, its root's split moved from 3.14
/// to 3 (two targets; the root splits feature 0 at 3, its true child at 1.2, its false child
/// at 4.2).
fn single_tree(aggregate: i64) -> Vec<AttributeProto> {
    use zkinfer_onnx::testing::{ints_attr, tensor_attr};
    vec![
        int_attr("aggregate_function", aggregate),
        ints_attr("leaf_targetids", &[0, 1, 0, 1]),
        tensor_attr("leaf_weights", vec![5.23, 12.12, -12.23, 7.21]),
        int_attr("n_targets", 2),
        ints_attr("nodes_falseleafs", &[0, 1, 1]),
        ints_attr("nodes_falsenodeids", &[2, 2, 3]),
        ints_attr("nodes_featureids", &[0, 0, 0]),
        tensor_attr("nodes_modes", vec![0.0, 0.0, 0.0]),
        tensor_attr("nodes_splits", vec![3.0, 1.2, 4.2]),
        ints_attr("nodes_trueleafs", &[0, 1, 1]),
        ints_attr("nodes_truenodeids", &[1, 0, 1]),
        int_attr("post_transform", 0),
        ints_attr("tree_roots", &[0]),
    ]
}

#[test]
fn ml_domain_ops_follow_their_definitions() {
    use zkinfer_onnx::testing::{float_attr, in_domain};
    let ml = |op: &str, inputs: &[&str], init, attrs, x: &[i64], version| {
        let bytes = model_bytes(18, vec![node(op, inputs, "y", attrs)], init, float_info("x", x), float_info("y", &[]));
        parse(&in_domain(&bytes, "ai.onnx.ml", version, &[op]))
    };
    let eval = |g: zkinfer_graph::Graph, x: &[f32]| g.eval(x).unwrap().iter().copied().collect::<Vec<f32>>();
    let g = ml("Binarizer", &["x"], vec![], vec![float_attr("threshold", 0.5)], &[3], 1).unwrap();
    assert_eq!(eval(g, &[0.25, 0.5, 2.0]), [0.0, 0.0, 1.0]);
    let at = float_tensor("i", &[2], vec![2.0, 0.0]);
    let g = ml("ArrayFeatureExtractor", &["x", "i"], vec![at], vec![], &[2, 3], 1).unwrap();
    assert_eq!(eval(g, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), [3.0, 1.0, 6.0, 4.0]);
    // Each sample reaches one leaf: (1.0, ·) leaf 0 (target 0), (2.0, ·) leaf 2 (target 0),
    // (4.0, ·) leaf 1 (target 1), (5.0, ·) leaf 3 (target 1).
    let g = ml("TreeEnsemble", &["x"], vec![], single_tree(1), &[4, 2], 5).unwrap();
    let y = eval(g, &[1.0, 0.0, 2.0, 0.0, 4.0, 0.0, 5.0, 0.0]);
    let want = [5.23, 0.0, -12.23, 0.0, 0.0, 12.12, 0.0, 7.21];
    assert!(y.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-5), "{y:?}");
    refused(ml("TreeEnsemble", &["x"], vec![], single_tree(3), &[4, 2], 5), "aggregate_function");
    // The domain's version is checked: TreeEnsemble came with ai.onnx.ml 5.
    match ml("TreeEnsemble", &["x"], vec![], single_tree(1), &[4, 2], 3) {
        Err(ImportError::UnsupportedOp { op, .. }) => assert_eq!(op, "ai.onnx.ml.TreeEnsemble"),
        other => panic!("expected UnsupportedOp, got {other:?}"),
    }
}

#[test]
fn malformed_integer_convolutions_and_loops_are_refused_by_name() {
    // A weight of rank 1 has no output channels to read.
    let w = float_tensor("w", &[2], vec![1.0, 2.0]);
    refused(import(10, "ConvInteger", &["x", "w"], &[1, 1, 3], vec![w], vec![]), "'w'");
    // A Loop of a trip count alone: its body must still take the iteration and the condition.
    let body = GraphProto {
        node: vec![node("Identity", &["c"], "c_out", vec![])],
        input: vec![float_info("i", &[]), float_info("c", &[])],
        output: vec![float_info("c_out", &[])],
        ..Default::default()
    };
    let attr = graph_attr("body", body);
    let m = float_tensor("m", &[], vec![2.0]);
    let r = parse(&model_bytes(
        16,
        vec![node("Loop", &["m"], "y", vec![attr])],
        vec![m],
        float_info("x", &[1]),
        float_info("y", &[1]),
    ));
    assert!(r.is_err(), "a loop with no outputs to give cannot import");
}

#[test]
fn dynamic_quantization_feeds_an_integer_convolution() {
    // As onnxruntime's quantize_dynamic writes a Conv: y = ConvInteger(DynamicQuantizeLinear(x)),
    // the input's zero point computed from it.
    let mut dql = node("DynamicQuantizeLinear", &["x"], "xq", vec![]);
    dql.output.extend(["xs".into(), "xz".into()]);
    let conv = node("ConvInteger", &["xq", "w", "xz"], "y", vec![]);
    let w = float_tensor("w", &[1, 1, 2], vec![1.0, -2.0]);
    let g =
        parse(&model_bytes(11, vec![dql, conv], vec![w], float_info("x", &[1, 1, 4]), float_info("y", &[]))).unwrap();
    // x in [-1, 1.55]: scale 2.55/255 = 0.01, zero point 100; xq = 0, 120, 255, 150.
    let y: Vec<f32> = g.eval(&[-1.0, 0.2, 1.55, 0.5]).unwrap().iter().copied().collect();
    let xq = [0.0f32, 120.0, 255.0, 150.0].map(|q| q - 100.0);
    let want: Vec<f32> = (0..3).map(|i| xq[i] - 2.0 * xq[i + 1]).collect();
    assert_eq!(y, want);
}
