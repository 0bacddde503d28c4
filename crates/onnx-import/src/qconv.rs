//! `ConvInteger` and `QLinearConv`: the integer convolutions, built at import on the `Conv`
//! builder ([`conv_of`], so 1-D, 2-D and 3-D alike).
//!
//! `ConvInteger` is `Conv(x − x_zero_point, w − w_zero_point)`, exact on integers; the input's
//! zero point may be computed from the input (one value).
//! `QLinearConv` adds its int32 bias to that accumulator and requantizes it as `QLinearMatMul`
//! does ([`requantize`]): times the constant `x_scale · w_scale / y_scale` (one per output
//! channel when `w_scale` is), rounded half to even, plus `y_zero_point`, saturated.

use zkinfer_graph::ops::Sub;
use zkinfer_graph::Tensor;

use crate::builders::const_input;
use crate::convs::conv_of;
use crate::quantize::requantize;
use crate::registry::{scalar, Built, NodeCx, Src, Steps};
use crate::ImportError;

/// A zero point or scale of the weights: a scalar, or one value per output channel viewed as
/// `[C_out, 1, ...]` with `rank − 1` trailing ones.
fn per_channel(cx: &NodeCx, t: &Tensor, name: &str, channels: usize, rank: usize) -> Result<Src, ImportError> {
    match t.len() {
        1 => Ok(scalar(t.iter().next().copied().unwrap_or(0.0))),
        n if n == channels => {
            let mut shape = vec![1; rank];
            shape[0] = n;
            let v = t.iter().copied().collect();
            Ok(Src::Const(Tensor::from_shape_vec(shape, v).map_err(|e| cx.attrs.node_error(e.to_string()))?))
        }
        n => Err(cx.attrs.error(name, format!("has {n} values: one, or one per output channel ({channels})"))),
    }
}

/// A zero point that may be absent (0) or must be a constant.
fn zero_point<'a>(cx: &NodeCx<'a>, i: usize, name: &str) -> Result<Option<&'a Tensor>, ImportError> {
    if cx.shapes.get(i).is_none_or(|s| s.iter().product::<usize>() == 0) {
        return Ok(None);
    }
    const_input(cx, i, name).map(Some)
}

/// `ConvInteger` (module docs).
pub(crate) fn conv_integer(cx: &NodeCx) -> Result<Built, ImportError> {
    let ws = cx.shapes.get(1).cloned().unwrap_or_default();
    if ws.len() < 3 {
        return Err(cx.attrs.error("w", format!("weights of shape {ws:?}: expected [C_out, C/group, spatial...]")));
    }
    let mut steps = Steps::default();
    // A zero point computed from the input (DynamicQuantizeLinear's, as onnxruntime's dynamic
    // quantization writes it): one value, subtracted as an activation.
    let computed = cx.consts.get(2).copied().flatten().is_none()
        && cx.shapes.get(2).is_some_and(|s| s.iter().product::<usize>() == 1);
    let x = if computed {
        steps.push(Sub, vec![Src::Input(0), Src::Input(2)])
    } else {
        match zero_point(cx, 2, "x_zero_point")? {
            Some(z) if z.len() == 1 => {
                steps.push(Sub, vec![Src::Input(0), scalar(z.iter().next().copied().unwrap_or(0.0))])
            }
            Some(z) => {
                return Err(cx.attrs.error("x_zero_point", format!("has {} values (one is supported)", z.len())))
            }
            None => Src::Input(0),
        }
    };
    let w = match zero_point(cx, 3, "w_zero_point")? {
        Some(z) => steps.push(Sub, vec![Src::Input(1), per_channel(cx, z, "w_zero_point", ws[0], ws.len())?]),
        None => Src::Input(1),
    };
    let conv = conv_of(cx, 1, false)?;
    let out = steps.inline(cx, conv, &[x, w])?;
    steps.built(&[&out[0]], || cx.attrs.node_error("the convolution is not a step"))
}

/// `QLinearConv` at constant weights, scales and zero points (module docs).
pub(crate) fn qlinear_conv(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let ws = cx.shapes.get(3).cloned().unwrap_or_default();
    if ws.len() < 3 {
        return Err(a.error("w", format!("weights of shape {ws:?}: expected [C_out, C/group, spatial...]")));
    }
    let one = |i: usize, name: &str| -> Result<f32, ImportError> {
        let t = const_input(cx, i, name)?;
        match t.len() {
            1 => Ok(t.iter().next().copied().unwrap_or(0.0)),
            n => Err(a.error(name, format!("has {n} values (one per tensor is supported)"))),
        }
    };
    let (x_scale, x_zero, y_scale, y_zero) =
        (one(1, "x_scale")?, one(2, "x_zero_point")?, one(6, "y_scale")?, one(7, "y_zero_point")?);
    let w_scale = const_input(cx, 4, "w_scale")?;
    let w_zero = const_input(cx, 5, "w_zero_point")?;
    let w_zero = per_channel(cx, w_zero, "w_zero_point", ws[0], ws.len())?;
    let multiplier = w_scale.mapv(|s| x_scale * s / y_scale);
    if multiplier.iter().any(|m| !m.is_finite() || *m == 0.0) {
        return Err(a.error("y_scale", "the scales must be finite and nonzero"));
    }
    // One multiplier per output channel broadcasts over `[N, C_out, spatial...]` as `[C_out, 1...]`.
    let multiplier = per_channel(cx, &multiplier, "w_scale", ws[0], ws.len() - 1)?;
    let mut steps = Steps::default();
    let x = steps.push(Sub, vec![Src::Input(0), scalar(x_zero)]);
    let w = steps.push(Sub, vec![Src::Input(3), w_zero]);
    let mut operands = vec![x, w];
    let bias = cx.shapes.get(8).is_some_and(|s| s.iter().product::<usize>() > 0);
    if bias {
        operands.push(Src::Input(8));
    }
    let conv = conv_of(cx, 3, bias)?;
    let acc = steps.inline(cx, conv, &operands)?.remove(0);
    let target = cx.dtypes.get(7).copied().flatten();
    let out = requantize(cx, &mut steps, acc, multiplier, y_zero, target, "y_zero_point")?;
    steps.built(&[&out], || a.node_error("the requantized output is not a step"))
}
