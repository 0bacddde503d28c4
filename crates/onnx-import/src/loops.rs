//! `Loop` at a constant trip count, unrolled at import.
//!
//! Iteration `i` binds the body's inputs to the constant iteration number, the constant
//! condition and the carried values, imports the body's nodes in place
//! ([`crate::scan::import_body`]), and takes its outputs as the next condition, the next carried
//! values and iteration `i` of each scan output. The condition a body computes must fold to a
//! constant (from the iteration number and constants): a loop that the model input stops is
//! refused by name, as is one without a constant trip count. The loop outputs are the final
//! carried values and the scan outputs stacked along a new first axis.

use std::collections::HashMap;

use zkinfer_graph::{GraphBuilder, Tensor, ValueId};

use crate::dtypes::DTypes;
use crate::proto::tensor_proto::DataType;
use crate::proto::{GraphProto, NodeProto};
use crate::registry::{Built, NodeCx};
use crate::scan::{import_body, stack, with_initializers};
use crate::ImportError;

/// The most iterations a loop unrolls into.
const MAX_TRIPS: usize = 4096;

/// A parsed `Loop` node, unrolled by [`unroll`] once its inputs are known.
pub(crate) struct LoopSpec {
    body: GraphProto,
    trips: usize,
    cond: bool,
}

/// The builder: reads the body, the trip count and the initial condition.
pub(crate) fn loop_op(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let body = a.graph("body")?.ok_or_else(|| a.error("body", "is required"))?.clone();
    // An omitted trip count or condition arrives as an empty constant.
    let given = |i: usize| cx.shapes.get(i).is_some_and(|s| s.iter().product::<usize>() > 0);
    let scalar = |i: usize, name: &str| -> Result<f32, ImportError> {
        let t =
            cx.consts.get(i).copied().flatten().ok_or_else(|| {
                a.error(name, "must be a constant (a loop the model input bounds cannot be unrolled)")
            })?;
        t.iter().next().copied().filter(|_| t.len() == 1).ok_or_else(|| a.error(name, "must hold one value"))
    };
    if !given(0) {
        return Err(a.error("M", "a loop without a trip count is not supported (it is unrolled at import)"));
    }
    let m = scalar(0, "M")?;
    if !(0.0..=MAX_TRIPS as f32).contains(&m) {
        return Err(a.error("M", format!("{m} iterations: at most {MAX_TRIPS} are unrolled")));
    }
    let cond = if given(1) { scalar(1, "cond")? != 0.0 } else { true };
    let carried = cx.shapes.len().saturating_sub(2);
    if body.input.len() != carried + 2 || body.output.len() < carried + 1 {
        return Err(a.error(
            "body",
            format!("has {} inputs and {} outputs for {carried} carried values", body.input.len(), body.output.len()),
        ));
    }
    Ok(Built::Loop(Box::new(LoopSpec { body, trips: m as usize, cond })))
}

/// Adds the unrolled loop to `b` and binds the node's outputs in `ids`.
pub(crate) fn unroll(
    b: &mut GraphBuilder,
    ids: &mut HashMap<String, ValueId>,
    types: &DTypes,
    node: &NodeProto,
    opset: i64,
    spec: &LoopSpec,
    inputs: &[ValueId],
) -> Result<(), ImportError> {
    let name = crate::import::label(node);
    let err = |message: String| ImportError::Node { node: name.clone(), op: "Loop".into(), message };
    let body = &spec.body;
    let mut carried: Vec<ValueId> = inputs.get(2..).unwrap_or_default().to_vec();
    let n_scan = body.output.len() - 1 - carried.len();
    let mut scans: Vec<Vec<ValueId>> = vec![Vec::new(); n_scan];
    let mut body_types = types.clone();
    body_types.declare(body);
    body_types.infer(body.input[0].name(), DataType::Int64);
    body_types.infer(body.input[1].name(), DataType::Bool);
    for (input, outer) in body.input[2..].iter().zip(node.input.get(2..).unwrap_or_default()) {
        if let Some(t) = types.get(outer) {
            body_types.infer(input.name(), t);
        }
    }
    let base = with_initializers(b, ids, body, &name)?;
    let mut cond = spec.cond;
    for i in 0..spec.trips {
        if !cond {
            break;
        }
        let mut scope = base.clone();
        let at = b.constant(&format!("{name}/{i}/iteration"), Tensor::from_elem(vec![], i as f32));
        let c = b.constant(&format!("{name}/{i}/cond"), Tensor::from_elem(vec![], 1.0));
        for (input, id) in body.input.iter().zip([at, c].into_iter().chain(carried.iter().copied())) {
            scope.insert(input.name().to_string(), id);
        }
        let outs = import_body(b, &mut scope, &mut body_types, body, &format!("{name}/{i}"), opset)?;
        let next = b.const_value(outs[0]).ok_or_else(|| {
            err("the body's condition is computed from the model input: the loop cannot be unrolled".into())
        })?;
        cond = next.iter().next().is_some_and(|&v| v != 0.0);
        carried = outs[1..1 + carried.len()].to_vec();
        for (k, &o) in outs[1 + carried.len()..].iter().enumerate() {
            scans[k].push(o);
        }
    }
    let named = |k: usize| node.output.get(k).filter(|o| !o.is_empty());
    for (k, &v) in carried.iter().enumerate() {
        if let Some(o) = named(k) {
            ids.insert(o.clone(), v);
        }
    }
    for (k, values) in scans.iter().enumerate() {
        let Some(out) = named(carried.len() + k) else { continue };
        if values.is_empty() {
            return Err(err(format!("scan output '{out}' of a loop that runs no iteration is empty")));
        }
        ids.insert(out.clone(), stack(b, &name, values, 0, out).map_err(|e| err(e.to_string()))?);
    }
    Ok(())
}
