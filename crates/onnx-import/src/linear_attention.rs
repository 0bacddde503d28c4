//! `LinearAttention` (opset 27), unrolled at import over the sequence as its function body
//! writes it.
//!
//! Per step `t`, with the heads' state `S` (`[B, H_kv, d_k, d_v]`, the past state or zeros):
//! `gated` rules scale `S` by `exp(decay_t)`, `delta` rules replace `v_t` by
//! `beta_t·(v_t − k_tᵀS)`, then `S += k_t ⊗ v_t`, and the output is `scale·q_tᵀS` (each of
//! `q_num_heads / kv_num_heads` query heads reading its key head's state). Every step is an Exp
//! table, a product of two activations, a MatMul (of two activations, or by a constant) or a
//! re-wiring; with keys and values constant the states fold at import.

use zkinfer_graph::ops::{Add, Concat, Exp, Gather, MatMul, Mul, Reshape, Sub, Transpose, Unsqueeze};
use zkinfer_graph::Tensor;

use crate::registry::Built;
use crate::registry::{NodeCx, Src, Steps};
use crate::ImportError;

impl Steps {
    fn reshape(&mut self, x: Src, shape: &[usize]) -> Src {
        self.push(Reshape { shape: shape.iter().map(|&d| d as i64).collect(), allow_zero: false }, vec![x])
    }
    /// `[B, T, H·D]` as `[B, H, T, D]`.
    fn heads(&mut self, x: Src, b: usize, t: usize, h: usize, d: usize) -> Src {
        let r = self.reshape(x, &[b, t, h, d]);
        self.push(Transpose { perm: Some(vec![0, 2, 1, 3]) }, vec![r])
    }
    fn at(&mut self, x: &Src, axis: i64, i: usize) -> Src {
        self.push(Gather { axis }, vec![x.clone(), Src::Const(Tensor::from_elem(vec![], i as f32))])
    }
}

/// The builder (module docs).
pub(crate) fn linear_attention(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let _chunk = a.int("chunk_size")?;
    let rule = a.string("update_rule")?.unwrap_or_else(|| "gated_delta".into());
    let (gating, delta) = match rule.as_str() {
        "linear" => (false, false),
        "gated" => (true, false),
        "delta" => (false, true),
        "gated_delta" => (true, true),
        other => return Err(a.error("update_rule", format!("unknown rule '{other}'"))),
    };
    let heads = |name: &str| -> Result<usize, ImportError> {
        let v = a.int(name)?.and_then(|v| usize::try_from(v).ok()).filter(|&v| v > 0);
        v.ok_or_else(|| a.error(name, "is required and must be positive"))
    };
    let (hq, hkv) = (heads("q_num_heads")?, heads("kv_num_heads")?);
    if hq % hkv != 0 {
        return Err(a.error("q_num_heads", format!("{hq} is not a multiple of kv_num_heads {hkv}")));
    }
    let present = |i: usize| cx.shapes.get(i).is_some_and(|s| s.iter().product::<usize>() > 0);
    let shape = |i: usize| cx.shapes.get(i).cloned().unwrap_or_default();
    let (q, k, v) = (shape(0), shape(1), shape(2));
    let (&[b, t, qw], &[_, _, kw], &[_, _, vw]) = (q.as_slice(), k.as_slice(), v.as_slice()) else {
        return Err(a.node_error(format!("query {q:?}, key {k:?} and value {v:?} must be 3-D")));
    };
    let steps_ok = (1..=crate::recurrent::MAX_STEPS).contains(&t);
    if qw % hq != 0 || kw % hkv != 0 || vw % hkv != 0 || k[..2] != [b, t] || v[..2] != [b, t] || !steps_ok {
        return Err(a.node_error(format!("query {q:?}, key {k:?} and value {v:?} do not fit the heads")));
    }
    let (dk, dv) = (qw / hq, vw / hkv);
    if gating != present(4) || delta != present(5) {
        return Err(a.node_error(format!("update rule '{rule}' and the decay and beta inputs given do not match")));
    }
    let scale = match a.float("scale")? {
        Some(s) if s != 0.0 => s,
        _ => 1.0 / (dk as f32).sqrt(),
    };
    let mut s = Steps::default();
    let (q4, k4, v4) = (
        s.heads(Src::Input(0), b, t, hq, dk),
        s.heads(Src::Input(1), b, t, hkv, dk),
        s.heads(Src::Input(2), b, t, hkv, dv),
    );
    let per_head = |s: &mut Steps, i: usize, name: &str, widths: &[usize]| -> Result<Src, ImportError> {
        match shape(i).as_slice() {
            &[bb, tt, w] if bb == b && tt == t && widths.contains(&w) => Ok(if w == hkv * dk && w != hkv {
                s.heads(Src::Input(i), b, t, hkv, dk)
            } else {
                s.heads(Src::Input(i), b, t, w, 1)
            }),
            other => Err(a.error(name, format!("shape {other:?} does not fit [B, T, one of {widths:?}]"))),
        }
    };
    let decay = if gating { Some(per_head(&mut s, 4, "decay", &[hkv, hkv * dk])?) } else { None };
    let beta = if delta { Some(per_head(&mut s, 5, "beta", &[hkv, 1])?) } else { None };
    let mut state = if present(3) {
        if shape(3) != [b, hkv, dk, dv] {
            return Err(a.error("past_state", format!("shape {:?} is not [{b}, {hkv}, {dk}, {dv}]", shape(3))));
        }
        Src::Input(3)
    } else {
        Src::Const(Tensor::zeros(vec![b, hkv, dk, dv]))
    };
    let group = hq / hkv;
    let read_heads = Tensor::from_shape_vec(vec![hq], (0..hq).map(|h| (h / group) as f32).collect())
        .map_err(|e| a.node_error(e.to_string()))?;
    let mut outs = Vec::with_capacity(t);
    for i in 0..t {
        let (q_t, k_t, mut v_t) = (s.at(&q4, 2, i), s.at(&k4, 2, i), s.at(&v4, 2, i));
        if let Some(d) = &decay {
            let g = s.at(d, 2, i);
            let e = s.push(Exp, vec![g]);
            let e = s.push(Unsqueeze { axes: vec![-1] }, vec![e]);
            state = s.push(Mul, vec![state, e]);
        }
        let k_row = s.push(Unsqueeze { axes: vec![-2] }, vec![k_t.clone()]);
        if let Some(be) = &beta {
            let got = s.push(MatMul, vec![k_row, state.clone()]);
            let got = s.reshape(got, &[b, hkv, dv]);
            let diff = s.push(Sub, vec![v_t, got]);
            let be_t = s.at(be, 2, i);
            v_t = s.push(Mul, vec![be_t, diff]);
        }
        let k_col = s.push(Unsqueeze { axes: vec![-1] }, vec![k_t]);
        let v_row = s.push(Unsqueeze { axes: vec![-2] }, vec![v_t]);
        let outer = s.push(Mul, vec![k_col, v_row]);
        state = s.push(Add, vec![state, outer]);
        let read = if group == 1 {
            state.clone()
        } else {
            s.push(Gather { axis: 1 }, vec![state.clone(), Src::Const(read_heads.clone())])
        };
        let q_row = s.push(Unsqueeze { axes: vec![-2] }, vec![q_t]);
        let o = s.push(MatMul, vec![q_row, read]);
        outs.push(s.push(Mul, vec![o, Src::Const(Tensor::from_elem(vec![], scale))]));
    }
    let all = if outs.len() == 1 { outs.remove(0) } else { s.push(Concat { axis: 2 }, outs) };
    let moved = s.push(Transpose { perm: Some(vec![0, 2, 1, 3]) }, vec![all]);
    let output = s.reshape(moved, &[b, t, hq * dv]);
    s.built(&[&output, &state], || a.node_error("an output that is not a step"))
}
