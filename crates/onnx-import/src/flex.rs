//! `FlexAttention` (`ai.onnx.preview`, version 1), built by the importer: the attention of
//! `Q [B, Hq, L, E]` over `K, V [B, Hkv, S, ·]` with the `score_mod` and `prob_mod` graphs
//! imported in place.
//!
//! The key and value heads repeat to the query's (grouped-query attention: a constant-index
//! Gather), `scores = Q·Kᵀ · scale` (`1/√E` by default; a Transpose, a MatMul and a constant
//! product), then `score_mod`'s nodes on the scores, the Softmax over the keys, `prob_mod`'s
//! nodes on the probabilities, and the MatMul by the values. Each modifier is a graph of one
//! input and one output whose nodes are imported like a control-flow body
//! ([`crate::scan::import_body`]); the circuit proves only ops argued elsewhere.

use std::collections::HashMap;

use zkinfer_graph::ops::{Gather, MatMul, Mul, Softmax, Transpose};
use zkinfer_graph::{GraphBuilder, Tensor, ValueId};

use crate::dtypes::DTypes;
use crate::proto::{GraphProto, NodeProto};
use crate::registry::{Built, NodeCx};
use crate::scan::{import_body, with_initializers};
use crate::ImportError;

/// A parsed `FlexAttention` node, built by [`build`] once its inputs are known.
pub(crate) struct FlexSpec {
    scale: Option<f32>,
    score_mod: Option<GraphProto>,
    prob_mod: Option<GraphProto>,
}

/// The builder: reads the attributes and checks the operands' ranks.
pub(crate) fn flex_attention(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    // The precision of the softmax: every value is one fixed-point number here.
    let _ = a.int("softmax_precision")?;
    let modifier = |name: &str| -> Result<Option<GraphProto>, ImportError> {
        match a.graph(name)? {
            Some(g) if g.input.len() == 1 && g.output.len() == 1 => Ok(Some(g.clone())),
            Some(g) => {
                Err(a.error(name, format!("has {} inputs and {} outputs (one each)", g.input.len(), g.output.len())))
            }
            None => Ok(None),
        }
    };
    let spec =
        FlexSpec { scale: a.float("scale")?, score_mod: modifier("score_mod")?, prob_mod: modifier("prob_mod")? };
    let [q, k, v] = &cx.shapes[..] else {
        return Err(a.node_error(format!("expects Q, K and V, found {} inputs", cx.shapes.len())));
    };
    let fits = q.len() == 4 && k.len() == 4 && v.len() == 4 && k[1] == v[1] && k[2] == v[2] && q[3] == k[3];
    if !fits || k[1] == 0 || q[1] % k[1] != 0 {
        return Err(a.node_error(format!(
            "Q {q:?}, K {k:?}, V {v:?}: expected [B, H, L, E] with query heads a multiple of the key heads"
        )));
    }
    Ok(Built::Flex(Box::new(spec)))
}

/// Adds the attention to `b` and binds the node's output in `ids`.
pub(crate) fn build(
    b: &mut GraphBuilder,
    ids: &mut HashMap<String, ValueId>,
    types: &DTypes,
    node: &NodeProto,
    opset: i64,
    spec: &FlexSpec,
    inputs: &[ValueId],
) -> Result<(), ImportError> {
    let name = crate::import::label(node);
    let wrap = |e: zkinfer_graph::GraphError| ImportError::Node {
        node: name.clone(),
        op: "FlexAttention".into(),
        message: e.to_string(),
    };
    let (q, mut k, mut v) = (inputs[0], inputs[1], inputs[2]);
    let (hq, hkv, e) = (b.shape(q)[1], b.shape(k)[1], b.shape(q)[3]);
    if hq != hkv {
        let group = hq / hkv;
        let heads = Tensor::from_shape_vec(vec![hq], (0..hq).map(|h| (h / group) as f32).collect())
            .map_err(|err| wrap(zkinfer_graph::GraphError::Calibration(err.to_string())))?;
        let at = b.constant(&format!("{name}/kv_heads"), heads);
        k = b.node(&name, Box::new(Gather { axis: 1 }), vec![k, at], &format!("{name}/k_heads")).map_err(wrap)?;
        v = b.node(&name, Box::new(Gather { axis: 1 }), vec![v, at], &format!("{name}/v_heads")).map_err(wrap)?;
    }
    let kt = b
        .node(&name, Box::new(Transpose { perm: Some(vec![0, 1, 3, 2]) }), vec![k], &format!("{name}/kt"))
        .map_err(wrap)?;
    let qk = b.node(&name, Box::new(MatMul), vec![q, kt], &format!("{name}/qk")).map_err(wrap)?;
    let scale = spec.scale.unwrap_or(1.0 / (e as f32).sqrt());
    let scale = b.constant(&format!("{name}/scale"), Tensor::from_elem(vec![], scale));
    let mut scores = b.node(&name, Box::new(Mul), vec![qk, scale], &format!("{name}/scores")).map_err(wrap)?;
    let apply =
        |b: &mut GraphBuilder, graph: &Option<GraphProto>, x: ValueId, what: &str| -> Result<ValueId, ImportError> {
            let Some(graph) = graph else { return Ok(x) };
            let prefix = format!("{name}/{what}");
            let mut scope = with_initializers(b, ids, graph, &prefix)?;
            scope.insert(graph.input[0].name().to_string(), x);
            let mut body_types = types.clone();
            body_types.declare(graph);
            Ok(import_body(b, &mut scope, &mut body_types, graph, &prefix, opset)?[0])
        };
    scores = apply(b, &spec.score_mod, scores, "score_mod")?;
    let softmax = Box::new(Softmax { axis: -1, ..Softmax::default() });
    let probs = b.node(&name, softmax, vec![scores], &format!("{name}/probs")).map_err(wrap)?;
    let probs = apply(b, &spec.prob_mod, probs, "prob_mod")?;
    let out = node.output.first().filter(|o| !o.is_empty()).cloned().unwrap_or_else(|| format!("{name}/y"));
    let y = b.node(&name, Box::new(MatMul), vec![probs, v], &out).map_err(wrap)?;
    ids.insert(out, y);
    Ok(())
}
