//! `ModelProto` -> [`Graph`].

use std::collections::{HashMap, HashSet};

use zkinfer_graph::{DType, Graph, GraphBuilder, Tensor, ValueId};

use crate::attrs::Attrs;
use crate::dtypes::DTypes;
use crate::proto::tensor_proto::DataType;
use crate::proto::tensor_shape_proto::dimension::Value as Dim;
use crate::proto::type_proto::Value as Type;
use crate::proto::{GraphProto, ModelProto, NodeProto, ValueInfoProto};
use crate::registry::{default_domain, lookup, lookup_domain, unsupported_reason, Built, NodeCx, Src};
use crate::tensor::to_tensor;
use crate::ImportError;
use crate::ImportOptions;

/// A node's name for messages: its `name`, else its first output.
pub(crate) fn label(node: &NodeProto) -> String {
    match (node.name(), node.output.first()) {
        ("", Some(out)) => out.clone(),
        (name, _) => name.to_string(),
    }
}

/// Opset of the default (`ai.onnx`) domain.
fn default_opset(model: &ModelProto) -> Result<i64, ImportError> {
    model
        .opset_import
        .iter()
        .find(|o| default_domain(o.domain()))
        .map(|o| o.version())
        .ok_or_else(|| ImportError::Malformed("the model declares no opset for the default ONNX domain".into()))
}

/// Checks every node against the registry before anything else runs.
fn check_ops(graph: &GraphProto, opset: i64, model: &ModelProto) -> Result<(), ImportError> {
    for node in &graph.node {
        let domain = node.domain();
        let (supported, node_opset) = if default_domain(domain) {
            (lookup(node.op_type(), opset).is_some(), opset)
        } else {
            let v = model.opset_import.iter().find(|o| o.domain() == domain).map_or(0, |o| o.version());
            (lookup_domain(domain, node.op_type(), Some(v)).is_some(), v)
        };
        if !supported {
            let op =
                if domain.is_empty() { node.op_type().to_string() } else { format!("{domain}.{}", node.op_type()) };
            let default = default_domain(domain);
            let reason = if default { unsupported_reason(node.op_type(), opset) } else { String::new() };
            return Err(ImportError::UnsupportedOp { node: label(node), op, opset: node_opset, reason });
        }
        // A control-flow body's nodes are checked as well (not an `If`'s branches: only the
        // one its condition picks is imported, and its nodes are checked then).
        for body in node.attribute.iter().filter(|_| node.op_type() != "If").filter_map(|a| a.g.as_ref()) {
            check_ops(body, opset, model)?;
        }
    }
    Ok(())
}

/// Static shape of a float, integer or boolean graph input.
fn input_shape(info: &ValueInfoProto, opts: &ImportOptions) -> Result<Vec<usize>, ImportError> {
    let input = info.name().to_string();
    let bad = |message: &str| ImportError::Input { input: input.clone(), message: message.to_string() };
    let Some(Type::TensorType(t)) = info.r#type.as_ref().and_then(|t| t.value.as_ref()) else {
        return Err(bad("only tensor inputs are supported"));
    };
    let dtype = DataType::try_from(t.elem_type()).ok();
    if !dtype.is_some_and(|t| crate::dtypes::is_float(t) || crate::dtypes::is_integer(t)) {
        let name = dtype.map_or("unknown", |d| d.as_str_name());
        return Err(bad(&format!(
            "element type {name} is not supported (FLOAT, DOUBLE, FLOAT16, BFLOAT16, integers and BOOL are)"
        )));
    }
    let shape = t.shape.as_ref().ok_or_else(|| bad("the input has no shape"))?;
    shape
        .dim
        .iter()
        .enumerate()
        .map(|(dim, d)| {
            let dynamic = |reason: String| ImportError::DynamicDim { input: input.clone(), dim, reason };
            match &d.value {
                Some(Dim::DimValue(v)) if *v > 0 => usize::try_from(*v).map_err(|_| dynamic(format!("size {v}"))),
                Some(Dim::DimValue(v)) => Err(dynamic(format!("size {v}"))),
                Some(Dim::DimParam(p)) => match opts.dims.get(p) {
                    Some(&v) if v > 0 => Ok(v),
                    Some(_) => Err(dynamic(format!("symbolic size '{p}' given the size 0"))),
                    None => Err(dynamic(format!("symbolic size '{p}', which `--dim {p}=N` sets"))),
                },
                None => Err(dynamic("size missing".into())),
            }
        })
        .collect()
}

/// Builds the f32 graph of a decoded model.
pub(crate) fn import(model: &ModelProto, opts: &ImportOptions) -> Result<Graph, ImportError> {
    let graph = model.graph.as_ref().ok_or(ImportError::NoGraph)?;
    let opset = match default_opset(model) {
        Ok(opset) => opset,
        // A model whose nodes all belong to another domain (e.g. ai.onnx.ml) need not import
        // the default one: its nodes are checked against that domain's version, and the ops its
        // builders make need no opset.
        Err(e) if graph.node.iter().any(|n| default_domain(n.domain())) => return Err(e),
        Err(_) => 0,
    };
    check_ops(graph, opset, model)?;

    let mut b = GraphBuilder::new();
    let mut ids: HashMap<String, ValueId> = HashMap::new();
    for init in &graph.initializer {
        let id = b.constant(init.name(), to_tensor(init)?);
        ids.insert(init.name().to_string(), id);
    }
    let init_names: HashSet<&str> = graph.initializer.iter().map(|t| t.name()).collect();
    let inputs: Vec<&ValueInfoProto> = graph.input.iter().filter(|i| !init_names.contains(i.name())).collect();
    if inputs.is_empty() {
        return Err(ImportError::NoInput);
    }
    // Every graph input that no initializer overrides is a model input, in graph order.
    for input in inputs {
        let dtype = match DTypes::declared_type(input) {
            Some(DataType::Bool) => DType::Bool,
            Some(t) if crate::dtypes::is_integer(t) => DType::I64,
            _ => DType::F32,
        };
        let id = b.typed_input(input.name(), input_shape(input, opts)?, dtype);
        ids.insert(input.name().to_string(), id);
    }

    let mut types = DTypes::declared(graph);
    for node in &graph.node {
        add_node(&mut b, &mut ids, &mut types, node, opset)?;
        types.record(node);
    }

    if graph.output.is_empty() {
        return Err(ImportError::NoOutput);
    }
    // Every graph output is a model output, in graph order.
    let outputs = graph
        .output
        .iter()
        .map(|o| ids.get(o.name()).copied().ok_or_else(|| ImportError::UndefinedValue(o.name().to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    let mut g = b.finish_outputs(outputs)?;
    zkinfer_graph::fold_masks(&mut g)?;
    zkinfer_graph::reassociate_scales(&mut g);
    Ok(g)
}

pub(crate) fn add_node(
    b: &mut GraphBuilder,
    ids: &mut HashMap<String, ValueId>,
    types: &mut DTypes,
    node: &NodeProto,
    opset: i64,
) -> Result<(), ImportError> {
    let name = label(node);
    let node_err = |message: String| ImportError::Node { node: name.clone(), op: node.op_type().to_string(), message };
    // Another domain's op was checked against the model's version of that domain (`check_ops`).
    let build = if default_domain(node.domain()) {
        lookup(node.op_type(), opset).map(|e| e.build)
    } else {
        lookup_domain(node.domain(), node.op_type(), None)
    };
    let build = build.ok_or_else(|| ImportError::UnsupportedOp {
        node: name.clone(),
        op: node.op_type().to_string(),
        opset,
        reason: unsupported_reason(node.op_type(), opset),
    })?;
    // Trailing empty names are omitted optional inputs; an omitted input in the middle is not supported.
    let used = node.input.iter().rposition(|i| !i.is_empty()).map_or(0, |p| p + 1);
    let inputs = node.input[..used]
        .iter()
        .enumerate()
        .map(|(k, i)| match i.as_str() {
            // Resize, Clip, Pad, Attention, DFT, CausalConvWithState, LinearAttention and Loop
            // read an omitted optional input as an empty constant.
            "" if matches!(
                node.op_type(),
                "Resize" | "Clip" | "Pad" | "Attention" | "DFT" | "CausalConvWithState" | "LinearAttention" | "Loop"
            ) =>
            {
                Ok(b.constant(&format!("{name}/omitted{k}"), Tensor::from_elem(vec![0], 0.0)))
            }
            "" => Err(node_err("an omitted optional input before a present one is not supported".into())),
            i => ids.get(i).copied().ok_or_else(|| ImportError::UndefinedValue(i.to_string())),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let cx = NodeCx {
        attrs: Attrs::new(node),
        consts: inputs.iter().map(|&i| b.const_value(i)).collect(),
        shapes: inputs.iter().map(|&i| b.shape(i).to_vec()).collect(),
        dtypes: node.input[..used].iter().map(|i| types.get(i)).collect(),
        outputs: node.output.len(),
    };
    let built = build(&cx)?;
    cx.attrs.finish()?;
    let single_output = || match node.output.as_slice() {
        [out, rest @ ..] if !out.is_empty() && rest.iter().all(|o| o.is_empty()) => Ok(out.clone()),
        [out, rest @ ..] if !out.is_empty() => {
            let extra: Vec<&String> = rest.iter().filter(|o| !o.is_empty()).collect();
            Err(node_err(format!("only the first output ('{out}') is supported, but the node also asks for {extra:?}")))
        }
        outs => Err(node_err(format!("exactly one output is supported, found {outs:?}"))),
    };
    match built {
        Built::Const(t) => {
            let output = single_output()?;
            let id = b.constant(&output, t);
            ids.insert(output, id);
        }
        Built::Op(op) => {
            let output = single_output()?;
            let id = b.node(&name, op, inputs, &output)?;
            ids.insert(output, id);
        }
        // A small graph: each step on the node's inputs, earlier steps and constants; the
        // node's outputs are the steps `outputs` names.
        Built::Nodes(steps, outputs) => {
            let Some(prefix) = node.output.iter().find(|o| !o.is_empty()) else {
                return Err(node_err("no output is named".into()));
            };
            if let Some(extra) = node.output.iter().skip(outputs.len()).find(|o| !o.is_empty()) {
                return Err(node_err(format!("output '{extra}' is not supported")));
            }
            let named = |k: usize| outputs.iter().zip(&node.output).find(|(s, o)| **s == k && !o.is_empty());
            let mut values: Vec<ValueId> = Vec::with_capacity(steps.len());
            for (k, (op, srcs)) in steps.into_iter().enumerate() {
                let out = match named(k) {
                    Some((_, o)) => o.clone(),
                    None => format!("{prefix}/{k}:{}", op.name()),
                };
                let mut ins = Vec::with_capacity(srcs.len());
                for (j, src) in srcs.into_iter().enumerate() {
                    ins.push(match src {
                        Src::Input(i) => *inputs.get(i).ok_or_else(|| node_err(format!("input {i} is absent")))?,
                        Src::Step(s) => values[s],
                        Src::Const(t) => b.constant(&format!("{out}/c{j}"), t),
                    });
                }
                values.push(b.node(&name, op, ins, &out)?);
            }
            for (&k, o) in outputs.iter().zip(&node.output).filter(|(_, o)| !o.is_empty()) {
                let id = *values.get(k).ok_or_else(|| node_err(format!("output '{o}' is not built")))?;
                ids.insert(o.clone(), id);
            }
        }
        Built::Scan(spec) => crate::scan::unroll(b, ids, types, node, opset, &spec, &inputs)?,
        Built::Inline(body) => crate::branch::inline(b, ids, types, node, opset, &body)?,
        Built::Loop(spec) => crate::loops::unroll(b, ids, types, node, opset, &spec, &inputs)?,
        Built::Flex(spec) => crate::flex::build(b, ids, types, node, opset, &spec, &inputs)?,
        // One op per output, on the inputs it names; an omitted output ("") is not built.
        Built::Outputs(ops) => {
            for ((op, n), out) in ops.into_iter().zip(&node.output).filter(|(_, out)| !out.is_empty()) {
                let id = b.node(&name, op, inputs.iter().take(n).copied().collect(), out)?;
                ids.insert(out.clone(), id);
            }
        }
    }
    Ok(())
}
