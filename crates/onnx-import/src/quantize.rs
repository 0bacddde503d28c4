//! `QuantizeLinear`, `DequantizeLinear` and `QLinearMatMul` at constant scales and zero points,
//! built at import.
//!
//! `DequantizeLinear` is `(x − zero_point) · scale`: a Sub and a Mul by constant tensors of the
//! input's shape (a scalar, one value per channel along `axis`, or per block of `block_size`
//! along it, expanded here). `QuantizeLinear` is `saturate(round(x / scale) + zero_point)`: a Mul
//! by the constant `1 / scale`, Round (half to even, exact on the fixed-point integers), an Add
//! and the saturation into the output type's range as Max and Min with constants (exact
//! comparisons). Quantizing to a float8 or float4 type, and scales computed from the input, are
//! refused by name.

use zkinfer_graph::ops::{Add, Extremum, MatMul, Max, Mul, Round, RoundTo, Sub};
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
    let (lo, hi) = if signed { (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1) } else { (0, (1i64 << bits) - 1) };
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
    let (lo, hi) = if signed { (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1) } else { (0, (1i64 << bits) - 1) };
    let scaled = steps.push(Mul, vec![acc, multiplier]);
    let rounded = steps.push(Round { to: RoundTo::HalfEven }, vec![scaled]);
    let shifted = steps.push(Add, vec![rounded, scalar(zero)]);
    let low = steps.push(Max { kind: Extremum::Max }, vec![shifted, scalar(lo as f32)]);
    Ok(steps.push(Max { kind: Extremum::Min }, vec![low, scalar(hi as f32)]))
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
