//! Builders of the registry's ops that take typed attributes or constant inputs.
//!
//! Each reads its node's attributes (by the opset the registry matched) and constant inputs into
//! the op's typed struct. Inputs that the op's semantics need at import time (axes, pads,
//! slice bounds) must be constants; anything else is a clear error naming the node.

use zkinfer_graph::ops::{
    Add, ArgMax, AveragePool, BatchNorm, Cast, CastTo, Compare, Comparison, Concat, Expand, Extremum, Gather, Max,
    MaxPool, Mul, Pad, PadMode, Pow, Reduce, ReduceKind, ReduceMax, Shape, Slice, Squeeze, Tile, Transpose, Trilu,
    Unsqueeze,
};

use zkinfer_graph::{Op, Tensor};

use crate::attrs::Attrs;
use crate::registry::{op, Built, NodeCx, Src};
use crate::tensor::to_tensor;
use crate::ImportError;

/// Constant input `i` (refused by name when computed from the model input, or absent).
pub(crate) fn const_input<'a>(cx: &NodeCx<'a>, i: usize, name: &str) -> Result<&'a Tensor, ImportError> {
    cx.consts.get(i).copied().flatten().ok_or_else(|| {
        cx.attrs.error(name, "must be a constant input (computed from the model input it is not supported)")
    })
}

/// Constant input `i` as integers; `None` when the input is absent.
pub(crate) fn const_ints(cx: &NodeCx, i: usize, name: &str) -> Result<Option<Vec<i64>>, ImportError> {
    if i >= cx.consts.len() {
        return Ok(None);
    }
    match const_input(cx, i, name)? {
        t if t.ndim() <= 1 => Ok(Some(t.iter().map(|&v| v as i64).collect())),
        t => Err(cx.attrs.error(name, format!("must be 1-D, found shape {:?}", t.shape()))),
    }
}

/// Rank of input `i`.
fn rank(cx: &NodeCx, i: usize) -> usize {
    cx.shapes.get(i).map_or(0, Vec::len)
}

/// Non-negative integers of attribute `name`.
fn attr_usizes(a: &Attrs, name: &str) -> Result<Option<Vec<usize>>, ImportError> {
    let Some(v) = a.ints(name)? else { return Ok(None) };
    v.iter()
        .map(|&x| usize::try_from(x).map_err(|_| a.error(name, format!("expected non-negative values, found {v:?}"))))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Explicit `[begins..., ends...]` pads for `auto_pad`, or `None` for `NOTSET` (use `pads`).
/// `spans` are the dilated kernel extents.
pub(crate) fn auto_pads(
    a: &Attrs,
    spatial: &[usize],
    spans: &[usize],
    strides: &[usize],
) -> Result<Option<Vec<usize>>, ImportError> {
    let mode = a.string("auto_pad")?.unwrap_or_else(|| "NOTSET".into());
    let d = spatial.len();
    match mode.as_str() {
        "NOTSET" => Ok(None),
        _ if spans.len() != d => {
            Err(a.error("auto_pad", format!("kernel {spans:?} does not fit the input's {d} spatial axes")))
        }
        "VALID" => Ok(Some(vec![0; 2 * d])),
        "SAME_UPPER" | "SAME_LOWER" => {
            let mut pads = vec![0; 2 * d];
            for i in 0..d {
                let s = strides.get(i).copied().unwrap_or(1).max(1);
                let out = spatial[i].div_ceil(s);
                let total = ((out.max(1) - 1) * s + spans[i]).saturating_sub(spatial[i]);
                let small = total / 2;
                let (begin, end) = if mode == "SAME_UPPER" { (small, total - small) } else { (total - small, small) };
                pads[i] = begin;
                pads[d + i] = end;
            }
            Ok(Some(pads))
        }
        other => Err(a.error("auto_pad", format!("unknown mode '{other}'"))),
    }
}

pub(crate) fn transpose(cx: &NodeCx) -> Result<Built, ImportError> {
    op(Transpose { perm: attr_usizes(&cx.attrs, "perm")? })
}

pub(crate) fn concat(cx: &NodeCx) -> Result<Built, ImportError> {
    let axis = cx.attrs.int("axis")?.ok_or_else(|| cx.attrs.error("axis", "is required"))?;
    op(Concat { axis })
}

fn pad_mode(a: &Attrs) -> Result<PadMode, ImportError> {
    match a.string("mode")?.as_deref() {
        None | Some("constant") => Ok(PadMode::Constant),
        Some("reflect") => Ok(PadMode::Reflect),
        Some("edge") => Ok(PadMode::Edge),
        Some("wrap") => Ok(PadMode::Wrap),
        Some(other) => Err(a.error("mode", format!("unknown mode '{other}'"))),
    }
}

/// `Pad` of opsets 2-10: pads and value are attributes.
pub(crate) fn pad_v2(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let pads = a.ints("pads")?.ok_or_else(|| a.error("pads", "is required"))?;
    op(Pad { pads, value: a.float("value")?.unwrap_or(0.0), mode: pad_mode(a)? })
}

/// `Pad` from opset 11: pads, the constant value and (opset 18) axes are inputs.
pub(crate) fn pad_v11(cx: &NodeCx) -> Result<Built, ImportError> {
    let mode = pad_mode(&cx.attrs)?;
    let pads = const_ints(cx, 1, "pads")?.ok_or_else(|| cx.attrs.error("pads", "is required"))?;
    let value = match cx.consts.get(2) {
        None => 0.0,
        Some(Some(t)) if t.len() <= 1 => t.iter().next().copied().unwrap_or(0.0),
        Some(_) => return Err(cx.attrs.error("constant_value", "must be a constant scalar")),
    };
    let r = rank(cx, 0);
    let pads = match const_ints(cx, 3, "axes")? {
        None => pads,
        Some(axes) => {
            if pads.len() != 2 * axes.len() {
                return Err(cx.attrs.error("pads", format!("{} pads for {} axes", pads.len(), axes.len())));
            }
            let mut full = vec![0i64; 2 * r];
            for (k, &ax) in axes.iter().enumerate() {
                let i = if ax < 0 { ax + r as i64 } else { ax };
                let i = usize::try_from(i)
                    .ok()
                    .filter(|&i| i < r)
                    .ok_or_else(|| cx.attrs.error("axes", format!("axis {ax} is out of range for rank {r}")))?;
                full[i] = pads[k];
                full[r + i] = pads[axes.len() + k];
            }
            full
        }
    };
    op(Pad { pads, value, mode })
}

/// `Slice` of opsets 1-9: bounds are attributes, no steps.
pub(crate) fn slice_v1(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let starts = a.ints("starts")?.ok_or_else(|| a.error("starts", "is required"))?;
    let ends = a.ints("ends")?.ok_or_else(|| a.error("ends", "is required"))?;
    op(Slice { starts, ends, axes: a.ints("axes")?, steps: None })
}

/// `Slice` from opset 10: bounds, axes and steps are constant inputs.
pub(crate) fn slice_v10(cx: &NodeCx) -> Result<Built, ImportError> {
    let starts = const_ints(cx, 1, "starts")?.ok_or_else(|| cx.attrs.error("starts", "is required"))?;
    let ends = const_ints(cx, 2, "ends")?.ok_or_else(|| cx.attrs.error("ends", "is required"))?;
    op(Slice { starts, ends, axes: const_ints(cx, 3, "axes")?, steps: const_ints(cx, 4, "steps")? })
}

pub(crate) fn squeeze_v1(cx: &NodeCx) -> Result<Built, ImportError> {
    op(Squeeze { axes: cx.attrs.ints("axes")? })
}

pub(crate) fn squeeze_v13(cx: &NodeCx) -> Result<Built, ImportError> {
    op(Squeeze { axes: const_ints(cx, 1, "axes")? })
}

pub(crate) fn unsqueeze_v1(cx: &NodeCx) -> Result<Built, ImportError> {
    let axes = cx.attrs.ints("axes")?.ok_or_else(|| cx.attrs.error("axes", "is required"))?;
    op(Unsqueeze { axes })
}

pub(crate) fn unsqueeze_v13(cx: &NodeCx) -> Result<Built, ImportError> {
    let axes = const_ints(cx, 1, "axes")?.ok_or_else(|| cx.attrs.error("axes", "is required"))?;
    op(Unsqueeze { axes })
}

/// Shapes are static: `Shape` always folds to a constant here.
pub(crate) fn shape(cx: &NodeCx) -> Result<Built, ImportError> {
    let s = Shape { start: cx.attrs.int("start")?.unwrap_or(0), end: cx.attrs.int("end")? };
    let input = cx.shapes.first().ok_or_else(|| cx.attrs.error("data", "Shape needs an input"))?;
    Ok(Built::Const(s.of(input)))
}

pub(crate) fn gather(cx: &NodeCx) -> Result<Built, ImportError> {
    op(Gather { axis: cx.attrs.int("axis")?.unwrap_or(0) })
}

/// `BatchNormalization`: at the running statistics, or in training mode
/// ([`crate::composed::batch_norm_training`]) at the batch's own.
pub(crate) fn batch_norm(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    if a.flag("training_mode")? {
        return crate::composed::batch_norm_training(cx);
    }
    let _momentum = a.float("momentum")?; // only used in training
    op(BatchNorm { epsilon: a.float("epsilon")?.unwrap_or(1e-5) })
}

pub(crate) fn average_pool(cx: &NodeCx) -> Result<Built, ImportError> {
    op(average_pool_op(cx)?)
}

/// `AveragePool` from the node's pooling attributes (also `LpPool`'s).
pub(crate) fn average_pool_op(cx: &NodeCx) -> Result<AveragePool, ImportError> {
    let a = &cx.attrs;
    let kernel = attr_usizes(a, "kernel_shape")?.ok_or_else(|| a.error("kernel_shape", "is required"))?;
    let ceil_mode = a.flag("ceil_mode")?;
    let strides = attr_usizes(a, "strides")?.unwrap_or_default();
    let dilations = attr_usizes(a, "dilations")?.unwrap_or_default();
    let spans: Vec<usize> =
        kernel.iter().enumerate().map(|(i, &k)| dilations.get(i).copied().unwrap_or(1) * (k.max(1) - 1) + 1).collect();
    let spatial = cx.shapes.first().and_then(|s| s.get(2..)).unwrap_or(&[]).to_vec();
    let pads = match auto_pads(a, &spatial, &spans, &strides)? {
        Some(_) if ceil_mode => {
            return Err(a.error("ceil_mode", "ceil_mode = 1 together with auto_pad is not supported"))
        }
        Some(p) if spatial.len() == kernel.len() => {
            let _ = a.ints("pads")?;
            p
        }
        _ => attr_usizes(a, "pads")?.unwrap_or_default(),
    };
    Ok(AveragePool { kernel, strides, pads, count_include_pad: a.flag("count_include_pad")?, dilations, ceil_mode })
}

fn reduce(cx: &NodeCx, kind: ReduceKind, axes: Option<Vec<i64>>) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let keepdims = a.int("keepdims")?.unwrap_or(1) != 0;
    op(Reduce { kind, axes, keepdims, noop_with_empty_axes: a.flag("noop_with_empty_axes")? })
}

pub(crate) fn reduce_sum_v1(cx: &NodeCx) -> Result<Built, ImportError> {
    reduce(cx, ReduceKind::Sum, cx.attrs.ints("axes")?)
}

pub(crate) fn reduce_sum_v13(cx: &NodeCx) -> Result<Built, ImportError> {
    reduce(cx, ReduceKind::Sum, const_ints(cx, 1, "axes")?)
}

pub(crate) fn reduce_mean_v1(cx: &NodeCx) -> Result<Built, ImportError> {
    reduce(cx, ReduceKind::Mean, cx.attrs.ints("axes")?)
}

pub(crate) fn reduce_mean_v18(cx: &NodeCx) -> Result<Built, ImportError> {
    reduce(cx, ReduceKind::Mean, const_ints(cx, 1, "axes")?)
}

pub(crate) fn max_pool(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let kernel = attr_usizes(a, "kernel_shape")?.ok_or_else(|| a.error("kernel_shape", "is required"))?;
    // Only the layout of the Indices output, which the importer rejects (one output per node).
    let _storage_order = a.int("storage_order")?;
    let ceil_mode = a.flag("ceil_mode")?;
    let strides = attr_usizes(a, "strides")?.unwrap_or_default();
    let dilations = attr_usizes(a, "dilations")?.unwrap_or_default();
    let spans: Vec<usize> =
        kernel.iter().enumerate().map(|(i, &k)| dilations.get(i).copied().unwrap_or(1) * (k.max(1) - 1) + 1).collect();
    let spatial = cx.shapes.first().and_then(|s| s.get(2..)).unwrap_or(&[]).to_vec();
    let pads = match auto_pads(a, &spatial, &spans, &strides)? {
        Some(_) if ceil_mode => {
            return Err(a.error("ceil_mode", "ceil_mode = 1 together with auto_pad is not supported"))
        }
        Some(p) => {
            let _ = a.ints("pads")?;
            p
        }
        None => attr_usizes(a, "pads")?.unwrap_or_default(),
    };
    op(MaxPool { kernel, strides, pads, dilations, ceil_mode })
}

/// `Max`/`Min` of opsets 6-7: no broadcasting yet, so every input must have the same shape.
fn extremum_v6(cx: &NodeCx, kind: Extremum) -> Result<Built, ImportError> {
    match cx.shapes.split_first() {
        Some((first, rest)) if rest.iter().any(|s| s != first) => Err(cx.attrs.error(
            "inputs",
            format!("before opset 8 all inputs must have one shape (no broadcasting), found {:?}", cx.shapes),
        )),
        _ => op(Max { kind }),
    }
}

pub(crate) fn max_v6(cx: &NodeCx) -> Result<Built, ImportError> {
    extremum_v6(cx, Extremum::Max)
}

pub(crate) fn min_v6(cx: &NodeCx) -> Result<Built, ImportError> {
    extremum_v6(cx, Extremum::Min)
}

fn reduce_max(cx: &NodeCx, kind: Extremum, axes: Option<Vec<i64>>) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let keepdims = a.int("keepdims")?.unwrap_or(1) != 0;
    op(ReduceMax { kind, axes, keepdims, noop_with_empty_axes: a.flag("noop_with_empty_axes")? })
}

/// `ReduceMax` of opsets 1-17: axes are an attribute.
pub(crate) fn reduce_max_v1(cx: &NodeCx) -> Result<Built, ImportError> {
    reduce_max(cx, Extremum::Max, cx.attrs.ints("axes")?)
}

/// `ReduceMax` from opset 18: axes are an optional constant input.
pub(crate) fn reduce_max_v18(cx: &NodeCx) -> Result<Built, ImportError> {
    reduce_max(cx, Extremum::Max, const_ints(cx, 1, "axes")?)
}

pub(crate) fn reduce_min_v1(cx: &NodeCx) -> Result<Built, ImportError> {
    reduce_max(cx, Extremum::Min, cx.attrs.ints("axes")?)
}

pub(crate) fn reduce_min_v18(cx: &NodeCx) -> Result<Built, ImportError> {
    reduce_max(cx, Extremum::Min, const_ints(cx, 1, "axes")?)
}

fn arg(cx: &NodeCx, kind: Extremum) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    op(ArgMax {
        kind,
        axis: a.int("axis")?.unwrap_or(0),
        keepdims: a.int("keepdims")?.unwrap_or(1) != 0,
        select_last_index: a.flag("select_last_index")?,
    })
}

pub(crate) fn arg_max(cx: &NodeCx) -> Result<Built, ImportError> {
    arg(cx, Extremum::Max)
}

pub(crate) fn arg_min(cx: &NodeCx) -> Result<Built, ImportError> {
    arg(cx, Extremum::Min)
}

/// Non-negative sizes from constant input `i` (a shape or repeat counts).
fn const_sizes(cx: &NodeCx, i: usize, name: &str) -> Result<Vec<usize>, ImportError> {
    let v = const_ints(cx, i, name)?.ok_or_else(|| cx.attrs.error(name, "is required"))?;
    v.iter()
        .map(|&d| usize::try_from(d).map_err(|_| cx.attrs.error(name, format!("negative value {d} in {v:?}"))))
        .collect()
}

pub(crate) fn expand(cx: &NodeCx) -> Result<Built, ImportError> {
    op(Expand { shape: const_sizes(cx, 1, "shape")? })
}

pub(crate) fn tile(cx: &NodeCx) -> Result<Built, ImportError> {
    op(Tile { repeats: const_sizes(cx, 1, "repeats")? })
}

/// `Pow` by a constant exponent. A tensor of exponents is, per distinct exponent `e`, `x^e` kept
/// where the exponent is `e` (a product by a constant 0/1 mask), the terms added: at most
/// [`MAX_EXPONENTS`] distinct values.
pub(crate) fn pow(cx: &NodeCx) -> Result<Built, ImportError> {
    match cx.consts.get(1) {
        Some(Some(t)) if t.len() == 1 => op(Pow { exponent: t.iter().next().copied().unwrap_or(1.0) }),
        Some(Some(t)) => {
            let mut exponents: Vec<f32> = t.iter().copied().collect();
            exponents.sort_by(f32::total_cmp);
            exponents.dedup();
            if exponents.len() > MAX_EXPONENTS {
                return Err(cx.attrs.error(
                    "Y",
                    format!("{} distinct exponents (at most {MAX_EXPONENTS} are supported)", exponents.len()),
                ));
            }
            let mut steps: Vec<(Box<dyn Op>, Vec<Src>)> = Vec::new();
            let mut total: Option<Src> = None;
            for e in exponents {
                let mask = t.mapv(|v| if v == e { 1.0 } else { 0.0 });
                steps.push((Box::new(Pow { exponent: e }), vec![Src::Input(0)]));
                steps.push((Box::new(Mul), vec![Src::Step(steps.len() - 1), Src::Const(mask)]));
                let term = Src::Step(steps.len() - 1);
                total = Some(match total {
                    None => term,
                    Some(sum) => {
                        steps.push((Box::new(Add), vec![sum, term]));
                        Src::Step(steps.len() - 1)
                    }
                });
            }
            let last = steps.len() - 1;
            Ok(Built::Nodes(steps, vec![last]))
        }
        _ => Err(cx
            .attrs
            .error("Y", "the exponent must be a constant (an exponent computed from the input is not supported)")),
    }
}

/// The most distinct exponents a `Pow` by a tensor takes (each is a table or a product).
const MAX_EXPONENTS: usize = 8;

pub(crate) fn cast(cx: &NodeCx) -> Result<Built, ImportError> {
    let to = cx.attrs.int("to")?.ok_or_else(|| cx.attrs.error("to", "is required"))?;
    op(Cast { to: cast_kind(cx, "to", to as i32)?, like: false })
}

/// `CastLike`: `Cast` to the element type of `target_type`, which must be known (a graph input,
/// a constant, a cast, or a declared `value_info`).
pub(crate) fn cast_like(cx: &NodeCx) -> Result<Built, ImportError> {
    let Some(Some(target)) = cx.dtypes.get(1) else {
        return Err(cx.attrs.error(
            "target_type",
            "the element type of the second input is not known (declare it in value_info, or use Cast)",
        ));
    };
    let to = cast_kind(cx, "target_type", *target as i32)?;
    // A constant cast like a computed value (`CastLike(alpha, X)` in the ONNX functions) is a
    // constant: fold it here, since the graph folds only nodes whose inputs are all constant.
    if let Some(Some(value)) = cx.consts.first() {
        let folded = Cast { to, like: false }.eval(&[value]).map_err(|e| cx.attrs.error("input", e.to_string()))?;
        return Ok(Built::Const(folded));
    }
    op(Cast { to, like: true })
}

/// What a cast to ONNX data type `to` (named `what` in errors) converts to.
fn cast_kind(cx: &NodeCx, what: &str, to: i32) -> Result<CastTo, ImportError> {
    use crate::proto::tensor_proto::DataType as T;
    // Both shape conversions to float8 types only (version 19 and 24), which are refused below.
    cx.attrs.int("saturate")?;
    cx.attrs.string("round_mode")?;
    let target = T::try_from(to).map_err(|_| cx.attrs.error(what, format!("unknown data type {to}")))?;
    match target {
        // A cast to a 16-bit float keeps the fixed-point value: it does not round to 10 (or
        // 7) fraction bits as ONNX's would.
        T::Float | T::Double | T::Float16 | T::Bfloat16 => Ok(CastTo::Float),
        T::Bool => Ok(CastTo::Bool),
        _ => match integer_range(target) {
            // An integer type that holds every value of the input's changes nothing.
            Some(to)
                if cx.dtypes.first().copied().flatten().and_then(integer_range).is_some_and(|from| holds(to, from)) =>
            {
                Ok(CastTo::Float)
            }
            Some((bits, signed)) => Ok(CastTo::Int { bits, signed }),
            None => Err(cx.attrs.error(what, format!("a cast to {} is not supported", target.as_str_name()))),
        },
    }
}

/// Width and signedness of an integer (or boolean) type.
pub(crate) fn integer_range(t: crate::proto::tensor_proto::DataType) -> Option<(u32, bool)> {
    use crate::proto::tensor_proto::DataType as T;
    Some(match t {
        T::Bool => (1, false),
        T::Int2 => (2, true),
        T::Uint2 => (2, false),
        T::Int4 => (4, true),
        T::Uint4 => (4, false),
        T::Int8 => (8, true),
        T::Uint8 => (8, false),
        T::Int16 => (16, true),
        T::Uint16 => (16, false),
        T::Int32 => (32, true),
        T::Uint32 => (32, false),
        T::Int64 => (64, true),
        T::Uint64 => (64, false),
        _ => return None,
    })
}

/// Whether integer type `to` holds every value of integer type `from` (width, signedness).
fn holds(to: (u32, bool), from: (u32, bool)) -> bool {
    match (from.1, to.1) {
        (true, false) => false,
        (false, true) => from.0 < to.0,
        _ => from.0 <= to.0,
    }
}

/// `Size`: the element count of its input, a constant (static shapes).
pub(crate) fn size(cx: &NodeCx) -> Result<Built, ImportError> {
    let input = cx.shapes.first().ok_or_else(|| cx.attrs.error("data", "Size needs an input"))?;
    Ok(Built::Const(Tensor::from_elem(vec![], input.iter().product::<usize>() as f32)))
}

/// `ConstantOfShape`: a constant tensor of a constant shape, filled with `value` (one element;
/// 0 by default).
pub(crate) fn constant_of_shape(cx: &NodeCx) -> Result<Built, ImportError> {
    let shape = const_sizes(cx, 0, "input")?;
    let fill = match cx.attrs.tensor("value")? {
        None => 0.0,
        Some(t) => {
            let t = to_tensor(t)?;
            if t.len() != 1 {
                return Err(cx.attrs.error("value", format!("must hold one element, found {}", t.len())));
            }
            t.iter().next().copied().unwrap_or(0.0)
        }
    };
    Ok(Built::Const(Tensor::from_elem(shape, fill)))
}

/// `Range`: `start, start + delta, ...` below `limit` (above it for a negative delta), from three
/// constant scalars; folded at import.
pub(crate) fn range(cx: &NodeCx) -> Result<Built, ImportError> {
    let scalar = |i: usize, name: &str| match cx.consts.get(i) {
        Some(Some(t)) if t.len() == 1 => Ok(f64::from(t.iter().next().copied().unwrap_or(0.0))),
        _ => Err(cx.attrs.error(name, "must be a constant scalar")),
    };
    let (start, limit, delta) = (scalar(0, "start")?, scalar(1, "limit")?, scalar(2, "delta")?);
    // Version 27's precision of the float accumulation: computed here in f64 whatever it says.
    cx.attrs.int("stash_type")?;
    if delta == 0.0 || !(start.is_finite() && limit.is_finite() && delta.is_finite()) {
        return Err(cx.attrs.error("delta", format!("no range from {start} to {limit} by {delta}")));
    }
    let n = ((limit - start) / delta).ceil().max(0.0) as usize;
    let values: Vec<f32> = (0..n).map(|i| (start + i as f64 * delta) as f32).collect();
    Tensor::from_shape_vec(vec![n], values).map(Built::Const).map_err(|e| cx.attrs.error("limit", e.to_string()))
}

pub(crate) fn compare(kind: Comparison) -> Result<Built, ImportError> {
    op(Compare { kind })
}

/// `Split` of opsets 2-12: part sizes by the `split` attribute, else equal parts.
pub(crate) fn split_v2(cx: &NodeCx) -> Result<Built, ImportError> {
    split(cx, cx.attrs.ints("split")?, None)
}

/// `Split` from opset 13: part sizes as an optional constant input; from 18, without them,
/// `num_outputs` parts of `ceil(dim / num_outputs)` (the last one smaller).
pub(crate) fn split_v13(cx: &NodeCx) -> Result<Built, ImportError> {
    split(cx, const_ints(cx, 1, "split")?, cx.attrs.int("num_outputs")?)
}

/// One `Slice` of the first input per output, along `axis`.
fn split(cx: &NodeCx, sizes: Option<Vec<i64>>, num_outputs: Option<i64>) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let shape = cx.shapes.first().cloned().unwrap_or_default();
    let axis = a.int("axis")?.unwrap_or(0);
    let ax = if axis < 0 { axis + shape.len() as i64 } else { axis };
    let dim = match usize::try_from(ax).ok().and_then(|i| shape.get(i)) {
        Some(&d) => d as i64,
        None => return Err(a.error("axis", format!("{axis} is out of range for an input of shape {shape:?}"))),
    };
    let n = cx.outputs as i64;
    let sizes = match (sizes, num_outputs) {
        (Some(s), _) => {
            if s.len() as i64 != n || s.iter().sum::<i64>() != dim || s.iter().any(|&v| v < 0) {
                return Err(a.error("split", format!("sizes {s:?} do not cut {dim} into {n} outputs")));
            }
            s
        }
        (None, Some(parts)) if parts == n && n > 0 => {
            let chunk = (dim + n - 1) / n;
            let last = dim - chunk * (n - 1);
            if last <= 0 {
                return Err(a.error("num_outputs", format!("{n} parts of {chunk} overrun {dim}")));
            }
            (0..n).map(|i| if i + 1 < n { chunk } else { last }).collect()
        }
        (None, Some(parts)) => {
            return Err(a.error("num_outputs", format!("is {parts}, but the node has {n} outputs")));
        }
        (None, None) if n > 0 && dim % n == 0 => vec![dim / n; n as usize],
        (None, None) => return Err(a.error("split", format!("is absent and {dim} does not split evenly into {n}"))),
    };
    let mut start = 0;
    let parts = sizes
        .iter()
        .map(|&s| {
            let part = Slice { starts: vec![start], ends: vec![start + s], axes: Some(vec![ax]), steps: None };
            start += s;
            (Box::new(part) as Box<dyn Op>, 1)
        })
        .collect();
    Ok(Built::Outputs(parts))
}

/// `Trilu` (opset 14): `upper` (default 1) and the diagonal offset `k`, a constant input.
pub(crate) fn trilu(cx: &NodeCx) -> Result<Built, ImportError> {
    let upper = cx.attrs.int("upper")?.unwrap_or(1) != 0;
    let k = match const_ints(cx, 1, "k")?.as_deref() {
        None => 0,
        Some(&[k]) => k,
        Some(other) => return Err(cx.attrs.error("k", format!("must be one integer, found {other:?}"))),
    };
    op(Trilu { upper, k })
}
