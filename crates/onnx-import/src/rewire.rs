//! Ops that only move elements, built at import as one re-wiring: `GatherND`, `Compress`,
//! `DepthToSpace`, `SpaceToDepth`, `CenterCropPad`, `ReverseSequence`, `MaxUnpool`,
//! `TensorScatter`, `Upsample` (each at constant indices, lengths, scales or shapes), and
//! `EyeLike` (a constant).
//!
//! With everything but the data constant, which input element each output element copies is
//! known here. The inputs are flattened and concatenated, one constant-index `Gather` picks the
//! output (a free re-wiring of cells, no constraint), and where an output element copies
//! nothing (padding, unpooled positions) a product by a constant 0/1 mask zeroes it. Indices,
//! lengths or shapes computed from the model input are refused by name.

use zkinfer_graph::ops::{strides, unravel, Concat, Gather, Mul, Reshape};
use zkinfer_graph::{Op, Tensor};

use crate::builders::{const_input, const_ints};
use crate::registry::{Built, NodeCx, Src};
use crate::ImportError;

/// The most elements a tensor or constant matrix built at import may hold (2^24): a model whose
/// re-wiring, weight matrix or unrolled graph would be larger is refused by name, not allocated.
pub(crate) const MAX_BUILT: usize = 1 << 24;

/// The number of elements of `dims`, refused by name past [`MAX_BUILT`] (or on overflow).
pub(crate) fn built_len(cx: &NodeCx, dims: &[usize], what: &str) -> Result<usize, ImportError> {
    dims.iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .filter(|&n| n <= MAX_BUILT)
        .ok_or_else(|| cx.attrs.node_error(format!("{what} of shape {dims:?} is larger than {MAX_BUILT} elements")))
}

/// The flat index of coordinates `c` in a tensor of `shape`.
fn ravel(c: &[usize], shape: &[usize]) -> usize {
    c.iter().zip(strides(shape)).map(|(c, s)| c * s).sum()
}

/// Steps that build a tensor of `shape` whose element `e` is element `picks[e]` of the node's
/// inputs `from`, flattened and concatenated in that order, or 0 where `picks[e]` is `None`.
pub(crate) fn rewire(
    cx: &NodeCx,
    from: &[usize],
    picks: &[Option<usize>],
    shape: Vec<usize>,
) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    if picks.is_empty() || from.is_empty() {
        return Err(a.node_error(format!("an empty output (shape {shape:?}) is not supported")));
    }
    let flat =
        |i: usize| (Box::new(Reshape { shape: vec![-1], allow_zero: false }) as Box<dyn Op>, vec![Src::Input(i)]);
    let mut steps: Vec<(Box<dyn Op>, Vec<Src>)> = from.iter().map(|&i| flat(i)).collect();
    if from.len() > 1 {
        steps.push((Box::new(Concat { axis: 0 }), (0..from.len()).map(Src::Step).collect()));
    }
    let tensor = |v: Vec<f32>| Tensor::from_shape_vec(shape.clone(), v).map_err(|e| a.node_error(e.to_string()));
    let index = tensor(picks.iter().map(|p| p.unwrap_or(0) as f32).collect())?;
    steps.push((Box::new(Gather { axis: 0 }), vec![Src::Step(steps.len() - 1), Src::Const(index)]));
    if picks.iter().any(Option::is_none) {
        let mask = tensor(picks.iter().map(|p| if p.is_some() { 1.0 } else { 0.0 }).collect())?;
        steps.push((Box::new(Mul), vec![Src::Step(steps.len() - 1), Src::Const(mask)]));
    }
    let last = steps.len() - 1;
    Ok(Built::Nodes(steps, vec![last]))
}

/// `axis` in `[-rank, rank)` as an index.
fn axis_of(cx: &NodeCx, name: &str, axis: i64, rank: usize) -> Result<usize, ImportError> {
    let r = rank as i64;
    if !(-r..r).contains(&axis) {
        return Err(cx.attrs.error(name, format!("axis {axis} is out of range for rank {rank}")));
    }
    Ok(axis.rem_euclid(r.max(1)) as usize)
}

/// An index into a dim of size `dim`, negative ones counting from the end.
fn index_in(cx: &NodeCx, name: &str, v: f32, dim: usize) -> Result<usize, ImportError> {
    let (i, d) = (v as i64, dim as i64);
    if v.fract() != 0.0 || !(-d..d).contains(&i) {
        return Err(cx.attrs.error(name, format!("index {v} is out of range for a dim of {dim}")));
    }
    Ok(i.rem_euclid(d) as usize)
}

/// `GatherND` at constant indices: `batch_dims` leading dims shared, then each index tuple picks
/// a slice of the remaining dims.
pub(crate) fn gather_nd(cx: &NodeCx) -> Result<Built, ImportError> {
    let data = cx.shapes.first().cloned().unwrap_or_default();
    let indices = const_input(cx, 1, "indices")?;
    let b = usize::try_from(cx.attrs.int("batch_dims")?.unwrap_or(0))
        .map_err(|_| cx.attrs.error("batch_dims", "must be non-negative"))?;
    let ishape = indices.shape().to_vec();
    let q = ishape.last().copied().unwrap_or(0);
    if ishape.len() <= b || data.len() < b + q || ishape[..b] != data[..b] {
        return Err(cx.attrs.node_error(format!("indices {ishape:?} do not fit data {data:?} with batch_dims {b}")));
    }
    let tuples = &ishape[..ishape.len() - 1];
    let rest: usize = data[b + q..].iter().product();
    let shape = [tuples, &data[b + q..]].concat();
    built_len(cx, &shape, "the output")?;
    let values: Vec<f32> = indices.iter().copied().collect();
    let batch_size: usize = data[b..].iter().product();
    let tuple_count: usize = tuples[b..].iter().product();
    let mut picks = Vec::with_capacity(shape.iter().product());
    for (t, tuple) in values.chunks(q.max(1)).enumerate().take(tuples.iter().product()) {
        let batch = t / tuple_count.max(1);
        let mut at = batch * batch_size;
        for (j, &v) in tuple.iter().enumerate().take(q) {
            at += index_in(cx, "indices", v, data[b + j])? * strides(&data[b..])[j];
        }
        picks.extend((0..rest).map(|r| Some(at + r)));
    }
    rewire(cx, &[0], &picks, shape)
}

/// `Compress` at a constant condition: the slices along `axis` (of the flattened input without
/// one) where the condition holds.
pub(crate) fn compress(cx: &NodeCx) -> Result<Built, ImportError> {
    let input = cx.shapes.first().cloned().unwrap_or_default();
    let keep: Vec<usize> =
        const_input(cx, 1, "condition")?.iter().enumerate().filter(|(_, &c)| c != 0.0).map(|(i, _)| i).collect();
    let (shape, ax) = match cx.attrs.int("axis")? {
        Some(v) => (input.clone(), axis_of(cx, "axis", v, input.len())?),
        None => (vec![input.iter().product()], 0),
    };
    if keep.iter().any(|&i| i >= shape[ax]) {
        return Err(cx.attrs.error("condition", format!("is longer than the axis ({} elements)", shape[ax])));
    }
    let mut out = shape.clone();
    out[ax] = keep.len();
    let picks = (0..out.iter().product())
        .map(|e| {
            let mut c = unravel(e, &out);
            c[ax] = keep[c[ax]];
            Some(ravel(&c, &shape))
        })
        .collect::<Vec<_>>();
    rewire(cx, &[0], &picks, out)
}

/// A positive `blocksize`, the 4-D input `[n, c, h, w]`, and whether `mode` is `CRD`.
fn block_input(cx: &NodeCx) -> Result<(usize, [usize; 4], bool), ImportError> {
    let b = cx.attrs.int("blocksize")?.and_then(|v| usize::try_from(v).ok()).filter(|&v| v > 0);
    let b = b.filter(|&v| v <= 1 << 12).ok_or_else(|| cx.attrs.error("blocksize", "must be between 1 and 4096"))?;
    let crd = match cx.attrs.string("mode")?.as_deref() {
        None | Some("DCR") => false,
        Some("CRD") => true,
        Some(other) => return Err(cx.attrs.error("mode", format!("unknown mode '{other}'"))),
    };
    match cx.shapes.first().map(Vec::as_slice) {
        Some(&[n, c, h, w]) => Ok((b, [n, c, h, w], crd)),
        other => Err(cx.attrs.node_error(format!("the input must be 4-D, found {other:?}"))),
    }
}

/// `Upsample` (opsets 7-9, deprecated since 10), nearest mode: output dim `⌊d·scale⌋`, output
/// index `i` copying input index `⌊i / scale⌋` on each axis (the scales an attribute at opset 7,
/// a constant input from 9). The linear mode is refused by name.
pub(crate) fn upsample(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let mode = a.string("mode")?.unwrap_or_else(|| "nearest".into());
    if mode != "nearest" {
        return Err(a.error("mode", format!("'{mode}': only nearest upsampling is supported")));
    }
    let scales: Vec<f32> = match a.floats("scales")? {
        Some(s) => s,
        None => const_input(cx, 1, "scales")?.iter().copied().collect(),
    };
    let x = cx.shapes.first().cloned().unwrap_or_default();
    if scales.len() != x.len() || scales.iter().any(|&s| !(s >= 1.0 && s.is_finite())) {
        return Err(a.error("scales", format!("{scales:?} must hold one finite scale ≥ 1 per axis of {x:?}")));
    }
    let out: Vec<usize> = x.iter().zip(&scales).map(|(&d, &s)| (d as f32 * s) as usize).collect();
    let n = built_len(cx, &out, "the upsampled output")?;
    let picks = (0..n)
        .map(|e| {
            let at = unravel(e, &out);
            let c: Vec<usize> = (0..x.len()).map(|k| ((at[k] as f32 / scales[k]) as usize).min(x[k] - 1)).collect();
            Some(ravel(&c, &x))
        })
        .collect::<Vec<_>>();
    rewire(cx, &[0], &picks, out)
}

/// `DepthToSpace`: `out[n, c, h·b + i, w·b + j]` is channel `(i·b + j)·C + c` (`DCR`) or
/// `c·b² + i·b + j` (`CRD`) at `(h, w)`.
pub(crate) fn depth_to_space(cx: &NodeCx) -> Result<Built, ImportError> {
    let (b, [n, c, h, w], crd) = block_input(cx)?;
    if c % (b * b) != 0 {
        return Err(cx.attrs.error("blocksize", format!("{b}² does not divide the {c} channels")));
    }
    let oc = c / (b * b);
    let out = vec![n, oc, h * b, w * b];
    let picks = (0..out.iter().product())
        .map(|e| {
            let [bn, co, y, x] = unravel(e, &out)[..] else { unreachable!("4-D") };
            let (i, j) = (y % b, x % b);
            let ci = if crd { co * b * b + i * b + j } else { (i * b + j) * oc + co };
            Some(ravel(&[bn, ci, y / b, x / b], &[n, c, h, w]))
        })
        .collect::<Vec<_>>();
    rewire(cx, &[0], &picks, out)
}

/// `SpaceToDepth`, the inverse: `out[n, (i·b + j)·C + c, h, w] = in[n, c, h·b + i, w·b + j]`
/// (`DCR`; `CRD`, from version 28, orders the output channels `c·b² + i·b + j`).
pub(crate) fn space_to_depth(cx: &NodeCx) -> Result<Built, ImportError> {
    let (b, [n, c, h, w], crd) = block_input(cx)?;
    if h % b != 0 || w % b != 0 {
        return Err(cx.attrs.error("blocksize", format!("{b} does not divide the spatial dims {h}x{w}")));
    }
    let out = vec![n, c * b * b, h / b, w / b];
    let picks = (0..out.iter().product())
        .map(|e| {
            let [bn, co, y, x] = unravel(e, &out)[..] else { unreachable!("4-D") };
            let (block, ci) = if crd { (co % (b * b), co / (b * b)) } else { (co / c, co % c) };
            Some(ravel(&[bn, ci, y * b + block / b, x * b + block % b], &[n, c, h, w]))
        })
        .collect::<Vec<_>>();
    rewire(cx, &[0], &picks, out)
}

/// `CenterCropPad`: per listed axis, the centred window of the target length (cropped or
/// zero-padded; the odd element goes to the end either way).
pub(crate) fn center_crop_pad(cx: &NodeCx) -> Result<Built, ImportError> {
    let input = cx.shapes.first().cloned().unwrap_or_default();
    let target = const_ints(cx, 1, "shape")?.unwrap_or_default();
    let axes = match cx.attrs.ints("axes")? {
        Some(v) => v.iter().map(|&a| axis_of(cx, "axes", a, input.len())).collect::<Result<Vec<_>, _>>()?,
        None => (0..input.len()).collect(),
    };
    if axes.len() != target.len() || target.iter().any(|&t| t <= 0) {
        return Err(cx.attrs.error("shape", format!("{target:?} must give a positive length per axis {axes:?}")));
    }
    let mut out = input.clone();
    // Per axis: output position o reads input position o + shift (signed).
    let mut shift = vec![0i64; input.len()];
    for (&ax, &t) in axes.iter().zip(&target) {
        let dim = input[ax] as i64;
        shift[ax] = if t < dim { (dim - t) / 2 } else { -((t - dim) / 2) };
        out[ax] = t as usize;
    }
    built_len(cx, &out, "the output")?;
    let picks = (0..out.iter().product())
        .map(|e| {
            let c: Option<Vec<usize>> = unravel(e, &out)
                .iter()
                .zip(&shift)
                .zip(&input)
                .map(|((&o, &s), &d)| usize::try_from(o as i64 + s).ok().filter(|&i| i < d))
                .collect();
            c.map(|c| ravel(&c, &input))
        })
        .collect::<Vec<_>>();
    rewire(cx, &[0], &picks, out)
}

/// `ReverseSequence` at constant lengths: along `time_axis`, each batch entry's first `len`
/// steps reversed.
pub(crate) fn reverse_sequence(cx: &NodeCx) -> Result<Built, ImportError> {
    let input = cx.shapes.first().cloned().unwrap_or_default();
    let lens = const_ints(cx, 1, "sequence_lens")?.unwrap_or_default();
    let batch = axis_of(cx, "batch_axis", cx.attrs.int("batch_axis")?.unwrap_or(1), input.len())?;
    let time = axis_of(cx, "time_axis", cx.attrs.int("time_axis")?.unwrap_or(0), input.len())?;
    if batch == time || input.len() < 2 || lens.len() != input[batch] {
        return Err(cx.attrs.node_error(format!("lengths {lens:?} do not fit the input {input:?}")));
    }
    if lens.iter().any(|&l| l < 0 || l as usize > input[time]) {
        return Err(cx.attrs.error("sequence_lens", format!("{lens:?} must lie in [0, {}]", input[time])));
    }
    let picks = (0..input.iter().product())
        .map(|e| {
            let mut c = unravel(e, &input);
            let len = lens[c[batch]] as usize;
            if c[time] < len {
                c[time] = len - 1 - c[time];
            }
            Some(ravel(&c, &input))
        })
        .collect::<Vec<_>>();
    rewire(cx, &[0], &picks, input)
}

/// `MaxUnpool` at constant indices: `X[e]` lands at flat index `I[e]` of the shape the pooling
/// inverts (`(in − 1)·stride − pads + kernel` per spatial dim), placed at the origin of a larger
/// `output_shape`; everything else is 0.
pub(crate) fn max_unpool(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let x = cx.shapes.first().cloned().unwrap_or_default();
    let indices = const_input(cx, 1, "I")?;
    let dims = x.len().saturating_sub(2);
    let kernel = a.ints("kernel_shape")?.ok_or_else(|| a.error("kernel_shape", "is required"))?;
    let strides_attr = a.ints("strides")?.unwrap_or_else(|| vec![1; dims]);
    let pads = a.ints("pads")?.unwrap_or_else(|| vec![0; 2 * dims]);
    if dims == 0 || kernel.len() != dims || strides_attr.len() != dims || pads.len() != 2 * dims {
        return Err(a.node_error(format!("kernel {kernel:?}, strides and pads must match the input {x:?}")));
    }
    let mut inferred = x[..2].to_vec();
    for d in 0..dims {
        let v = (x[d + 2] as i64 - 1)
            .checked_mul(strides_attr[d])
            .and_then(|v| v.checked_sub(pads[d])?.checked_sub(pads[d + dims])?.checked_add(kernel[d]));
        let v = v.and_then(|v| usize::try_from(v).ok());
        inferred.push(v.ok_or_else(|| a.error("pads", "kernel, strides and pads leave no output dim"))?);
    }
    let out = match cx.shapes.len() > 2 {
        true => const_ints(cx, 2, "output_shape")?.unwrap_or_default().iter().map(|&v| v.max(0) as usize).collect(),
        false => inferred.clone(),
    };
    if out.len() != inferred.len() || out.iter().zip(&inferred).any(|(o, i)| o < i) {
        return Err(a.error("output_shape", format!("{out:?} must be at least {inferred:?} per dim")));
    }
    let mut picks = vec![None; built_len(cx, &out, "the output")?];
    let total = built_len(cx, &inferred, "the unpooled shape")?;
    for (e, &v) in indices.iter().enumerate().take(x.iter().product()) {
        let i = usize::try_from(v as i64).ok().filter(|&i| i < total && v.fract() == 0.0);
        let i = i.ok_or_else(|| a.error("I", format!("index {v} is out of range for {inferred:?}")))?;
        picks[ravel(&unravel(i, &inferred), &out)] = Some(e);
    }
    rewire(cx, &[0], &picks, out)
}

/// `TensorScatter` at constant write indices: `update`'s steps along `axis` written into
/// `past_cache` from each batch entry's write index (modulo the cache length when `circular`).
pub(crate) fn tensor_scatter(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let (cache, update) = match cx.shapes.as_slice() {
        [c, u, ..] => (c.clone(), u.clone()),
        _ => return Err(a.node_error("needs past_cache and update")),
    };
    let circular = match a.string("mode")?.as_deref() {
        None | Some("linear") => false,
        Some("circular") => true,
        Some(other) => return Err(a.error("mode", format!("unknown mode '{other}'"))),
    };
    let ax = axis_of(cx, "axis", a.int("axis")?.unwrap_or(-2), cache.len())?;
    let fits = cache.len() == update.len()
        && ax > 0
        && (0..cache.len()).all(|i| if i == ax { update[i] <= cache[i] } else { update[i] == cache[i] });
    if !fits {
        return Err(a.node_error(format!("update {update:?} does not fit the cache {cache:?} along axis {ax}")));
    }
    let starts = match cx.shapes.get(2) {
        Some(_) => const_ints(cx, 2, "write_indices")?.unwrap_or_default(),
        None => vec![0; cache[0]],
    };
    if starts.len() != cache[0] {
        return Err(a.error("write_indices", format!("needs one index per batch entry ({})", cache[0])));
    }
    let mut picks: Vec<Option<usize>> = (0..cache.iter().product()).map(Some).collect();
    let offset: usize = cache.iter().product();
    for u in 0..update.iter().product() {
        let mut c = unravel(u, &update);
        let mut at = starts[c[0]].saturating_add(c[ax] as i64);
        if circular {
            at = at.rem_euclid(cache[ax] as i64);
        }
        if !(0..cache[ax] as i64).contains(&at) {
            return Err(a.error("write_indices", format!("writes past the cache length {}", cache[ax])));
        }
        c[ax] = at as usize;
        picks[ravel(&c, &cache)] = Some(offset + u);
    }
    rewire(cx, &[0, 1], &picks, cache)
}

/// `EyeLike`: ones on the `k`-th diagonal of the input's 2-D shape, a constant.
pub(crate) fn eye_like(cx: &NodeCx) -> Result<Built, ImportError> {
    let _dtype = cx.attrs.int("dtype")?;
    let k = cx.attrs.int("k")?.unwrap_or(0);
    let shape = cx.shapes.first().cloned().unwrap_or_default();
    let [rows, cols] = shape[..] else {
        return Err(cx.attrs.node_error(format!("the input must be 2-D, found {shape:?}")));
    };
    let v = (0..rows * cols).map(|e| if (e % cols) as i64 - (e / cols) as i64 == k { 1.0 } else { 0.0 }).collect();
    Tensor::from_shape_vec(vec![rows, cols], v).map(Built::Const).map_err(|e| cx.attrs.node_error(e.to_string()))
}
