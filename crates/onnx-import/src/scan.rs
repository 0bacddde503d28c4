//! `Scan` (version 9 and later), unrolled at import over the static sequence length.
//!
//! Step `t` binds the body's inputs to the current states and to slice `t` of each scan input
//! (a constant-index Gather along its axis, from the end when its direction is reversed),
//! imports the body's nodes as any other nodes (outer-scope values stay visible; each step's
//! values get names of their own), and takes the body's outputs as the next states and as
//! step `t` of each scan output; the scan outputs are the steps stacked along their axes (in
//! reverse order where their direction says so). The circuit sees only the body's ops, each
//! proven as usual: the unrolling adds free re-wirings.

use std::collections::HashMap;

use zkinfer_graph::ops::{Concat, Gather, Unsqueeze};
use zkinfer_graph::{GraphBuilder, Tensor, ValueId};

use crate::dtypes::DTypes;
use crate::proto::{GraphProto, NodeProto};
use crate::registry::{Built, NodeCx};
use crate::ImportError;

/// The most nodes (steps times body nodes) a scan unrolls into.
const MAX_UNROLLED: usize = 1 << 16;

/// A parsed `Scan` node, unrolled by [`unroll`] once its inputs are known.
pub(crate) struct ScanSpec {
    body: GraphProto,
    scan_inputs: usize,
    input_axes: Vec<i64>,
    input_reverse: Vec<bool>,
    output_axes: Vec<i64>,
    output_reverse: Vec<bool>,
}

/// The builder: reads the attributes.
pub(crate) fn scan(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let body = a.graph("body")?.ok_or_else(|| a.error("body", "is required"))?.clone();
    let m = a.int("num_scan_inputs")?.and_then(|m| usize::try_from(m).ok()).filter(|&m| m > 0);
    let m = m.ok_or_else(|| a.error("num_scan_inputs", "must be a positive integer"))?;
    if m > cx.shapes.len() {
        return Err(a.error("num_scan_inputs", format!("{m} is more than the node's {} inputs", cx.shapes.len())));
    }
    let states = cx.shapes.len() - m;
    let k =
        body.output.len().checked_sub(states).ok_or_else(|| {
            a.error("body", format!("has {} outputs, fewer than the {states} states", body.output.len()))
        })?;
    if body.input.len() != cx.shapes.len() {
        return Err(a.error("body", format!("has {} inputs, the node {}", body.input.len(), cx.shapes.len())));
    }
    let flags = |name: &str, n: usize| -> Result<Vec<bool>, ImportError> {
        let v = a.ints(name)?.unwrap_or_else(|| vec![0; n]);
        if v.len() != n || v.iter().any(|&d| d != 0 && d != 1) {
            return Err(a.error(name, format!("{v:?} must hold {n} values of 0 or 1")));
        }
        Ok(v.iter().map(|&d| d == 1).collect())
    };
    let axes = |name: &str, n: usize| -> Result<Vec<i64>, ImportError> {
        let v = a.ints(name)?.unwrap_or_else(|| vec![0; n]);
        if v.len() != n {
            return Err(a.error(name, format!("{v:?} must hold {n} values")));
        }
        Ok(v)
    };
    Ok(Built::Scan(Box::new(ScanSpec {
        input_axes: axes("scan_input_axes", m)?,
        input_reverse: flags("scan_input_directions", m)?,
        output_axes: axes("scan_output_axes", k)?,
        output_reverse: flags("scan_output_directions", k)?,
        body,
        scan_inputs: m,
    })))
}

/// Adds the unrolled scan to `b` and binds the node's outputs in `ids`.
pub(crate) fn unroll(
    b: &mut GraphBuilder,
    ids: &mut HashMap<String, ValueId>,
    types: &DTypes,
    node: &NodeProto,
    opset: i64,
    spec: &ScanSpec,
    inputs: &[ValueId],
) -> Result<(), ImportError> {
    let name = crate::import::label(node);
    let err = |message: String| ImportError::Node { node: name.clone(), op: "Scan".into(), message };
    let wrap = |e: zkinfer_graph::GraphError| err(e.to_string());
    let n_states = inputs.len() - spec.scan_inputs;
    let scanned = &inputs[n_states..];
    // The sequence length, and each scan input's axis as an index.
    let mut len = None;
    let mut axes = Vec::with_capacity(scanned.len());
    for (&x, &axis) in scanned.iter().zip(&spec.input_axes) {
        let shape = b.shape(x);
        let r = shape.len() as i64;
        if !(-r..r).contains(&axis) {
            return Err(err(format!("scan input axis {axis} is out of range for shape {shape:?}")));
        }
        let ax = axis.rem_euclid(r) as usize;
        if *len.get_or_insert(shape[ax]) != shape[ax] {
            return Err(err("the scan inputs differ in length".into()));
        }
        axes.push(ax);
    }
    let len = len.unwrap_or(0);
    if len == 0 {
        return Err(err("a scan of no steps".into()));
    }
    if len.saturating_mul(spec.body.node.len().max(1)) > MAX_UNROLLED {
        return Err(err(format!(
            "{len} steps of a {}-node body pass the {MAX_UNROLLED} nodes an unrolled scan may hold",
            spec.body.node.len()
        )));
    }
    let mut states: Vec<ValueId> = inputs[..n_states].to_vec();
    let mut steps: Vec<Vec<ValueId>> = vec![Vec::with_capacity(len); spec.output_axes.len()];
    let mut body_types = types.clone();
    body_types.declare(&spec.body);
    // A body input left untyped has the type of the value bound to it.
    for (input, outer) in spec.body.input.iter().zip(&node.input) {
        if let Some(t) = types.get(outer) {
            body_types.infer(input.name(), t);
        }
    }
    let base = with_initializers(b, ids, &spec.body, &name)?;
    for t in 0..len {
        let mut scope = base.clone();
        let mut bound = states.clone();
        for ((&x, &ax), &rev) in scanned.iter().zip(&axes).zip(&spec.input_reverse) {
            let at = Tensor::from_elem(vec![], (if rev { len - 1 - t } else { t }) as f32);
            let at = b.constant(&format!("{name}/{t}/at"), at);
            let slice = Box::new(Gather { axis: ax as i64 });
            bound.push(b.node(&name, slice, vec![x, at], &format!("{name}/{t}/slice")).map_err(wrap)?);
        }
        for (input, id) in spec.body.input.iter().zip(bound) {
            scope.insert(input.name().to_string(), id);
        }
        let outs = import_body(b, &mut scope, &mut body_types, &spec.body, &format!("{name}/{t}"), opset)?;
        states = outs[..n_states].to_vec();
        for (k, &o) in outs[n_states..].iter().enumerate() {
            steps[k].push(o);
        }
    }
    let named = |k: usize| node.output.get(k).filter(|o| !o.is_empty());
    for (k, &s) in states.iter().enumerate() {
        if let Some(o) = named(k) {
            ids.insert(o.clone(), s);
        }
    }
    for (k, mut values) in steps.into_iter().enumerate() {
        let Some(out) = named(n_states + k) else { continue };
        if spec.output_reverse[k] {
            values.reverse();
        }
        let rank = b.shape(values[0]).len() as i64 + 1;
        let axis = spec.output_axes[k];
        if !(-rank..rank).contains(&axis) {
            return Err(err(format!("scan output axis {axis} is out of range for rank {rank}")));
        }
        let id = stack(b, &name, &values, axis.rem_euclid(rank), out).map_err(wrap)?;
        ids.insert(out.clone(), id);
    }
    Ok(())
}

/// `values` (one per step, of one shape) stacked along the new axis `ax` as value `out`.
pub(crate) fn stack(
    b: &mut GraphBuilder,
    node: &str,
    values: &[ValueId],
    ax: i64,
    out: &str,
) -> Result<ValueId, zkinfer_graph::GraphError> {
    let parts = values
        .iter()
        .enumerate()
        .map(|(t, &v)| b.node(node, Box::new(Unsqueeze { axes: vec![ax] }), vec![v], &format!("{out}/{t}")))
        .collect::<Result<Vec<_>, _>>()?;
    b.node(node, Box::new(Concat { axis: ax }), parts, out)
}

/// `ids` plus the constants of `body`'s initializers (named under `prefix`).
pub(crate) fn with_initializers(
    b: &mut GraphBuilder,
    ids: &HashMap<String, ValueId>,
    body: &GraphProto,
    prefix: &str,
) -> Result<HashMap<String, ValueId>, ImportError> {
    let mut scope = ids.clone();
    for init in &body.initializer {
        let id = b.constant(&format!("{prefix}/{}", init.name()), crate::tensor::to_tensor(init)?);
        scope.insert(init.name().to_string(), id);
    }
    Ok(scope)
}

/// Imports the nodes of a control-flow `body` into `b` as any other nodes, reading `scope` (the
/// outer values and the body's bound inputs); each node output is named under `prefix`, so that
/// repeated bodies stay apart, and is visible under its own name to the later body nodes.
/// Returns the body's outputs.
pub(crate) fn import_body(
    b: &mut GraphBuilder,
    scope: &mut HashMap<String, ValueId>,
    types: &mut DTypes,
    body: &GraphProto,
    prefix: &str,
    opset: i64,
) -> Result<Vec<ValueId>, ImportError> {
    for body_node in &body.node {
        let mut renamed = body_node.clone();
        for o in renamed.output.iter_mut().filter(|o| !o.is_empty()) {
            *o = format!("{prefix}/{o}");
        }
        crate::import::add_node(b, scope, types, &renamed, opset)?;
        for (o, r) in body_node.output.iter().zip(&renamed.output).filter(|(o, _)| !o.is_empty()) {
            if let Some(&id) = scope.get(r) {
                scope.insert(o.clone(), id);
            }
            // A type the node's import learnt (a nested `If`'s outputs) holds under both names.
            if let Some(t) = types.get(r) {
                types.infer(o, t);
            }
        }
        types.record(body_node);
    }
    body.output
        .iter()
        .map(|o| scope.get(o.name()).copied().ok_or_else(|| ImportError::UndefinedValue(o.name().to_string())))
        .collect()
}
