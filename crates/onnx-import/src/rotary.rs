//! `RotaryEmbedding` (opset 23), built at import from constant caches.
//!
//! Each output element is `c·x[d] + s·x[partner(d)]` along the head dimension: with half the
//! rotated width `h`, the first half pairs `d` with `d + h` (`cos·x₁ − sin·x₂`), the second
//! half `d` with `d − h` (`sin·x₁ + cos·x₂`); interleaved, even `d` pairs with `d + 1` and odd
//! with `d − 1`; dimensions past `rotary_embedding_dim` keep `x` (`c = 1`, `s = 0`). The cos and
//! sin values come from the caches, at `position_ids` when given, so they and the partner map
//! are constants: the op is a Gather along the last axis (a free re-wiring), two products by
//! constant tensors and an Add. Caches or positions computed from the input are refused.

use zkinfer_graph::ops::{Add, Gather, Mul};
use zkinfer_graph::{Op, Tensor};

use crate::registry::{Built, NodeCx, Src};
use crate::ImportError;

/// The `RotaryEmbedding` builder (module docs).
pub(crate) fn rotary_embedding(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let interleaved = a.flag("interleaved")?;
    let rotary = a.int("rotary_embedding_dim")?.unwrap_or(0);
    let num_heads = a.int("num_heads")?.unwrap_or(0);
    let x = cx.shapes.first().cloned().unwrap_or_default();
    let konst = |i: usize, name: &str| {
        cx.consts.get(i).copied().flatten().ok_or_else(|| {
            a.error(name, "must be a constant (a cache or position computed from the model input is not supported)")
        })
    };
    let (cos, sin) = (konst(1, "cos_cache")?, konst(2, "sin_cache")?);
    let positions = if cx.shapes.len() > 3 { Some(konst(3, "position_ids")?) } else { None };
    // (sequence, heads, head size), wherever each sits in the input.
    let (seq, heads, head) = match (x.as_slice(), num_heads) {
        (&[_, h, s, d], _) => (s, h, d),
        (&[_, s, hidden], n) if n > 0 && hidden % n as usize == 0 => (s, n as usize, hidden / n as usize),
        _ => {
            return Err(a.error(
                "num_heads",
                format!(
                "the input {x:?} must be [batch, heads, sequence, head] or 3-D with num_heads dividing its last axis"
            ),
            ))
        }
    };
    let rot = if rotary == 0 { head } else { usize::try_from(rotary).unwrap_or(usize::MAX) };
    if rot > head || rot % 2 != 0 {
        return Err(a.error("rotary_embedding_dim", format!("{rotary} must be even and at most the head size {head}")));
    }
    let half = rot / 2;
    // The cache entry of (batch b, position s, pair j).
    let (cos_flat, sin_flat): (Vec<f32>, Vec<f32>) = (cos.iter().copied().collect(), sin.iter().copied().collect());
    let position_flat: Option<Vec<f32>> = positions.map(|p| p.iter().copied().collect());
    let entry = |flat: &[f32], b: usize, s: usize, j: usize| -> Result<f32, ImportError> {
        let row = match &position_flat {
            Some(p) => {
                let p = p.get(b * seq + s).copied().unwrap_or(-1.0);
                usize::try_from(p as i64).map_err(|_| a.error("position_ids", format!("negative position {p}")))?
            }
            None => b * seq + s,
        };
        flat.get(row * half + j).copied().ok_or_else(|| {
            a.error("cos_cache", format!("has no entry for row {row}, pair {j} (shape {:?})", cos.shape()))
        })
    };
    // Along the head dimension: the partner of d and whether d is the pair's first.
    let pair = |d: usize| -> (usize, usize, bool) {
        match interleaved {
            true => (d / 2, d ^ 1, d.is_multiple_of(2)),
            false if d < half => (d, d + half, true),
            false => (d - half, d - half, false),
        }
    };
    let n: usize = x.iter().product();
    let (mut c, mut s) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for e in 0..n {
        // Coordinates in (batch, sequence, head, dim) whatever the input's layout.
        let (b, pos, d) = if x.len() == 4 {
            (e / (heads * seq * head), e / head % seq, e % head)
        } else {
            (e / (seq * heads * head), e / (heads * head) % seq, e % head)
        };
        if d >= rot {
            c.push(1.0);
            s.push(0.0);
            continue;
        }
        let (j, _, first) = pair(d);
        let (cv, sv) = (entry(&cos_flat, b, pos, j)?, entry(&sin_flat, b, pos, j)?);
        c.push(cv);
        s.push(if first { -sv } else { sv });
    }
    // The partner along the last axis (for a 3-D input, within the same head).
    let last = *x.last().unwrap_or(&0);
    let partner: Vec<f32> = (0..last)
        .map(|i| {
            let (h0, d) = (i / head * head, i % head);
            (if d < rot { h0 + pair(d).1 } else { i }) as f32
        })
        .collect();
    let tensor =
        |v: Vec<f32>, shape: Vec<usize>| Tensor::from_shape_vec(shape, v).map_err(|e| a.node_error(e.to_string()));
    let steps: Vec<(Box<dyn Op>, Vec<Src>)> = vec![
        (Box::new(Gather { axis: -1 }), vec![Src::Input(0), Src::Const(tensor(partner, vec![last])?)]),
        (Box::new(Mul), vec![Src::Input(0), Src::Const(tensor(c, x.clone())?)]),
        (Box::new(Mul), vec![Src::Step(0), Src::Const(tensor(s, x.clone())?)]),
        (Box::new(Add), vec![Src::Step(1), Src::Step(2)]),
    ];
    Ok(Built::Nodes(steps, vec![3]))
}
