//! The comparison ops and PRelu at the importer: typed attributes (and axes moving to an input
//! at opset 18), ONNX defaults, and a clear error for each unsupported combination.

use prost::Message;
use zkinfer_graph::{calibrate, quantize, QuantConfig, VisibilityConfig};
use zkinfer_onnx::proto::attribute_proto::AttributeType;
use zkinfer_onnx::proto::tensor_proto::DataType;
use zkinfer_onnx::proto::tensor_shape_proto::{dimension::Value as Dim, Dimension};
use zkinfer_onnx::proto::type_proto::{Tensor as TensorType, Value as Type};
use zkinfer_onnx::proto::{
    AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, TensorProto, TensorShapeProto, TypeProto,
    ValueInfoProto,
};
use zkinfer_onnx::{parse, ImportError};

fn info(name: &str, dims: &[i64]) -> ValueInfoProto {
    let dim = dims.iter().map(|&d| Dimension { value: Some(Dim::DimValue(d)), denotation: None }).collect();
    let tensor = TensorType { elem_type: Some(DataType::Float as i32), shape: Some(TensorShapeProto { dim }) };
    ValueInfoProto {
        name: Some(name.into()),
        r#type: Some(TypeProto { value: Some(Type::TensorType(tensor)), denotation: None }),
        ..Default::default()
    }
}

fn attr(name: &str, ty: AttributeType) -> AttributeProto {
    AttributeProto { name: Some(name.into()), r#type: Some(ty as i32), ..Default::default() }
}

fn ints(name: &str, v: &[i64]) -> AttributeProto {
    AttributeProto { ints: v.to_vec(), ..attr(name, AttributeType::Ints) }
}

fn int(name: &str, i: i64) -> AttributeProto {
    AttributeProto { i: Some(i), ..attr(name, AttributeType::Int) }
}

fn string(name: &str, s: &str) -> AttributeProto {
    AttributeProto { s: Some(s.as_bytes().to_vec()), ..attr(name, AttributeType::String) }
}

fn i64s(name: &str, v: &[i64]) -> TensorProto {
    TensorProto {
        name: Some(name.into()),
        dims: vec![v.len() as i64],
        data_type: Some(DataType::Int64 as i32),
        int64_data: v.to_vec(),
        ..Default::default()
    }
}

fn floats(name: &str, dims: &[i64], v: &[f32]) -> TensorProto {
    TensorProto {
        name: Some(name.into()),
        dims: dims.to_vec(),
        data_type: Some(DataType::Float as i32),
        float_data: v.to_vec(),
        ..Default::default()
    }
}

/// The model `op(x, extra inputs...) -> outputs` at `opset`, input `x` of `dims`.
fn model(
    opset: i64,
    dims: &[i64],
    op: &str,
    inputs: &[&str],
    outputs: &[&str],
    attrs: Vec<AttributeProto>,
    init: Vec<TensorProto>,
) -> Vec<u8> {
    let mut names = vec!["x".to_string()];
    names.extend(inputs.iter().map(|s| s.to_string()));
    let node = NodeProto {
        name: Some("n".into()),
        op_type: Some(op.into()),
        input: names,
        output: outputs.iter().map(|s| s.to_string()).collect(),
        attribute: attrs,
        ..Default::default()
    };
    let graph = GraphProto {
        node: vec![node],
        initializer: init,
        input: vec![info("x", dims)],
        output: vec![info(outputs[0], &[])],
        ..Default::default()
    };
    let opset = OperatorSetIdProto { domain: Some(String::new()), version: Some(opset) };
    ModelProto { graph: Some(graph), opset_import: vec![opset], ir_version: Some(8), ..Default::default() }
        .encode_to_vec()
}

/// Imports `op(x, ...)` and evaluates it on `x = [v0, v1, ...]`: output shape and values.
fn run(
    opset: i64,
    x: (&[i64], &[f32]),
    op: &str,
    inputs: &[&str],
    attrs: Vec<AttributeProto>,
    init: Vec<TensorProto>,
) -> Result<(Vec<usize>, Vec<f32>), ImportError> {
    let g = parse(&model(opset, x.0, op, inputs, &["y"], attrs, init))?;
    let y = g.eval(x.1)?;
    Ok((y.shape().to_vec(), y.iter().copied().collect()))
}

fn ok(r: Result<(Vec<usize>, Vec<f32>), ImportError>) -> (Vec<usize>, Vec<f32>) {
    r.unwrap_or_else(|e| panic!("{e}"))
}

const X23: (&[i64], &[f32]) = (&[2, 3], &[1., -2., 3., 4., 5., -6.]);

#[test]
fn max_and_min_take_constant_inputs_with_broadcasting() {
    let init = vec![floats("c", &[3], &[0., 0., 7.]), floats("d", &[2, 1], &[2., -1.])];
    assert_eq!(ok(run(13, X23, "Max", &["c", "d"], vec![], init.clone())), (vec![2, 3], vec![2., 2., 7., 4., 5., 7.]));
    assert_eq!(ok(run(8, X23, "Min", &["c", "d"], vec![], init)), (vec![2, 3], vec![0., -2., 2., -1., -1., -6.]));
    assert_eq!(ok(run(13, X23, "Max", &[], vec![], vec![])).1, X23.1);
    // Opsets 1-7 had no broadcasting: one shape only (opset 1-5's consumed_inputs is read and
    // changes nothing).
    let same = vec![floats("c", &[2, 3], &[0.; 6])];
    assert_eq!(ok(run(6, X23, "Max", &["c"], vec![], same)).1, vec![1., 0., 3., 4., 5., 0.]);
    let err = run(7, X23, "Min", &["c"], vec![], vec![floats("c", &[3], &[0.; 3])]).expect_err("broadcast at 7");
    assert!(err.to_string().contains("no broadcasting"), "{err}");
    assert_eq!(ok(run(5, X23, "Max", &[], vec![ints("consumed_inputs", &[0])], vec![])).1, X23.1);
}

#[test]
fn reduce_max_and_min_by_attribute_and_by_input() {
    let a13 = ok(run(13, X23, "ReduceMax", &[], vec![ints("axes", &[1]), int("keepdims", 0)], vec![]));
    let a18 = ok(run(18, X23, "ReduceMax", &["a"], vec![int("keepdims", 0)], vec![i64s("a", &[1])]));
    assert_eq!(a13, (vec![2], vec![3., 5.]));
    assert_eq!(a18, a13);
    assert_eq!(ok(run(11, X23, "ReduceMin", &[], vec![], vec![])), (vec![1, 1], vec![-6.]));
    assert_eq!(ok(run(18, X23, "ReduceMin", &["a"], vec![], vec![i64s("a", &[-2])])), (vec![1, 3], vec![1., -2., -6.]));
    // Opset 18 without axes reduces everything, unless noop_with_empty_axes.
    assert_eq!(ok(run(18, X23, "ReduceMax", &[], vec![int("keepdims", 0)], vec![])), (vec![], vec![5.]));
    assert_eq!(ok(run(18, X23, "ReduceMax", &[], vec![int("noop_with_empty_axes", 1)], vec![])).1, X23.1);
    // Axes computed from the input are not static.
    let err = run(18, X23, "ReduceMax", &["x"], vec![], vec![]).expect_err("computed axes");
    assert!(matches!(&err, ImportError::Attribute { attribute, .. } if attribute == "axes"), "{err}");
}

#[test]
fn max_pool_attributes_resolve_at_import() {
    let x: Vec<f32> = (0..25).map(|v| -(v as f32)).collect();
    let x = (&[1i64, 1, 5, 5][..], &x[..]);
    let k2 = || ints("kernel_shape", &[2, 2]);
    let same =
        ok(run(12, x, "MaxPool", &[], vec![k2(), ints("strides", &[2, 2]), string("auto_pad", "SAME_UPPER")], vec![]));
    assert_eq!(same.0, vec![1, 1, 3, 3]);
    // The end padding never wins, even though every value is negative.
    assert_eq!(same.1, vec![0., -2., -4., -10., -12., -14., -20., -22., -24.]);
    let ceil = ok(run(12, x, "MaxPool", &[], vec![k2(), ints("strides", &[2, 2]), int("ceil_mode", 1)], vec![]));
    assert_eq!(ceil.0, vec![1, 1, 3, 3]);
    let dilated =
        ok(run(12, x, "MaxPool", &[], vec![k2(), ints("dilations", &[2, 2]), int("storage_order", 1)], vec![]));
    assert_eq!(dilated, (vec![1, 1, 3, 3], vec![0., -1., -2., -5., -6., -7., -10., -11., -12.]));
    let pads = ok(run(8, x, "MaxPool", &[], vec![k2(), ints("pads", &[1, 0, 0, 1])], vec![]));
    assert_eq!(pads.0, vec![1, 1, 5, 5]);
}

#[test]
fn max_pool_indices_and_ceil_mode_with_auto_pad_are_refused() {
    let x = [0i64, 1, 1, 4, 4];
    let bytes = model(12, &x[1..], "MaxPool", &[], &["y", "indices"], vec![ints("kernel_shape", &[2, 2])], vec![]);
    match parse(&bytes) {
        Err(ImportError::Node { op, message, .. }) => {
            assert_eq!(op, "MaxPool");
            assert!(message.contains("only the first output") && message.contains("indices"), "{message}");
        }
        other => panic!("expected a node error, got {other:?}"),
    }
    let attrs = vec![ints("kernel_shape", &[2, 2]), int("ceil_mode", 1), string("auto_pad", "SAME_LOWER")];
    match parse(&model(12, &x[1..], "MaxPool", &[], &["y"], attrs, vec![])) {
        Err(ImportError::Attribute { attribute, .. }) => assert_eq!(attribute, "ceil_mode"),
        other => panic!("expected an attribute error, got {other:?}"),
    }
    let err = parse(&model(12, &x[1..], "MaxPool", &[], &["y"], vec![], vec![])).expect_err("no kernel");
    assert!(err.to_string().contains("kernel_shape"), "{err}");
}

#[test]
fn arg_max_and_min_attributes_with_onnx_defaults() {
    let x = (&[2i64, 3][..], &[2f32, 5., 5., -1., -1., 0.][..]);
    // Defaults: axis 0, keepdims 1, first occurrence.
    assert_eq!(ok(run(13, x, "ArgMax", &[], vec![], vec![])), (vec![1, 3], vec![0., 0., 0.]));
    let last = vec![int("axis", -1), int("keepdims", 0), int("select_last_index", 1)];
    assert_eq!(ok(run(13, x, "ArgMax", &[], last.clone(), vec![])), (vec![2], vec![2., 2.]));
    assert_eq!(ok(run(13, x, "ArgMin", &[], last, vec![])), (vec![2], vec![0., 1.]));
    assert_eq!(ok(run(1, x, "ArgMin", &[], vec![int("axis", 1), int("keepdims", 0)], vec![])), (vec![2], vec![0., 0.]));
    let err = run(13, x, "ArgMax", &[], vec![int("select_last_index", 2)], vec![]).expect_err("flag 2");
    assert!(err.to_string().contains("select_last_index"), "{err}");
}

#[test]
fn prelu_slope_must_broadcast_to_the_input_and_be_constant() {
    let slope = vec![floats("s", &[3], &[0.5, 1., -1.])];
    assert_eq!(ok(run(16, X23, "PRelu", &["s"], vec![], slope)).1, vec![1., -2., 3., 4., 5., 6.]);
    // Opset 6: a 1-D slope of C values is per channel (axis 1).
    let legacy = vec![floats("s", &[2], &[0.5, 0.25])];
    let x = (&[1i64, 2, 3][..], X23.1);
    assert_eq!(ok(run(6, x, "PRelu", &["s"], vec![], legacy)).1, vec![1., -1., 3., 4., 5., -1.5]);
    let wide = vec![floats("s", &[2, 2, 3], &[0.5; 12])];
    let err = run(16, X23, "PRelu", &["s"], vec![], wide).expect_err("slope wider than x");
    assert!(err.to_string().contains("does not broadcast"), "{err}");
    // A slope computed from the input imports (f32 is fine) but is not lowered.
    let g = parse(&model(16, &[2, 3], "PRelu", &["x"], &["y"], vec![], vec![])).unwrap_or_else(|e| panic!("{e}"));
    let calib = calibrate(&g, zkinfer_graph::one_input_samples(vec![X23.1.to_vec()])).unwrap_or_else(|e| panic!("{e}"));
    let err = quantize(&g, &calib, &QuantConfig::default(), &VisibilityConfig::default()).expect_err("computed slope");
    assert!(err.to_string().contains("constant slope"), "{err}");
}
