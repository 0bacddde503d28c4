//! Builders of a few lines each, for ops whose attributes need a check or a default: `Div`,
//! `Dropout`, `Hardmax`, `Sign`, `CumSum`, `CumProd`, `Mod`, `BitShift` and `BitCast`.

use zkinfer_graph::ops::{
    ArgMax, BitShift, Compare, Comparison, CumProd, CumSum, Div, Extremum, Identity, IntDiv, Mod, Reshape, Sub,
};
use zkinfer_graph::{Op, Tensor};

use crate::builders::{cast, integer_range};
use crate::registry::{op, Built, NodeCx, Src};
use crate::ImportError;

/// `Div`: of two integer tensors, ONNX's truncating quotient; otherwise real division.
pub(crate) fn div(cx: &NodeCx) -> Result<Built, ImportError> {
    if cx.dtypes.len() == 2 && cx.dtypes.iter().all(|t| t.is_some_and(crate::dtypes::is_integer)) {
        op(IntDiv)
    } else {
        op(Div)
    }
}

/// `Dropout` at inference is the identity. From version 12 a constant `training_mode` input may
/// ask for random dropping, which has no proof (unless its `ratio` is 0). The `mask` output
/// then keeps every element: a constant of ones.
pub(crate) fn dropout(cx: &NodeCx) -> Result<Built, ImportError> {
    // Read, so that they count as understood: neither changes inference.
    let (_seed, _ratio) = (cx.attrs.int("seed")?, cx.attrs.float("ratio")?);
    let konst = |i: usize| cx.consts.get(i).copied().flatten();
    if cx.shapes.len() > 2 {
        let Some(training) = konst(2) else {
            return Err(cx.attrs.node_error("training_mode must be a constant input"));
        };
        let ratio = match (cx.shapes.len() > 1, konst(1)) {
            (false, _) => 0.5,
            (true, Some(r)) => r.iter().next().copied().unwrap_or(0.5),
            (true, None) => return Err(cx.attrs.node_error("ratio must be a constant input")),
        };
        if training.iter().any(|&t| t != 0.0) && ratio != 0.0 {
            return Err(cx.attrs.error(
                "training_mode",
                format!("is true with ratio {ratio}: random dropping has no proof (inference is the identity)"),
            ));
        }
    }
    if cx.outputs > 1 {
        let keep = Tensor::from_elem(cx.shapes.first().cloned().unwrap_or_default(), 1.0);
        let steps: Vec<(Box<dyn Op>, Vec<Src>)> =
            vec![(Box::new(Identity), vec![Src::Input(0)]), (Box::new(Identity), vec![Src::Const(keep)])];
        return Ok(Built::Nodes(steps, vec![0, 1]));
    }
    Ok(Built::Outputs(vec![(Box::new(Identity), 1)]))
}

/// `Hardmax`: 1 at the first largest element along the axis, 0 elsewhere: an `ArgMax` and its
/// equality with each position (exact comparison bits, no table). Before opset 13 the input is
/// taken as a matrix of its dimensions before and from `axis` (default 1), and the one-hot runs
/// along the flattened rows.
pub(crate) fn hardmax(cx: &NodeCx, coerced: bool) -> Result<Built, ImportError> {
    let shape = cx.shapes.first().cloned().unwrap_or_default();
    let rank = shape.len() as i64;
    let a = cx.attrs.int("axis")?.unwrap_or(if coerced { 1 } else { -1 });
    let a = if a < 0 { a + rank } else { a };
    if !(0..rank).contains(&a) {
        return Err(cx.attrs.error("axis", format!("{a} is out of range for rank {rank}")));
    }
    let a = a as usize;
    let (view, axis): (Vec<usize>, usize) =
        if coerced { (vec![shape[..a].iter().product(), shape[a..].iter().product()], 1) } else { (shape.clone(), a) };
    let n = view.get(axis).copied().unwrap_or(1);
    let mut positions_shape = vec![1; view.len()];
    positions_shape[axis] = n;
    let positions = Tensor::from_shape_vec(positions_shape, (0..n).map(|j| j as f32).collect())
        .map_err(|e| cx.attrs.node_error(e.to_string()))?;
    let dims = |d: &[usize]| d.iter().map(|&v| v as i64).collect::<Vec<_>>();
    let mut steps: Vec<(Box<dyn Op>, Vec<Src>)> = Vec::new();
    let mut x = Src::Input(0);
    if coerced {
        steps.push((Box::new(Reshape { shape: dims(&view), allow_zero: false }), vec![x]));
        x = Src::Step(0);
    }
    let argmax = ArgMax { kind: Extremum::Max, axis: axis as i64, keepdims: true, select_last_index: false };
    steps.push((Box::new(argmax), vec![x]));
    let at = Src::Step(steps.len() - 1);
    steps.push((Box::new(Compare { kind: Comparison::Equal }), vec![at, Src::Const(positions)]));
    if coerced {
        let last = Src::Step(steps.len() - 1);
        steps.push((Box::new(Reshape { shape: dims(&shape), allow_zero: false }), vec![last]));
    }
    let last = steps.len() - 1;
    Ok(Built::Nodes(steps, vec![last]))
}

/// `Sign`: `[x > 0] − [x < 0]`, two exact comparison bits and their difference (no table).
pub(crate) fn sign(_: &NodeCx) -> Result<Built, ImportError> {
    let zero = || Src::Const(Tensor::from_elem(vec![], 0.0));
    let steps: Vec<(Box<dyn Op>, Vec<Src>)> = vec![
        (Box::new(Compare { kind: Comparison::Greater }), vec![Src::Input(0), zero()]),
        (Box::new(Compare { kind: Comparison::Less }), vec![Src::Input(0), zero()]),
        (Box::new(Sub), vec![Src::Step(0), Src::Step(1)]),
    ];
    Ok(Built::Nodes(steps, vec![2]))
}

/// `CumSum`: the axis is a constant input (a scalar or one element).
pub(crate) fn cumsum(cx: &NodeCx) -> Result<Built, ImportError> {
    let (exclusive, reverse) = (cx.attrs.flag("exclusive")?, cx.attrs.flag("reverse")?);
    op(CumSum { axis: cumulative_axis(cx)?, exclusive, reverse })
}

/// `CumProd`: as `CumSum`, with products.
pub(crate) fn cumprod(cx: &NodeCx) -> Result<Built, ImportError> {
    let (exclusive, reverse) = (cx.attrs.flag("exclusive")?, cx.attrs.flag("reverse")?);
    op(CumProd { axis: cumulative_axis(cx)?, exclusive, reverse })
}

/// The axis of `CumSum` and `CumProd`: a constant input (a scalar or one element).
pub(crate) fn cumulative_axis(cx: &NodeCx) -> Result<i64, ImportError> {
    match cx.consts.get(1).copied().flatten() {
        Some(t) if t.len() == 1 => Ok(t.iter().next().map_or(0, |&v| v as i64)),
        _ => Err(cx.attrs.node_error("the axis must be a constant scalar input")),
    }
}

/// `Mod`: `fmod` (default 0) must be 1 for floats, as ONNX requires.
pub(crate) fn modulo(cx: &NodeCx) -> Result<Built, ImportError> {
    let fmod = cx.attrs.int("fmod")?.unwrap_or(0) != 0;
    let float = cx.dtypes.iter().any(|t| t.is_some_and(|t| !crate::dtypes::is_integer(t)));
    if float && !fmod {
        return Err(cx.attrs.error("fmod", "must be 1 for floating-point operands"));
    }
    op(Mod { fmod })
}

/// `BitShift`: `direction` is required; the width of the unsigned element type sets where a
/// left shift wraps.
pub(crate) fn bit_shift(cx: &NodeCx) -> Result<Built, ImportError> {
    let left = match cx.attrs.string("direction")?.as_deref() {
        Some("LEFT") => true,
        Some("RIGHT") => false,
        other => return Err(cx.attrs.error("direction", format!("must be LEFT or RIGHT, found {other:?}"))),
    };
    let bits = match cx.dtypes.first().copied().flatten().and_then(crate::builders::integer_range) {
        Some((bits, false)) => bits,
        _ => return Err(cx.attrs.node_error("the shifted tensor must be of a known unsigned integer type")),
    };
    op(BitShift { left, bits })
}

/// `BitCast` (opset 26) between integer types of one width up to 16 bits (or bool to an 8-bit
/// type): the two's-complement wrap into the target type, which is what reinterpreting the bits does.
/// Reinterpreting a float's bits is refused: the circuit holds fixed-point values, not IEEE bits.
pub(crate) fn bit_cast(cx: &NodeCx) -> Result<Built, ImportError> {
    use crate::proto::tensor_proto::DataType as T;
    let a = &cx.attrs;
    let to = a.int("to")?.ok_or_else(|| a.error("to", "is required"))?;
    let target = T::try_from(to as i32).map_err(|_| a.error("to", format!("unknown data type {to}")))?;
    let from = cx.dtypes.first().copied().flatten();
    let width = |t: T| if t == T::Bool { Some(8) } else { integer_range(t).map(|(bits, _)| bits) };
    match (from.and_then(width), width(target)) {
        (Some(f), Some(t)) if f == t && t <= 16 && target != T::Bool => cast(cx),
        (Some(f), Some(t)) if f == t && target != T::Bool => {
            Err(a.error("to", format!("a {t}-bit reinterpretation is not supported (integers of 16 bits or fewer)")))
        }
        _ => Err(a.error(
            "to",
            format!(
                "reinterpreting {} as {} is not supported (only between integer types of one width)",
                from.map_or("a value of unknown type", |t| t.as_str_name()),
                target.as_str_name()
            ),
        )),
    }
}
