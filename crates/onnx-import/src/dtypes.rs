//! Element types of the graph's values, as far as the importer needs them (`CastLike` casts to
//! the type of its second input): declared ones (graph inputs, initializers, `value_info`,
//! outputs), and those a node sets itself (`Constant`, `Cast`, `CastLike`). Every value is
//! carried as f32; this only says what type ONNX gives it.

use std::collections::HashMap;

use crate::proto::tensor_proto::DataType;
use crate::proto::type_proto::Value as Type;
use crate::proto::{GraphProto, NodeProto, ValueInfoProto};

/// Known element types by value name.
#[derive(Debug, Default, Clone)]
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

    /// Adds the types `graph` (a control-flow body) declares, which shadow the outer ones.
    pub fn declare(&mut self, graph: &GraphProto) {
        self.0.extend(Self::declared(graph).0);
    }

    /// Records that value `name` has element type `t`, unless its type is known already.
    pub fn infer(&mut self, name: &str, t: DataType) {
        self.0.entry(name.to_string()).or_insert(t as i32);
    }

    /// The element type `info` declares, when it declares one.
    pub fn declared_type(info: &ValueInfoProto) -> Option<DataType> {
        elem_type(info).and_then(|t| DataType::try_from(t).ok())
    }

    /// The type of value `name`, when known.
    pub fn get(&self, name: &str) -> Option<DataType> {
        self.0.get(name).and_then(|&t| DataType::try_from(t).ok())
    }

    /// Records the type of `node`'s outputs where the node sets it or passes its input's on
    /// (a type already declared, e.g. by `value_info`, is kept).
    pub fn record(&mut self, node: &NodeProto) {
        let attr = |name: &str| node.attribute.iter().find(|a| a.name() == name);
        if node.op_type() == "If" {
            // Each output has the type its branch declares (both branches agree).
            let branch = attr("then_branch").and_then(|a| a.g.as_ref());
            for (out, info) in node.output.iter().zip(branch.map_or(&[][..], |g| &g.output[..])) {
                if let Some(t) = elem_type(info).filter(|_| !out.is_empty()) {
                    self.0.entry(out.clone()).or_insert(t);
                }
            }
            return;
        }
        if node.op_type() == "DynamicQuantizeLinear" {
            // y and its zero point are uint8, the scale float.
            let types = [DataType::Uint8, DataType::Float, DataType::Uint8];
            for (out, t) in node.output.iter().zip(types).filter(|(o, _)| !o.is_empty()) {
                self.0.entry(out.clone()).or_insert(t as i32);
            }
            return;
        }
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
            "Cast" | "BitCast" => attr("to").map(|a| a.i() as i32),
            "CastLike" => node.input.get(1).and_then(|i| self.0.get(i).copied()),
            "Equal" | "Less" | "LessOrEqual" | "Greater" | "GreaterOrEqual" | "Not" | "And" | "Or" | "Xor" => {
                Some(DataType::Bool as i32)
            }
            "ArgMax" | "ArgMin" | "Shape" | "Size" => Some(DataType::Int64 as i32),
            // Ops whose output has the type of their data input (`Where`: of its second).
            "Where" => node.input.get(1).and_then(|i| self.0.get(i).copied()),
            // The scale's type; the zero point's (uint8 without one).
            "DequantizeLinear" => node.input.get(1).and_then(|i| self.0.get(i).copied()),
            "QuantizeLinear" => {
                Some(node.input.get(2).and_then(|i| self.0.get(i).copied()).unwrap_or(DataType::Uint8 as i32))
            }
            op if PRESERVING.contains(&op) => node.input.first().and_then(|i| self.0.get(i).copied()),
            _ => None,
        };
        if let Some(t) = t {
            for out in node.output.iter().filter(|o| !o.is_empty()) {
                self.0.entry(out.clone()).or_insert(t);
            }
        }
    }
}

/// Ops whose output has their first input's element type.
const PRESERVING: &[&str] = &[
    "Abs",
    "Add",
    "Attention",
    "AveragePool",
    "BatchNormalization",
    "BitShift",
    "BitwiseAnd",
    "BitwiseNot",
    "BitwiseOr",
    "BitwiseXor",
    "Ceil",
    "Clip",
    "Concat",
    "Conv",
    "ConvTranspose",
    "Cos",
    "CumProd",
    "CumSum",
    "Div",
    "Dropout",
    "Einsum",
    "Elu",
    "Erf",
    "Exp",
    "Expand",
    "Flatten",
    "Floor",
    "Gather",
    "GatherElements",
    "Gelu",
    "Gemm",
    "GlobalAveragePool",
    "GlobalMaxPool",
    "HardSigmoid",
    "HardSwish",
    "Hardmax",
    "Identity",
    "InstanceNormalization",
    "LayerNormalization",
    "LeakyRelu",
    "Log",
    "LogSoftmax",
    "LpPool",
    "MatMul",
    "Max",
    "MaxPool",
    "Mean",
    "Min",
    "Mish",
    "Mod",
    "Mul",
    "Neg",
    "PRelu",
    "Pad",
    "Pow",
    "Reciprocal",
    "ReduceMax",
    "ReduceMean",
    "ReduceMin",
    "ReduceProd",
    "ReduceSum",
    "Relu",
    "Reshape",
    "Resize",
    "RotaryEmbedding",
    "Round",
    "Scatter",
    "ScatterElements",
    "ScatterND",
    "Selu",
    "Shrink",
    "Sigmoid",
    "Sign",
    "Sin",
    "Slice",
    "Softmax",
    "Softplus",
    "Softsign",
    "Split",
    "Sqrt",
    "Squeeze",
    "Sub",
    "Sum",
    "Tan",
    "Tanh",
    "Tile",
    "Transpose",
    "Trilu",
    "Unsqueeze",
];

/// Whether `t` is a floating-point type the importer reads (as f32, like every value):
/// float, double, float16, bfloat16, and the 8- and 4-bit floats.
pub fn is_float(t: DataType) -> bool {
    use DataType::*;
    matches!(t, Float | Double | Float16 | Bfloat16) || crate::narrow::is_narrow_float(t)
}

/// Whether `t` is an integer or boolean type (of 2 to 64 bits).
pub fn is_integer(t: DataType) -> bool {
    use DataType::*;
    matches!(t, Bool | Int8 | Int16 | Int32 | Int64 | Uint8 | Uint16 | Uint32 | Uint64)
        || crate::narrow::is_narrow_int(t)
}

fn elem_type(info: &ValueInfoProto) -> Option<i32> {
    match info.r#type.as_ref()?.value.as_ref()? {
        Type::TensorType(t) => Some(t.elem_type()),
        _ => None,
    }
}
