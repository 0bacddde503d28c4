//! `QuantizeLinear`, `DequantizeLinear` and `QLinearMatMul` at constant scales and zero points,
//! built at import.
//!
//! `DequantizeLinear` is `(x − zero_point) · scale`: a Sub and a Mul by constant tensors of the
//! input's shape (a scalar, one value per channel along `axis`, or per block of `block_size`
//! along it, expanded here). `QuantizeLinear` is `saturate(round(x / scale) + zero_point)`: a Mul
//! by the constant `1 / scale`, Round (half to even, exact on the fixed-point integers), an Add
//! and the saturation into the output type's range as Max and Min with constants (exact
//! comparisons). A scale computed from the input (one per tensor) divides through the `Div`
//! primitive instead, as in `DynamicQuantizeLinear`. Quantizing to a float8 or float4 type is
//! refused by name.

use zkinfer_graph::ops::{Add, Div, Extremum, MatMul, Max, Mul, ReduceMax, Round, RoundTo, Sub};
use zkinfer_graph::{Op, Tensor};

use crate::builders::{const_input, integer_range};
use crate::proto::tensor_proto::DataType;
use crate::registry::{scalar, Built, NodeCx, Src, Steps};
use crate::ImportError;

/// `DequantizeLinear` (module docs).
pub(crate) fn dequantize_linear(cx: &NodeCx) -> Result<Built, ImportError> {
    // The output's float type (opset 23): every float is read as one value.
    let _ = cx.attrs.int("output_dtype")?;
    let (scale, zero) = per_element(cx, "x_scale", "x_zero_point")?;
    let steps: Vec<(Box<dyn Op>, Vec<Src>)> = vec![
        (Box::new(Sub), vec![Src::Input(0), Src::Const(zero)]),
        (Box::new(Mul), vec![Src::Step(0), Src::Const(scale)]),
    ];
    Ok(Built::Nodes(steps, vec![1]))
}

/// `QuantizeLinear` (module docs).
pub(crate) fn quantize_linear(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let _ = (a.int("saturate")?, a.int("precision")?);
    let target = match a.int("output_dtype")?.filter(|&t| t != 0) {
        Some(t) => DataType::try_from(t as i32).ok(),
        None => Some(cx.dtypes.get(2).copied().flatten().unwrap_or(DataType::Uint8)),
    };
    let Some((bits, signed)) = target.and_then(integer_range) else {
        return Err(a.error("output_dtype", format!("quantizing to {target:?} is not supported (integer types only)")));
    };
    let (lo, hi) = bounds(bits, signed);
    if cx.consts.get(1).copied().flatten().is_none() {
        return quantize_by_computed_scale(cx, (lo, hi));
    }
    let (scale, zero) = per_element(cx, "y_scale", "y_zero_point")?;
    if scale.iter().any(|&s| s == 0.0 || !s.is_finite()) {
        return Err(a.error("y_scale", "must be finite and nonzero"));
    }
    let bound = |v: i64| Src::Const(Tensor::from_elem(vec![], v as f32));
    let steps: Vec<(Box<dyn Op>, Vec<Src>)> = vec![
        (Box::new(Mul), vec![Src::Input(0), Src::Const(scale.mapv(|s| 1.0 / s))]),
        (Box::new(Round { to: RoundTo::HalfEven }), vec![Src::Step(0)]),
        (Box::new(Add), vec![Src::Step(1), Src::Const(zero)]),
        (Box::new(Max { kind: Extremum::Max }), vec![Src::Step(2), bound(lo)]),
        (Box::new(Max { kind: Extremum::Min }), vec![Src::Step(3), bound(hi)]),
    ];
    Ok(Built::Nodes(steps, vec![4]))
}

/// `QuantizeLinear` by a scale computed from the input (one per tensor, as
/// `DynamicQuantizeLinear` makes it): the `Div` primitive by the scale (its divisor must be
/// positive), Round, the zero point (constant or computed, one per tensor), saturation.
fn quantize_by_computed_scale(cx: &NodeCx, (lo, hi): (i64, i64)) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let one = |i: usize| cx.shapes.get(i).is_some_and(|s| s.iter().product::<usize>() == 1);
    if !one(1) || (cx.shapes.len() > 2 && !one(2)) {
        return Err(a.error(
            "y_scale",
            "computed from the model input, it must be one value per tensor (with a zero point of one value)",
        ));
    }
    if a.int("block_size")?.is_some_and(|b| b > 0) {
        return Err(a.error("block_size", "blocked quantization needs a constant scale"));
    }
    let zero = match cx.consts.get(2).copied().flatten() {
        _ if cx.shapes.len() <= 2 => scalar(0.0),
        Some(z) => scalar(z.iter().next().copied().unwrap_or(0.0)),
        None => Src::Input(2),
    };
    let mut steps = Steps::default();
    let scaled = steps.push(Div, vec![Src::Input(0), Src::Input(1)]);
    let out = saturate_round(&mut steps, scaled, zero, (lo, hi));
    steps.built(&[&out], || a.node_error("the quantized output is not a step"))
}

/// `DynamicQuantizeLinear`: the uint8 scale `(max(x, 0) − min(x, 0)) / 255` over the whole
/// tensor (ReduceMax and ReduceMin, then Max and Min with 0), the zero point
/// `round(clip(−min / scale, 0, 255))` and `saturate(round(x / scale) + zero point)`, both
/// through the `Div` primitive by the computed range (`v / scale = 255·v / range`); outputs `y`,
/// the scale, the zero point.
/// An input that is all zeros has no positive scale and is refused by `Div` when proven.
pub(crate) fn dynamic_quantize_linear(cx: &NodeCx) -> Result<Built, ImportError> {
    let whole = |kind| ReduceMax { kind, axes: None, keepdims: false, noop_with_empty_axes: false };
    let mut steps = Steps::default();
    let min = steps.push(whole(Extremum::Min), vec![Src::Input(0)]);
    let min = steps.push(Max { kind: Extremum::Min }, vec![min, scalar(0.0)]);
    let max = steps.push(whole(Extremum::Max), vec![Src::Input(0)]);
    let max = steps.push(Max { kind: Extremum::Max }, vec![max, scalar(0.0)]);
    let range = steps.push(Sub, vec![max, min.clone()]);
    let scale = steps.push(Mul, vec![range.clone(), scalar(1.0 / 255.0)]);
    // `v / scale` as `255·v / range`: the range keeps about 8 more significant bits than the
    // scale at the same (capped) fixed-point scale, so the quotients round as in f32.
    let neg_min = steps.push(Mul, vec![min, scalar(-255.0)]);
    let zero = steps.push(Div, vec![neg_min, range.clone()]);
    let zero = steps.push(Max { kind: Extremum::Min }, vec![zero, scalar(255.0)]);
    let zero = steps.push(Round { to: RoundTo::HalfEven }, vec![zero]);
    let x255 = steps.push(Mul, vec![Src::Input(0), scalar(255.0)]);
    let scaled = steps.push(Div, vec![x255, range]);
    let y = saturate_round(&mut steps, scaled, zero.clone(), (0, 255));
    steps.built(&[&y, &scale, &zero], || cx.attrs.node_error("an output is not a step"))
}

/// The range of an integer type of `bits` bits, signed or not.
fn bounds(bits: u32, signed: bool) -> (i64, i64) {
    if signed {
        (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1)
    } else {
        (0, (1i64 << bits) - 1)
    }
}

/// `saturate(round(scaled) + zero)` into `lo..=hi`: Round half to even, an Add, Max and Min.
fn saturate_round(steps: &mut Steps, scaled: Src, zero: Src, (lo, hi): (i64, i64)) -> Src {
    let rounded = steps.push(Round { to: RoundTo::HalfEven }, vec![scaled]);
    let shifted = steps.push(Add, vec![rounded, zero]);
    let low = steps.push(Max { kind: Extremum::Max }, vec![shifted, scalar(lo as f32)]);
    steps.push(Max { kind: Extremum::Min }, vec![low, scalar(hi as f32)])
}

/// `QLinearMatMul` at constant `b`, scales and zero points (per tensor): the integer product
/// `(a − a_zero) · (b − b_zero)` (a Sub and a MatMul by the constant matrix), times the constant
/// `a_scale · b_scale / y_scale`, then as `QuantizeLinear`: Round, the zero point, saturation.
pub(crate) fn qlinear_matmul(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let one_value = |i: usize, name: &str| -> Result<f32, ImportError> {
        let t = const_input(cx, i, name)?;
        match t.len() {
            1 => Ok(t.iter().next().copied().unwrap_or(0.0)),
            n => Err(a.error(name, format!("has {n} values (one per tensor is supported)"))),
        }
    };
    let (a_scale, a_zero) = (one_value(1, "a_scale")?, one_value(2, "a_zero_point")?);
    let (b_scale, b_zero) = (one_value(4, "b_scale")?, one_value(5, "b_zero_point")?);
    let (y_scale, y_zero) = (one_value(6, "y_scale")?, one_value(7, "y_zero_point")?);
    let multiplier = a_scale * b_scale / y_scale;
    if !multiplier.is_finite() || multiplier == 0.0 {
        return Err(a.error("y_scale", "the scales must be finite and nonzero"));
    }
    let b = const_input(cx, 3, "b")?.mapv(|v| v - b_zero);
    let mut steps = Steps::default();
    let x = steps.push(Sub, vec![Src::Input(0), scalar(a_zero)]);
    let acc = steps.push(MatMul, vec![x, Src::Const(b)]);
    let target = cx.dtypes.get(7).copied().flatten();
    let out = requantize(cx, &mut steps, acc, scalar(multiplier), y_zero, target, "y_zero_point")?;
    steps.built(&[&out], || a.node_error("the requantized output is not a step"))
}

/// An integer accumulator requantized: times `multiplier`, rounded half to even, plus `zero`,
/// saturated into `target`'s range (uint8 when unknown; `zero_name` names the input that sets it).
pub(crate) fn requantize(
    cx: &NodeCx,
    steps: &mut Steps,
    acc: Src,
    multiplier: Src,
    zero: f32,
    target: Option<DataType>,
    zero_name: &str,
) -> Result<Src, ImportError> {
    let target = target.unwrap_or(DataType::Uint8);
    let Some((bits, signed)) = integer_range(target) else {
        return Err(cx.attrs.error(zero_name, format!("of type {target:?}: an integer type is needed")));
    };
    let (lo, hi) = bounds(bits, signed);
    let scaled = steps.push(Mul, vec![acc, multiplier]);
    Ok(saturate_round(steps, scaled, scalar(zero), (lo, hi)))
}

/// The scale and zero point (0 when absent) as constant tensors of the input's shape: a scalar,
/// one value per index of `axis` (default 1), or with `block_size` one per block along it.
fn per_element(cx: &NodeCx, scale_name: &str, zero_name: &str) -> Result<(Tensor, Tensor), ImportError> {
    let a = &cx.attrs;
    let x = cx.shapes.first().cloned().unwrap_or_default();
    let rank = x.len() as i64;
    let axis = a.int("axis")?.unwrap_or(1);
    let block = a.int("block_size")?.unwrap_or(0);
    let konst = |i: usize, name: &str| {
        cx.consts.get(i).copied().flatten().ok_or_else(|| {
            a.error(name, "must be a constant (a scale or zero point computed from the model input is not supported)")
        })
    };
    let scale = konst(1, scale_name)?;
    let zero = if cx.shapes.len() > 2 { Some(konst(2, zero_name)?) } else { None };
    let n: usize = x.iter().product();
    let strides: Vec<usize> = (0..x.len()).map(|i| x[i + 1..].iter().product()).collect();
    let expand = |t: &Tensor, name: &str| -> Result<Tensor, ImportError> {
        let flat: Vec<f32> = t.iter().copied().collect();
        if flat.len() == 1 {
            return Ok(Tensor::from_elem(x.clone(), flat[0]));
        }
        let ax = if axis < 0 { axis + rank } else { axis };
        let ax = usize::try_from(ax)
            .ok()
            .filter(|&v| v < x.len())
            .ok_or_else(|| a.error("axis", format!("{axis} is out of range for the input {x:?}")))?;
        let values = (0..n)
            .map(|e| {
                let c = e / strides[ax] % x[ax];
                let at = if block > 0 {
                    // The block's entry: this element's coordinates with axis divided by the block.
                    let t_shape = t.shape();
                    (0..x.len())
                        .map(|i| {
                            let ci = e / strides[i] % x[i];
                            let ci = if i == ax { ci / block as usize } else { ci };
                            ci * t_shape[i + 1..].iter().product::<usize>()
                        })
                        .sum::<usize>()
                } else {
                    c
                };
                flat.get(at).copied().ok_or_else(|| a.error(name, format!("shape {:?} does not fit {x:?}", t.shape())))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Tensor::from_shape_vec(x.clone(), values).map_err(|e| a.node_error(e.to_string()))
    };
    if block > 0 && scale.ndim() != x.len() {
        return Err(a.error("block_size", format!("the scale {:?} must have the input's rank", scale.shape())));
    }
    let scale_full = expand(scale, scale_name)?;
    let zero_full = match zero {
        Some(z) => expand(z, zero_name)?,
        None => Tensor::from_elem(x.clone(), 0.0),
    };
    Ok((scale_full, zero_full))
}
