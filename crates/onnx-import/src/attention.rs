//! `Attention` (opset 23), built as the graph its ONNX function body describes, from ops the
//! registry proves: per head `softmax(softcap(Q Kᵀ · scale) + mask) V`.
//!
//! Q, K and V are `[batch, heads, seq, head_size]`, or `[batch, seq, heads · head_size]` with
//! `q_num_heads` and `kv_num_heads` given (split into heads by a Reshape and a Transpose, and
//! merged back at the end). With fewer key/value heads than query heads (grouped-query
//! attention), each key/value head serves a group of query heads (a Gather along the heads).
//! The mask is `attn_mask` (boolean: keep where true; float: added) and, with `is_causal`, `-inf`
//! above the diagonal; constant masks are combined here into one additive constant, which the
//! importer then folds into the Softmax (`zkinfer_graph::fold_masks`). A KV cache (`past_key`,
//! `past_value`) is concatenated before the new keys and values, which gives the `present_key`
//! and `present_value` outputs, and the causal mask then places query `i` at `past + i`;
//! `qk_matmul_output` is the scores after the softcap (modes 0 and 1), after the mask (2) or
//! after the Softmax (3). A padded cache (`nonpad_kv_seqlen`) is refused.

use zkinfer_graph::ops::{Add, Concat, Gather, Identity, MatMul, Mul, Reshape, Softmax, Tanh, Transpose, Where};
use zkinfer_graph::{Op, Tensor};

use crate::proto::tensor_proto::DataType;
use crate::registry::{scalar, Built, NodeCx, Src};
use crate::ImportError;

/// One step of the body: its op and inputs.
type Step = (Box<dyn Op>, Vec<Src>);

pub(crate) fn attention(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let is_causal = a.flag("is_causal")?;
    let (q_heads, kv_heads) = (a.int("q_num_heads")?, a.int("kv_num_heads")?);
    let _precision = a.int("softmax_precision")?;
    let scale = a.float("scale")?;
    let softcap = a.float("softcap")?.unwrap_or(0.0);
    let mode = a.int("qk_matmul_output_mode")?.unwrap_or(0);
    if !(0..=3).contains(&mode) {
        return Err(a.error("qk_matmul_output_mode", format!("must be 0 to 3, found {mode}")));
    }
    if cx.shapes.len() > 6 {
        return Err(a.node_error("nonpad_kv_seqlen (a padded KV cache) is not supported"));
    }
    if cx.shapes.len() == 5 {
        return Err(a.node_error("past_key without past_value"));
    }
    let rank = cx.shapes.first().map_or(0, Vec::len);
    let dims = |i: usize| cx.shapes.get(i).cloned().unwrap_or_default();
    let (q, k, v) = (dims(0), dims(1), dims(2));
    if rank != 3 && rank != 4 || k.len() != rank || v.len() != rank {
        return Err(a.node_error(format!("Q, K and V must all be 3-D or all 4-D, found {q:?}, {k:?}, {v:?}")));
    }
    let mut steps: Vec<Step> = Vec::new();
    let mut push = |op: Box<dyn Op>, inputs: Vec<Src>| {
        steps.push((op, inputs));
        Src::Step(steps.len() - 1)
    };
    // Per-head views [batch, heads, seq, size] of Q, K and V, and the head counts.
    let (qh, mut kh, mut vh, nq, nkv) = if rank == 4 {
        (Src::Input(0), Src::Input(1), Src::Input(2), q[1], k[1])
    } else {
        let (Some(nq), Some(nkv)) = (q_heads, kv_heads) else {
            return Err(a.error("q_num_heads", "3-D inputs need q_num_heads and kv_num_heads"));
        };
        let (nq, nkv) = (positive(cx, "q_num_heads", nq)?, positive(cx, "kv_num_heads", nkv)?);
        let mut split = |i: usize, heads: usize| {
            let s = &cx.shapes[i];
            let r = push(
                Box::new(Reshape { shape: vec![s[0] as i64, s[1] as i64, heads as i64, -1], allow_zero: false }),
                vec![Src::Input(i)],
            );
            push(Box::new(Transpose { perm: Some(vec![0, 2, 1, 3]) }), vec![r])
        };
        (split(0, nq), split(1, nkv), split(2, nkv), nq, nkv)
    };
    // The KV cache: present = past ++ new along the sequence (ONNX's reference), and attention
    // reads the whole of it.
    let past = cx.shapes.get(4).map(|p| p.get(2).copied().unwrap_or(0));
    if past.is_some() {
        kh = push(Box::new(Concat { axis: 2 }), vec![Src::Input(4), kh]);
        vh = push(Box::new(Concat { axis: 2 }), vec![Src::Input(5), vh]);
    }
    // Each requested output is a step of its own (none is built that nothing reads).
    let wanted = |k: usize| cx.outputs > k;
    let present =
        if wanted(1) { Some((identity(&mut push, kh.clone()), identity(&mut push, vh.clone()))) } else { None };
    if nkv == 0 || nq % nkv != 0 {
        return Err(a.error("kv_num_heads", format!("{nq} query heads are not a multiple of {nkv} key/value heads")));
    }
    if nq != nkv {
        // Query head h reads key/value head h / (nq / nkv).
        let group = nq / nkv;
        let index: Vec<f32> = (0..nq).map(|h| (h / group) as f32).collect();
        let index = Tensor::from_shape_vec(vec![nq], index).map_err(|e| a.error("kv_num_heads", e.to_string()))?;
        kh = push(Box::new(Gather { axis: 1 }), vec![kh, Src::Const(index.clone())]);
        vh = push(Box::new(Gather { axis: 1 }), vec![vh, Src::Const(index)]);
    }
    let head_size = if rank == 4 { q[3] } else { q[2] / nq.max(1) };
    let scale = scale.unwrap_or(1.0 / (head_size.max(1) as f32).sqrt());
    let kt = push(Box::new(Transpose { perm: Some(vec![0, 1, 3, 2]) }), vec![kh]);
    let mut s = push(Box::new(MatMul), vec![qh, kt]);
    s = push(Box::new(Mul), vec![s, scalar(scale)]);
    if softcap > 0.0 {
        s = push(Box::new(Mul), vec![s, scalar(1.0 / softcap)]);
        s = push(Box::new(Tanh), vec![s]);
        s = push(Box::new(Mul), vec![s, scalar(softcap)]);
    }
    let past = past.unwrap_or(0);
    let (q_seq, kv_seq) = (if rank == 4 { q[2] } else { q[1] }, past + if rank == 4 { k[2] } else { k[1] });
    let causal = is_causal.then(|| causal_mask(q_seq, kv_seq, past));
    // qk_matmul_output modes 0 and 1: the scores after the softcap, before the mask.
    let mut qk = (wanted(3) && mode <= 1).then(|| identity(&mut push, s.clone()));
    // An omitted mask (before a present cache) reaches the builder as an empty constant.
    let mask = cx.shapes.get(3).is_some_and(|m| m.iter().product::<usize>() > 0);
    let boolean = cx.dtypes.get(3).copied().flatten() == Some(DataType::Bool);
    match (mask, cx.consts.get(3).copied().flatten()) {
        // A constant mask, with the causal one, as one additive constant.
        (true, Some(m)) => {
            let m = if boolean { m.mapv(|k| if k != 0.0 { 0.0 } else { f32::NEG_INFINITY }) } else { m.clone() };
            let m = pad_keys(m, kv_seq).map_err(|e| a.error("attn_mask", e))?;
            let m = match &causal {
                Some(c) => zkinfer_graph::ops::broadcast::zip_broadcast(&m, c, |x, y| x + y)
                    .map_err(|e| a.error("attn_mask", e.to_string()))?,
                None => m,
            };
            s = push(Box::new(Add), vec![s, Src::Const(m)]);
        }
        (true, None) => {
            if let Some(c) = causal {
                s = push(Box::new(Add), vec![s, Src::Const(c)]);
            }
            s = if boolean {
                push(Box::new(Where), vec![Src::Input(3), s, scalar(f32::NEG_INFINITY)])
            } else {
                push(Box::new(Add), vec![s, Src::Input(3)])
            };
        }
        (false, _) => {
            if let Some(c) = causal {
                s = push(Box::new(Add), vec![s, Src::Const(c)]);
            }
        }
    }
    if wanted(3) && mode == 2 {
        qk = Some(identity(&mut push, s.clone()));
    }
    let p = push(Box::new(Softmax { axis: -1, coerce_2d: false, mask: None }), vec![s]);
    if wanted(3) && mode == 3 {
        qk = Some(identity(&mut push, p.clone()));
    }
    let mut y = push(Box::new(MatMul), vec![p, vh]);
    if rank == 3 {
        let t = push(Box::new(Transpose { perm: Some(vec![0, 2, 1, 3]) }), vec![y]);
        y = push(Box::new(Reshape { shape: vec![q[0] as i64, q[1] as i64, -1], allow_zero: false }), vec![t]);
    }
    let step = |s: Option<Src>| match s {
        Some(Src::Step(k)) => k,
        _ => usize::MAX,
    };
    let (present_key, present_value) = present.unzip();
    let outputs = [step(Some(y)), step(present_key), step(present_value), step(qk)];
    Ok(Built::Nodes(steps, outputs[..cx.outputs.clamp(1, 4)].to_vec()))
}

/// A step that passes `src` on: each output of the node is a step of its own.
fn identity(push: &mut impl FnMut(Box<dyn Op>, Vec<Src>) -> Src, src: Src) -> Src {
    push(Box::new(Identity), vec![src])
}

/// A constant additive mask shorter than the keys (a cache's new keys not covered), padded with
/// `-inf` as ONNX's reference pads it.
fn pad_keys(m: Tensor, keys: usize) -> Result<Tensor, String> {
    let shape = m.shape().to_vec();
    let Some(&last) = shape.last() else { return Ok(m) };
    if last >= keys {
        return Ok(m);
    }
    let rows = m.len() / last.max(1);
    let flat: Vec<f32> = m.iter().copied().collect();
    let padded = (0..rows * keys)
        .map(|f| if f % keys < last { flat[f / keys * last + f % keys] } else { f32::NEG_INFINITY })
        .collect();
    let mut shape = shape;
    if let Some(l) = shape.last_mut() {
        *l = keys;
    }
    Tensor::from_shape_vec(shape, padded).map_err(|e| e.to_string())
}

/// `-inf` where key `j` comes after query `i` (`[q_seq, kv_seq]`), 0 elsewhere; with a KV
/// cache of `past` keys, query `i` sits at position `past + i`.
fn causal_mask(q_seq: usize, kv_seq: usize, past: usize) -> Tensor {
    let m = (0..q_seq * kv_seq).map(|f| if f % kv_seq > past + f / kv_seq { f32::NEG_INFINITY } else { 0.0 }).collect();
    Tensor::from_shape_vec(vec![q_seq, kv_seq], m).unwrap_or_else(|_| Tensor::from_elem(vec![], 0.0))
}

fn positive(cx: &NodeCx, name: &str, v: i64) -> Result<usize, ImportError> {
    usize::try_from(v)
        .ok()
        .filter(|&v| v > 0)
        .ok_or_else(|| cx.attrs.error(name, format!("must be positive, found {v}")))
}
