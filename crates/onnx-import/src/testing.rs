//! Builders for small ONNX models in tests (feature `testing`): the protobuf boilerplate of a
//! float graph, so a test states only its inputs, outputs, nodes and weights.

use prost::Message;
pub use zkinfer_graph::testing::values;

use crate::proto::attribute_proto::AttributeType;
use crate::proto::tensor_proto::DataType;
use crate::proto::tensor_shape_proto::{dimension::Value as Dim, Dimension};
use crate::proto::type_proto::{Tensor as TensorType, Value as Type};
use crate::proto::{
    AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, TensorProto, TensorShapeProto, TypeProto,
    ValueInfoProto,
};

/// A float tensor value named `name` with static `dims`.
pub fn float_info(name: &str, dims: &[i64]) -> ValueInfoProto {
    let dim = dims.iter().map(|&d| Dimension { value: Some(Dim::DimValue(d)), denotation: None }).collect();
    let tensor = TensorType { elem_type: Some(DataType::Float as i32), shape: Some(TensorShapeProto { dim }) };
    ValueInfoProto {
        name: Some(name.into()),
        r#type: Some(TypeProto { value: Some(Type::TensorType(tensor)), denotation: None }),
        ..Default::default()
    }
}

/// A node of `op` from `inputs` to `output` (and named after it).
pub fn node(op: &str, inputs: &[&str], output: &str, attribute: Vec<AttributeProto>) -> NodeProto {
    NodeProto {
        name: Some(output.into()),
        op_type: Some(op.into()),
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: vec![output.into()],
        attribute,
        ..Default::default()
    }
}

/// A float initializer.
pub fn float_tensor(name: &str, dims: &[i64], values: Vec<f32>) -> TensorProto {
    TensorProto {
        name: Some(name.into()),
        dims: dims.to_vec(),
        data_type: Some(DataType::Float as i32),
        float_data: values,
        ..Default::default()
    }
}

/// An int8 initializer (quantized weights and zero points).
pub fn int8_tensor(name: &str, dims: &[i64], values: Vec<i32>) -> TensorProto {
    TensorProto {
        name: Some(name.into()),
        dims: dims.to_vec(),
        data_type: Some(DataType::Int8 as i32),
        int32_data: values,
        ..Default::default()
    }
}

/// A float attribute.
pub fn float_attr(name: &str, f: f32) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Float as i32),
        f: Some(f),
        ..Default::default()
    }
}

/// An integer attribute.
pub fn int_attr(name: &str, i: i64) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Int as i32),
        i: Some(i),
        ..Default::default()
    }
}

/// A string attribute.
pub fn string_attr(name: &str, s: &str) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::String as i32),
        s: Some(s.as_bytes().to_vec()),
        ..Default::default()
    }
}

/// An integer-list attribute.
pub fn ints_attr(name: &str, v: &[i64]) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Ints as i32),
        ints: v.to_vec(),
        ..Default::default()
    }
}

/// The encoded model: `nodes` over `initializers`, from `input` to `output`, at `opset` of the
/// default domain (IR version 9).
pub fn model_bytes(
    opset: i64,
    nodes: Vec<NodeProto>,
    initializers: Vec<TensorProto>,
    input: ValueInfoProto,
    output: ValueInfoProto,
) -> Vec<u8> {
    model_bytes_io(opset, nodes, initializers, vec![input], vec![output])
}

/// [`model_bytes`] with several inputs and outputs, in graph order.
pub fn model_bytes_io(
    opset: i64,
    nodes: Vec<NodeProto>,
    initializers: Vec<TensorProto>,
    inputs: Vec<ValueInfoProto>,
    outputs: Vec<ValueInfoProto>,
) -> Vec<u8> {
    let graph =
        GraphProto { node: nodes, initializer: initializers, input: inputs, output: outputs, ..Default::default() };
    let opset = OperatorSetIdProto { domain: Some(String::new()), version: Some(opset) };
    ModelProto { graph: Some(graph), opset_import: vec![opset], ir_version: Some(9), ..Default::default() }
        .encode_to_vec()
}

/// `bytes` (a model) importing `domain` at `version` too, its nodes of op types `ops` in it
/// (bytes that do not decode are returned as they are).
pub fn in_domain(bytes: &[u8], domain: &str, version: i64, ops: &[&str]) -> Vec<u8> {
    let Ok(mut model) = ModelProto::decode(bytes) else { return bytes.to_vec() };
    model.opset_import.push(OperatorSetIdProto { domain: Some(domain.into()), version: Some(version) });
    if let Some(graph) = model.graph.as_mut() {
        for n in graph.node.iter_mut().filter(|n| ops.contains(&n.op_type())) {
            n.domain = Some(domain.into());
        }
    }
    model.encode_to_vec()
}

/// A `TENSOR` attribute holding the float values `v`.
pub fn tensor_attr(name: &str, v: Vec<f32>) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Tensor as i32),
        t: Some(float_tensor(name, &[v.len() as i64], v)),
        ..Default::default()
    }
}

/// A `GRAPH` attribute (a Scan or Loop body, an If branch, a FlexAttention modifier).
pub fn graph_attr(name: &str, g: GraphProto) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Graph as i32),
        g: Some(g),
        ..Default::default()
    }
}
