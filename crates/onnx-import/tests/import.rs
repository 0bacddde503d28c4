//! Importer behaviour on small hand-built models: typed attributes, constants and initializers
//! in their encodings, and the error each unsupported feature gives.

use prost::Message;
use zkinfer_onnx::proto::attribute_proto::AttributeType;
use zkinfer_onnx::proto::tensor_proto::DataType;
use zkinfer_onnx::proto::tensor_shape_proto::{dimension::Value as Dim, Dimension};
use zkinfer_onnx::proto::type_proto::{Tensor as TensorType, Value as Type};
use zkinfer_onnx::proto::{
    AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, TensorProto, TensorShapeProto, TypeProto,
    ValueInfoProto,
};
use zkinfer_onnx::{parse, ImportError};

fn value_info(name: &str, elem: DataType, dims: Vec<Dim>) -> ValueInfoProto {
    let shape =
        TensorShapeProto { dim: dims.into_iter().map(|v| Dimension { value: Some(v), denotation: None }).collect() };
    ValueInfoProto {
        name: Some(name.into()),
        r#type: Some(TypeProto {
            value: Some(Type::TensorType(TensorType { elem_type: Some(elem as i32), shape: Some(shape) })),
            denotation: None,
        }),
        ..Default::default()
    }
}

fn node(name: &str, op: &str, inputs: &[&str], output: &str, attribute: Vec<AttributeProto>) -> NodeProto {
    NodeProto {
        name: Some(name.into()),
        op_type: Some(op.into()),
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: vec![output.into()],
        attribute,
        ..Default::default()
    }
}

fn int_attr(name: &str, i: i64) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Int as i32),
        i: Some(i),
        ..Default::default()
    }
}

fn floats_tensor(name: &str, dims: &[i64], v: &[f32], raw: bool) -> TensorProto {
    let mut t = TensorProto {
        name: Some(name.into()),
        dims: dims.to_vec(),
        data_type: Some(DataType::Float as i32),
        ..Default::default()
    };
    if raw {
        t.raw_data = Some(v.iter().flat_map(|x| x.to_le_bytes()).collect());
    } else {
        t.float_data = v.to_vec();
    }
    t
}

fn int64_tensor(name: &str, v: &[i64]) -> TensorProto {
    TensorProto {
        name: Some(name.into()),
        dims: vec![v.len() as i64],
        data_type: Some(DataType::Int64 as i32),
        raw_data: Some(v.iter().flat_map(|x| x.to_le_bytes()).collect()),
        ..Default::default()
    }
}

/// A model with input `x` of `dims`, output `y`, the given nodes and initializers.
fn model(dims: Vec<Dim>, nodes: Vec<NodeProto>, init: Vec<TensorProto>) -> Vec<u8> {
    let graph = GraphProto {
        node: nodes,
        initializer: init,
        input: vec![value_info("x", DataType::Float, dims)],
        output: vec![value_info("y", DataType::Float, vec![])],
        ..Default::default()
    };
    let opset = OperatorSetIdProto { domain: Some(String::new()), version: Some(17) };
    ModelProto { graph: Some(graph), opset_import: vec![opset], ir_version: Some(8), ..Default::default() }
        .encode_to_vec()
}

fn conv_model(attrs: Vec<AttributeProto>) -> Vec<u8> {
    let w = floats_tensor("w", &[1, 1, 2, 2], &[1.0; 4], true);
    let dims = vec![Dim::DimValue(1), Dim::DimValue(1), Dim::DimValue(3), Dim::DimValue(3)];
    model(dims, vec![node("conv0", "Conv", &["x", "w"], "y", attrs)], vec![w])
}

#[test]
fn reshape_from_int64_initializer_and_constant_node() {
    let k = floats_tensor("k", &[], &[2.0], false);
    let k_node = node(
        "k",
        "Constant",
        &[],
        "k_out",
        vec![AttributeProto {
            name: Some("value".into()),
            r#type: Some(AttributeType::Tensor as i32),
            t: Some(k),
            ..Default::default()
        }],
    );
    let nodes = vec![
        k_node,
        node("mul", "Mul", &["x", "k_out"], "m", vec![]),
        node("reshape", "Reshape", &["m", "shape"], "y", vec![]),
    ];
    let bytes = model(vec![Dim::DimValue(2), Dim::DimValue(3)], nodes, vec![int64_tensor("shape", &[-1])]);
    let g = parse(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(g.output_shape(0), &[6]);
    let y = g.eval(&[1., 2., 3., 4., 5., 6.]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(y.iter().copied().collect::<Vec<_>>(), vec![2., 4., 6., 8., 10., 12.]);
}

#[test]
fn conv_attributes_are_typed_and_checked() {
    let ok = conv_model(vec![AttributeProto {
        name: Some("pads".into()),
        r#type: Some(AttributeType::Ints as i32),
        ints: vec![1, 1, 0, 0],
        ..Default::default()
    }]);
    assert_eq!(parse(&ok).map(|g| g.output_shape(0).to_vec()).ok(), Some(vec![1, 1, 3, 3]));

    let cases = [
        (int_attr("group", 0), "group"),
        (
            AttributeProto {
                name: Some("auto_pad".into()),
                r#type: Some(AttributeType::String as i32),
                s: Some(b"SAME_MIDDLE".to_vec()),
                ..Default::default()
            },
            "auto_pad",
        ),
        (int_attr("strides", 2), "strides"), // wrong type: INT instead of INTS
        (int_attr("bogus", 1), "bogus"),
    ];
    for (attr, name) in cases {
        match parse(&conv_model(vec![attr])) {
            Err(ImportError::Attribute { node, op, attribute, message }) => {
                assert_eq!((node.as_str(), op.as_str(), attribute.as_str()), ("conv0", "Conv", name), "{message}");
            }
            other => panic!("{name}: expected an attribute error, got {other:?}"),
        }
    }
}

#[test]
fn unsupported_op_is_reported_before_anything_runs() {
    // The NonMaxSuppression comes after a node whose input is undefined: the op check must come first.
    let nodes =
        vec![node("a", "Relu", &["missing"], "r", vec![]), node("sm", "NonMaxSuppression", &["r"], "y", vec![])];
    match parse(&model(vec![Dim::DimValue(4)], nodes, vec![])) {
        Err(ImportError::UnsupportedOp { node, op, opset, .. }) => {
            assert_eq!((node, op, opset), ("sm".into(), "NonMaxSuppression".into(), 17))
        }
        other => panic!("expected UnsupportedOp, got {other:?}"),
    }
}

#[test]
fn dynamic_and_non_numeric_inputs_are_rejected() {
    let relu = || vec![node("r", "Relu", &["x"], "y", vec![])];
    match parse(&model(vec![Dim::DimParam("batch".into()), Dim::DimValue(4)], relu(), vec![])) {
        Err(ImportError::DynamicDim { input, dim, reason }) => {
            assert_eq!((input.as_str(), dim), ("x", 0));
            assert!(reason.contains("batch"));
        }
        other => panic!("expected DynamicDim, got {other:?}"),
    }
    let mut m =
        ModelProto::decode(model(vec![Dim::DimValue(4)], relu(), vec![]).as_slice()).unwrap_or_else(|e| panic!("{e}"));
    if let Some(g) = m.graph.as_mut() {
        g.input = vec![value_info("x", DataType::String, vec![Dim::DimValue(4)])];
    }
    match parse(&m.encode_to_vec()) {
        Err(e @ ImportError::Input { .. }) => assert!(e.to_string().contains("STRING"), "{e}"),
        other => panic!("expected an input error, got {other:?}"),
    }
    // An integer input is a model input of exact integers.
    if let Some(g) = m.graph.as_mut() {
        g.input = vec![value_info("x", DataType::Int64, vec![Dim::DimValue(4)])];
    }
    let g = parse(&m.encode_to_vec()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(g.input_dtypes, vec![zkinfer_graph::DType::I64]);
}

#[test]
fn initializer_with_wrong_raw_length_is_rejected() {
    let mut w = floats_tensor("w", &[1, 1, 2, 2], &[1.0; 4], true);
    w.raw_data = Some(vec![0; 7]);
    let dims = vec![Dim::DimValue(1), Dim::DimValue(1), Dim::DimValue(3), Dim::DimValue(3)];
    match parse(&model(dims, vec![node("c", "Conv", &["x", "w"], "y", vec![])], vec![w])) {
        Err(ImportError::Tensor { name, .. }) => assert_eq!(name, "w"),
        other => panic!("expected a tensor error, got {other:?}"),
    }
}
