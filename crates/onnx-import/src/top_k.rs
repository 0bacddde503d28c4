//! `TopK` at a constant `k`, built at import from comparisons.
//!
//! Along the axis (moved last), element `i`'s rank is the number of elements that come before
//! it: `r_i = Σ_j [x_j > x_i] + Σ_{j<i} [x_j = x_i]` (`<` for the smallest; ties go to the
//! lower index, as ONNX orders them). The ranks are a permutation of `0..n`, so the one-hot
//! `P[i][p] = [r_i = p]` has exactly one 1 per output position `p < k`: the values are
//! `Σ_i P[i][p]·x_i` (bit times value, the product chip) and the indices `Σ_i P[i][p]·i` (a
//! Linear sum). Every piece is an exact comparison, product or sum already proven; the cost is
//! `2n²` comparison bits and `n·k` products per row.

use zkinfer_graph::ops::{Add, Compare, Comparison, Mul, Reduce, ReduceKind, Transpose, Unsqueeze};
use zkinfer_graph::{Op, Tensor};

use crate::builders::const_ints;
use crate::registry::{Built, NodeCx, Src};
use crate::ImportError;

/// The builder; `k_attr` for version 1, where `k` is an attribute.
pub(crate) fn top_k(cx: &NodeCx, k_attr: bool) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let input = cx.shapes.first().cloned().unwrap_or_default();
    let k = if k_attr { a.int("k")? } else { const_ints(cx, 1, "k")?.and_then(|v| v.first().copied()) };
    let largest = a.int("largest")?.unwrap_or(1) != 0;
    let _sorted = a.int("sorted")?; // unsorted output may be in any order: sorted is one
    let r = input.len() as i64;
    let axis = a.int("axis")?.unwrap_or(-1);
    if !(-r..r).contains(&axis) {
        return Err(a.error("axis", format!("{axis} is out of range for the input {input:?}")));
    }
    let ax = axis.rem_euclid(r) as usize;
    let n = input[ax];
    crate::rewire::built_len(cx, &[n, n], "the comparison matrix")?;
    let k = k.and_then(|k| usize::try_from(k).ok()).filter(|&k| (1..=n).contains(&k));
    let k = k.ok_or_else(|| a.error("k", format!("must be between 1 and the axis length {n}")))?;
    // Move the axis last (and back at the end).
    let perm: Vec<usize> = (0..input.len()).filter(|&d| d != ax).chain([ax]).collect();
    let mut back = vec![0; input.len()];
    for (i, &p) in perm.iter().enumerate() {
        back[p] = i;
    }
    let before = if largest { Comparison::Greater } else { Comparison::Less };
    let tensor =
        |shape: Vec<usize>, v: Vec<f32>| Tensor::from_shape_vec(shape, v).map_err(|e| a.node_error(e.to_string()));
    let earlier = tensor(vec![n, n], (0..n * n).map(|e| if e % n < e / n { 1.0 } else { 0.0 }).collect())?;
    let positions = tensor(vec![k], (0..k).map(|p| p as f32).collect())?;
    let index = tensor(vec![n, 1], (0..n).map(|i| i as f32).collect())?;
    let sum = |axis: i64| Reduce {
        kind: ReduceKind::Sum,
        axes: Some(vec![axis]),
        keepdims: false,
        noop_with_empty_axes: false,
    };
    let steps: Vec<(Box<dyn Op>, Vec<Src>)> = vec![
        /* 0 */ (Box::new(Transpose { perm: Some(perm) }), vec![Src::Input(0)]),
        /* 1: x_i */ (Box::new(Unsqueeze { axes: vec![-1] }), vec![Src::Step(0)]),
        /* 2: x_j */ (Box::new(Unsqueeze { axes: vec![-2] }), vec![Src::Step(0)]),
        /* 3 */ (Box::new(Compare { kind: before }), vec![Src::Step(2), Src::Step(1)]),
        /* 4 */ (Box::new(Compare { kind: Comparison::Equal }), vec![Src::Step(2), Src::Step(1)]),
        /* 5 */ (Box::new(Mul), vec![Src::Step(4), Src::Const(earlier)]),
        /* 6 */ (Box::new(Add), vec![Src::Step(3), Src::Step(5)]),
        /* 7: ranks */ (Box::new(sum(-1)), vec![Src::Step(6)]),
        /* 8 */ (Box::new(Unsqueeze { axes: vec![-1] }), vec![Src::Step(7)]),
        /* 9: P */ (Box::new(Compare { kind: Comparison::Equal }), vec![Src::Step(8), Src::Const(positions)]),
        /* 10 */ (Box::new(Mul), vec![Src::Step(9), Src::Step(1)]),
        /* 11 */ (Box::new(sum(-2)), vec![Src::Step(10)]),
        /* 12 */ (Box::new(Mul), vec![Src::Step(9), Src::Const(index)]),
        /* 13 */ (Box::new(sum(-2)), vec![Src::Step(12)]),
        /* 14: values */ (Box::new(Transpose { perm: Some(back.clone()) }), vec![Src::Step(11)]),
        /* 15: indices */ (Box::new(Transpose { perm: Some(back) }), vec![Src::Step(13)]),
    ];
    Ok(Built::Nodes(steps, vec![14, 15]))
}
