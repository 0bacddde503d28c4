//! Element types of the graph's values, as far as the importer needs them (`CastLike` casts to
//! the type of its second input): declared ones (graph inputs, initializers, `value_info`,
//! outputs), and those a node sets itself (`Constant`, `Cast`, `CastLike`). Every value is
//! carried as f32; this only says what type ONNX gives it.

use std::collections::HashMap;

use crate::proto::tensor_proto::DataType;
use crate::proto::type_proto::Value as Type;
use crate::proto::{GraphProto, NodeProto, ValueInfoProto};

/// Known element types by value name.
#[derive(Debug, Default)]
pub(crate) struct DTypes(HashMap<String, i32>);

impl DTypes {
    /// The types `graph` declares.
    pub fn declared(graph: &GraphProto) -> Self {
        let mut types = Self::default();
        let infos = graph.input.iter().chain(&graph.value_info).chain(&graph.output);
        for info in infos {
            if let Some(t) = elem_type(info) {
                types.0.insert(info.name().to_string(), t);
            }
        }
        for init in &graph.initializer {
            types.0.insert(init.name().to_string(), init.data_type());
        }
        types
    }

    /// The type of value `name`, when known.
    pub fn get(&self, name: &str) -> Option<DataType> {
        self.0.get(name).and_then(|&t| DataType::try_from(t).ok())
    }

    /// Records the type of `node`'s first output where the node sets it.
    pub fn record(&mut self, node: &NodeProto) {
        let Some(out) = node.output.first() else { return };
        let attr = |name: &str| node.attribute.iter().find(|a| a.name() == name);
        let t = match node.op_type() {
            "Constant" => {
                if let Some(t) = attr("value").and_then(|a| a.t.as_ref()) {
                    Some(t.data_type())
                } else if attr("value_int").is_some() || attr("value_ints").is_some() {
                    Some(DataType::Int64 as i32)
                } else if attr("value_float").is_some() || attr("value_floats").is_some() {
                    Some(DataType::Float as i32)
                } else {
                    None
                }
            }
            "Cast" => attr("to").map(|a| a.i() as i32),
            "CastLike" => node.input.get(1).and_then(|i| self.0.get(i).copied()),
            _ => None,
        };
        if let Some(t) = t {
            self.0.insert(out.clone(), t);
        }
    }
}

fn elem_type(info: &ValueInfoProto) -> Option<i32> {
    match info.r#type.as_ref()?.value.as_ref()? {
        Type::TensorType(t) => Some(t.elem_type()),
        _ => None,
    }
}
