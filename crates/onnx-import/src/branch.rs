//! `If` whose condition is a constant at import (computed from shapes and constants, as
//! exporters' function bodies write it): the chosen branch's nodes are imported in place of the
//! node ([`crate::scan::import_body`]), outer-scope values visible, and its outputs become the
//! node's. A condition computed from the model input is refused by name: the circuit would have
//! to prove both branches and select between them.

use std::collections::HashMap;

use zkinfer_graph::{GraphBuilder, ValueId};

use crate::builders::const_input;
use crate::dtypes::DTypes;
use crate::proto::{GraphProto, NodeProto};
use crate::registry::{Built, NodeCx};
use crate::scan::{import_body, with_initializers};
use crate::ImportError;

/// The builder: picks the branch.
pub(crate) fn if_op(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let then_branch = a.graph("then_branch")?.ok_or_else(|| a.error("then_branch", "is required"))?;
    let else_branch = a.graph("else_branch")?.ok_or_else(|| a.error("else_branch", "is required"))?;
    let cond = const_input(cx, 0, "cond")?;
    let [c] = cond.iter().copied().collect::<Vec<_>>()[..] else {
        return Err(a.error("cond", format!("must hold one value, found {}", cond.len())));
    };
    let body = if c != 0.0 { then_branch } else { else_branch };
    Ok(Built::Inline(Box::new(body.clone())))
}

/// Adds the chosen branch to `b` and binds the node's outputs in `ids`.
pub(crate) fn inline(
    b: &mut GraphBuilder,
    ids: &mut HashMap<String, ValueId>,
    types: &mut DTypes,
    node: &NodeProto,
    opset: i64,
    body: &GraphProto,
) -> Result<(), ImportError> {
    let name = crate::import::label(node);
    if body.output.len() != node.output.len() {
        let message = format!("the branch has {} outputs, the node {}", body.output.len(), node.output.len());
        return Err(ImportError::Node { node: name, op: node.op_type().to_string(), message });
    }
    let mut scope = with_initializers(b, ids, body, &name)?;
    let mut body_types = types.clone();
    body_types.declare(body);
    let outs = import_body(b, &mut scope, &mut body_types, body, &name, opset)?;
    for ((o, id), info) in node.output.iter().zip(outs).zip(&body.output).filter(|((o, _), _)| !o.is_empty()) {
        ids.insert(o.clone(), id);
        // The type of what the branch computed, where the branch does not declare it.
        if let Some(t) = body_types.get(info.name()) {
            types.infer(o, t);
        }
    }
    Ok(())
}
