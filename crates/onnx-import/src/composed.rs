//! Ops ONNX defines as small functions of others, built at import from ops already proven:
//! `ThresholdedRelu`, `Swish`, `Celu`, `MatMulInteger`, `OneHot`, `LRN`, `GroupNormalization`
//! `MeanVarianceNormalization`, `Det` and `BatchNormalization` in training mode.

use zkinfer_graph::ops::{
    Add, Compare, Comparison, Elu, Gather, LayerNorm, MatMul, Mul, NormKind, Pow, Reduce, ReduceKind, Reshape, Sigmoid,
    Sub, Transpose, Unsqueeze,
};
use zkinfer_graph::{Op, Tensor};

use crate::activations::finite;
use crate::builders::const_input;
use crate::registry::{scalar, Built, NodeCx, Src};
use crate::ImportError;

type Steps = Vec<(Box<dyn Op>, Vec<Src>)>;

fn nodes(steps: Steps) -> Result<Built, ImportError> {
    let last = steps.len() - 1;
    Ok(Built::Nodes(steps, vec![last]))
}

/// `ThresholdedRelu`: `x · [x > alpha]` (a comparison bit times `x`, the product chip).
pub(crate) fn thresholded_relu(cx: &NodeCx) -> Result<Built, ImportError> {
    let alpha = finite(&cx.attrs, "alpha", 1.0)?;
    nodes(vec![
        (Box::new(Compare { kind: Comparison::Greater }), vec![Src::Input(0), scalar(alpha)]),
        (Box::new(Mul), vec![Src::Step(0), Src::Input(0)]),
    ])
}

/// `Swish`: `x · sigmoid(alpha · x)`.
pub(crate) fn swish(cx: &NodeCx) -> Result<Built, ImportError> {
    let alpha = finite(&cx.attrs, "alpha", 1.0)?;
    nodes(vec![
        (Box::new(Mul), vec![Src::Input(0), scalar(alpha)]),
        (Box::new(Sigmoid), vec![Src::Step(0)]),
        (Box::new(Mul), vec![Src::Input(0), Src::Step(1)]),
    ])
}

/// `Celu`: `alpha · elu(x / alpha)` (Elu's table with `alpha = 1` between two constant products).
pub(crate) fn celu(cx: &NodeCx) -> Result<Built, ImportError> {
    let alpha = finite(&cx.attrs, "alpha", 1.0)?;
    if alpha == 0.0 {
        return Err(cx.attrs.error("alpha", "must be nonzero"));
    }
    nodes(vec![
        (Box::new(Mul), vec![Src::Input(0), scalar(1.0 / alpha)]),
        (Box::new(Elu { alpha: 1.0 }), vec![Src::Step(0)]),
        (Box::new(Mul), vec![Src::Step(1), scalar(alpha)]),
    ])
}

/// `MatMulInteger`: `(A − a_zero) · (B − b_zero)`, exact on integers (the zero points read as
/// given: a scalar, or one per row of `A` or column of `B`, broadcast as ONNX does).
pub(crate) fn matmul_integer(cx: &NodeCx) -> Result<Built, ImportError> {
    let zero = |i: usize, column: bool| -> Src {
        match cx.consts.get(i).copied().flatten() {
            Some(t) if t.len() > 1 && column => Src::Const(t.clone()),
            Some(t) if t.len() > 1 => {
                let n = t.len();
                Src::Const(
                    Tensor::from_shape_vec(vec![n, 1], t.iter().copied().collect()).unwrap_or_else(|_| t.clone()),
                )
            }
            Some(t) => scalar(t.iter().next().copied().unwrap_or(0.0)),
            None if cx.shapes.get(i).is_some_and(|s| s.iter().product::<usize>() > 0) => Src::Input(i),
            None => scalar(0.0),
        }
    };
    nodes(vec![
        (Box::new(Sub), vec![Src::Input(0), zero(2, false)]),
        (Box::new(Sub), vec![Src::Input(1), zero(3, true)]),
        (Box::new(MatMul), vec![Src::Step(0), Src::Step(1)]),
    ])
}

/// `OneHot` at a constant depth and values: the index (plus `depth` where negative) compared
/// for equality with `0..depth` along the new axis, the bit mapped to `off + bit · (on − off)`.
pub(crate) fn one_hot(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let depth = const_input(cx, 1, "depth")?.iter().next().copied().unwrap_or(0.0);
    let values: Vec<f32> = const_input(cx, 2, "values")?.iter().copied().collect();
    let [off, on] = values[..] else {
        return Err(a.error("values", format!("must hold [off, on], found {} values", values.len())));
    };
    if !(1.0..=65536.0).contains(&depth) {
        return Err(a.error("depth", format!("{depth} must be between 1 and 65536")));
    }
    let d = depth as usize;
    let r = cx.shapes.first().map_or(0, Vec::len) as i64;
    let axis = a.int("axis")?.unwrap_or(-1);
    if !(-r - 1..=r).contains(&axis) {
        return Err(a.error("axis", format!("{axis} is out of range for an output of rank {}", r + 1)));
    }
    let at = axis.rem_euclid(r + 1);
    // 0..depth along the new axis, broadcast against the unsqueezed indices.
    let mut shape = vec![d];
    shape.extend(std::iter::repeat_n(1, (r - at) as usize));
    let range =
        Tensor::from_shape_vec(shape, (0..d).map(|v| v as f32).collect()).map_err(|e| a.node_error(e.to_string()))?;
    nodes(vec![
        (Box::new(Compare { kind: Comparison::Less }), vec![Src::Input(0), scalar(0.0)]),
        (Box::new(Mul), vec![Src::Step(0), scalar(depth)]),
        (Box::new(Add), vec![Src::Input(0), Src::Step(1)]),
        (Box::new(Unsqueeze { axes: vec![at] }), vec![Src::Step(2)]),
        (Box::new(Compare { kind: Comparison::Equal }), vec![Src::Step(3), Src::Const(range)]),
        (Box::new(Mul), vec![Src::Step(4), scalar(on - off)]),
        (Box::new(Add), vec![Src::Step(5), scalar(off)]),
    ])
}

/// `LRN`: `x / (bias + alpha/size · Σ x²)^beta`, the sum over a window of channels: the squares
/// moved channel-last, a `MatMul` by the constant band of the window, moved back; then the
/// power table and a product.
pub(crate) fn lrn(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let (alpha, beta, bias) =
        (finite(&cx.attrs, "alpha", 1e-4)?, finite(&cx.attrs, "beta", 0.75)?, finite(&cx.attrs, "bias", 1.0)?);
    let size = a.int("size")?.filter(|&s| s > 0).ok_or_else(|| a.error("size", "must be a positive integer"))?;
    let input = cx.shapes.first().cloned().unwrap_or_default();
    if input.len() < 3 {
        return Err(a.node_error(format!("the input must be [N, C, ...], found {input:?}")));
    }
    let (c, r) = (input[1], input.len());
    crate::rewire::built_len(cx, &[c, c], "the channel band")?;
    let (below, above) = ((size - 1) / 2, size - 1 - (size - 1) / 2);
    let mut band = vec![0f32; c * c];
    for out in 0..c as i64 {
        for i in (out - below).max(0)..=(out + above).min(c as i64 - 1) {
            band[i as usize * c + out as usize] = alpha / size as f32;
        }
    }
    let band = Tensor::from_shape_vec(vec![c, c], band).map_err(|e| a.node_error(e.to_string()))?;
    let last: Vec<usize> = [0].into_iter().chain(2..r).chain([1]).collect();
    let back: Vec<usize> = [0, r - 1].into_iter().chain(1..r - 1).collect();
    nodes(vec![
        (Box::new(Mul), vec![Src::Input(0), Src::Input(0)]),
        (Box::new(Transpose { perm: Some(last) }), vec![Src::Step(0)]),
        (Box::new(MatMul), vec![Src::Step(1), Src::Const(band)]),
        (Box::new(Transpose { perm: Some(back) }), vec![Src::Step(2)]),
        (Box::new(Add), vec![Src::Step(3), scalar(bias)]),
        (Box::new(Pow { exponent: -beta }), vec![Src::Step(4)]),
        (Box::new(Mul), vec![Src::Input(0), Src::Step(5)]),
    ])
}

/// `GroupNormalization` at constant scale and bias (one per group before version 21, one per
/// channel from it): the input as `[N, groups, rest]` instance-normalized, reshaped back, then
/// scaled and shifted per channel.
pub(crate) fn group_norm(cx: &NodeCx, per_channel: bool) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let epsilon = finite(&cx.attrs, "epsilon", 1e-5)?;
    let _stash = a.int("stash_type")?;
    let input = cx.shapes.first().cloned().unwrap_or_default();
    let g =
        a.int("num_groups")?.filter(|&g| g > 0).ok_or_else(|| a.error("num_groups", "must be a positive integer"))?
            as usize;
    if input.len() < 2 || input[1] % g != 0 {
        return Err(a.error("num_groups", format!("{g} must divide the channels of the input {input:?}")));
    }
    let c = input[1];
    let per_channel_of = |i: usize, name: &str| -> Result<Tensor, ImportError> {
        let v: Vec<f32> = const_input(cx, i, name)?.iter().copied().collect();
        let want = if per_channel { c } else { g };
        if v.len() != want {
            return Err(a.error(name, format!("has {} values, expected {want}", v.len())));
        }
        let per: Vec<f32> = (0..c).map(|ch| if per_channel { v[ch] } else { v[ch / (c / g)] }).collect();
        let mut shape = vec![c];
        shape.extend(std::iter::repeat_n(1, input.len() - 2));
        Tensor::from_shape_vec(shape, per).map_err(|e| a.node_error(e.to_string()))
    };
    let (scale, bias) = (per_channel_of(1, "scale")?, per_channel_of(2, "bias")?);
    let ones = Tensor::from_elem(vec![g], 1.0);
    let zeros = Tensor::from_elem(vec![g], 0.0);
    nodes(vec![
        (Box::new(Reshape { shape: vec![input[0] as i64, g as i64, -1], allow_zero: false }), vec![Src::Input(0)]),
        (
            Box::new(LayerNorm { axis: 2, epsilon, kind: NormKind::Instance }),
            vec![Src::Step(0), Src::Const(ones), Src::Const(zeros)],
        ),
        (Box::new(Reshape { shape: input.iter().map(|&d| d as i64).collect(), allow_zero: false }), vec![Src::Step(1)]),
        (Box::new(Mul), vec![Src::Step(2), Src::Const(scale)]),
        (Box::new(Add), vec![Src::Step(3), Src::Const(bias)]),
    ])
}

/// `MeanVarianceNormalization`: `(x − mean) / (std + 1e−9)` over `axes` (default `[0, 2, 3]`),
/// as a layer normalization (the normalized axes moved last by a Transpose and back; its
/// `1/sqrt(var + 1e−9)` differs from `1/(sqrt(var) + 1e−9)` by far less than a table step).
pub(crate) fn mean_variance_norm(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let rank = cx.shapes.first().map_or(0, Vec::len);
    let axes = a.ints("axes")?.unwrap_or_else(|| vec![0, 2, 3]);
    let mut norm: Vec<usize> = Vec::with_capacity(axes.len());
    for &ax in &axes {
        let r = rank as i64;
        let ax = Some(ax).filter(|x| (-r..r).contains(x)).map(|x| x.rem_euclid(r.max(1)) as usize);
        match ax {
            Some(ax) if !norm.contains(&ax) => norm.push(ax),
            _ => return Err(a.error("axes", format!("{axes:?} must be distinct axes of a rank-{rank} input"))),
        }
    }
    norm.sort_unstable();
    let perm: Vec<usize> = (0..rank).filter(|i| !norm.contains(i)).chain(norm.iter().copied()).collect();
    let mut back = vec![0; rank];
    for (i, &p) in perm.iter().enumerate() {
        back[p] = i;
    }
    let one = Tensor::from_elem(vec![1], 1.0);
    let zero = Tensor::from_elem(vec![1], 0.0);
    let first = (rank - norm.len()) as i64;
    nodes(vec![
        (Box::new(Transpose { perm: Some(perm) }), vec![Src::Input(0)]),
        (
            Box::new(LayerNorm { axis: first, epsilon: 1e-9, kind: NormKind::Layer }),
            vec![Src::Step(0), Src::Const(one), Src::Const(zero)],
        ),
        (Box::new(Transpose { perm: Some(back) }), vec![Src::Step(1)]),
    ])
}

/// `Det` of matrices up to 3×3 (`[..., n, n]`): the Leibniz sum over the `n!` permutations of
/// signed products of one entry per row, each entry a constant-index Gather of the flattened
/// matrices, the products the product chip, the signed sum Adds and Subs. Larger matrices are
/// refused by name (the expansion grows as `n!`).
pub(crate) fn det(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let x = cx.shapes.first().cloned().unwrap_or_default();
    let r = x.len();
    if r < 2 || x[r - 1] != x[r - 2] || !(1..=3).contains(&x[r - 1]) {
        return Err(a.node_error(format!("input {x:?}: square matrices of size 1 to 3 are supported")));
    }
    let n = x[r - 1];
    let batch: usize = x[..r - 2].iter().product();
    let perms: &[(&[usize], bool)] = match n {
        1 => &[(&[0], true)],
        2 => &[(&[0, 1], true), (&[1, 0], false)],
        _ => &[
            (&[0, 1, 2], true),
            (&[1, 2, 0], true),
            (&[2, 0, 1], true),
            (&[0, 2, 1], false),
            (&[1, 0, 2], false),
            (&[2, 1, 0], false),
        ],
    };
    let mut steps: Steps =
        vec![(Box::new(Reshape { shape: vec![batch as i64, (n * n) as i64], allow_zero: false }), vec![Src::Input(0)])];
    let mut sum: Option<Src> = None;
    for &(perm, positive) in perms {
        let mut product: Option<Src> = None;
        for (row, &col) in perm.iter().enumerate() {
            steps.push((Box::new(Gather { axis: 1 }), vec![Src::Step(0), scalar((row * n + col) as f32)]));
            let entry = Src::Step(steps.len() - 1);
            product = Some(match product {
                None => entry,
                Some(p) => {
                    steps.push((Box::new(Mul), vec![p, entry]));
                    Src::Step(steps.len() - 1)
                }
            });
        }
        let term = product.unwrap_or_else(|| scalar(1.0));
        sum = Some(match (sum, positive) {
            (None, true) => term,
            (None, false) => {
                steps.push((Box::new(Sub), vec![scalar(0.0), term]));
                Src::Step(steps.len() - 1)
            }
            (Some(s), true) => {
                steps.push((Box::new(Add), vec![s, term]));
                Src::Step(steps.len() - 1)
            }
            (Some(s), false) => {
                steps.push((Box::new(Sub), vec![s, term]));
                Src::Step(steps.len() - 1)
            }
        });
    }
    let out: Vec<i64> = x[..r - 2].iter().map(|&d| d as i64).collect();
    steps.push((Box::new(Reshape { shape: out, allow_zero: false }), vec![sum.unwrap_or_else(|| scalar(0.0))]));
    nodes(steps)
}

/// `BatchNormalization` in training mode: `Y` normalized by the batch's own per-channel mean and
/// (population) variance — an instance normalization of the input viewed as `[1, C, N·spatial]`
/// (a Transpose and Reshapes around it) with the per-channel scale and bias — and, when asked,
/// the running statistics `input · momentum + batch · (1 − momentum)`: the batch mean a
/// ReduceMean, its variance the ReduceMean of the squared deviations (products of activations).
pub(crate) fn batch_norm_training(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let epsilon = finite(a, "epsilon", 1e-5)?;
    let momentum = finite(a, "momentum", 0.9)?;
    let x = cx.shapes.first().cloned().unwrap_or_default();
    if x.len() < 2 || cx.shapes.len() < 5 {
        return Err(a.node_error(format!("input {x:?}: expected [N, C, ...] with scale, bias, mean and variance")));
    }
    let r = x.len();
    let mut swap: Vec<usize> = (0..r).collect();
    swap.swap(0, 1);
    let dims = |v: &[usize]| v.iter().map(|&d| d as i64).collect::<Vec<_>>();
    let mut swapped = x.clone();
    swapped.swap(0, 1);
    let others: Vec<i64> = (0..r as i64).filter(|&i| i != 1).collect();
    let mean_of = |axes: &[i64], keep: bool| Reduce {
        kind: ReduceKind::Mean,
        axes: Some(axes.to_vec()),
        keepdims: keep,
        noop_with_empty_axes: false,
    };
    let mut steps: Steps = vec![
        (Box::new(Transpose { perm: Some(swap.clone()) }), vec![Src::Input(0)]),
        (Box::new(Reshape { shape: vec![1, x[1] as i64, -1], allow_zero: false }), vec![Src::Step(0)]),
        (
            Box::new(LayerNorm { axis: 2, epsilon, kind: NormKind::Instance }),
            vec![Src::Step(1), Src::Input(1), Src::Input(2)],
        ),
        (Box::new(Reshape { shape: dims(&swapped), allow_zero: false }), vec![Src::Step(2)]),
        (Box::new(Transpose { perm: Some(swap) }), vec![Src::Step(3)]),
    ];
    let y = steps.len() - 1;
    if cx.outputs < 2 {
        return Ok(Built::Nodes(steps, vec![y]));
    }
    // The batch statistics, per channel.
    steps.push((Box::new(mean_of(&others, true)), vec![Src::Input(0)]));
    let mean_kept = Src::Step(steps.len() - 1);
    steps.push((Box::new(Sub), vec![Src::Input(0), mean_kept.clone()]));
    let dev = Src::Step(steps.len() - 1);
    steps.push((Box::new(Mul), vec![dev.clone(), dev]));
    steps.push((Box::new(mean_of(&others, false)), vec![Src::Step(steps.len() - 1)]));
    let var = Src::Step(steps.len() - 1);
    steps.push((Box::new(Reshape { shape: vec![x[1] as i64], allow_zero: false }), vec![mean_kept]));
    let mean = Src::Step(steps.len() - 1);
    let running = |steps: &mut Steps, input: usize, batch: Src| {
        steps.push((Box::new(Mul), vec![Src::Input(input), scalar(momentum)]));
        let old = Src::Step(steps.len() - 1);
        steps.push((Box::new(Mul), vec![batch, scalar(1.0 - momentum)]));
        steps.push((Box::new(Add), vec![old, Src::Step(steps.len() - 1)]));
        steps.len() - 1
    };
    let running_mean = running(&mut steps, 3, mean);
    let running_var = running(&mut steps, 4, var);
    Ok(Built::Nodes(steps, vec![y, running_mean, running_var]))
}
