//! Builders of the lookup-table activations that take attributes or constant inputs, of
//! Softmax / LogSoftmax (whose axis semantics changed in opset 13), and of Shrink.

use zkinfer_graph::ops::{
    Add, Clip, Compare, Comparison, Elu, Gelu, HardSigmoid, LayerNorm, LayerNormInvStdDev, LeakyRelu, LogSoftmax, Mul,
    NormKind, Reduce, ReduceKind, Selu, Softmax, Sub,
};
use zkinfer_graph::Op;

use crate::attrs::Attrs;
use crate::registry::{op, scalar, Built, NodeCx, Src};
use crate::ImportError;

/// A float attribute that must be a finite number (a NaN would make an unusable table).
pub(crate) fn finite(a: &Attrs, name: &str, default: f32) -> Result<f32, ImportError> {
    match a.float(name)? {
        None => Ok(default),
        Some(v) if v.is_finite() => Ok(v),
        Some(v) => Err(a.error(name, format!("must be a finite number, found {v}"))),
    }
}

pub(crate) fn elu(cx: &NodeCx) -> Result<Built, ImportError> {
    op(Elu { alpha: finite(&cx.attrs, "alpha", 1.0)? })
}

/// `Selu`: ONNX's defaults are the float32 values of the self-normalizing constants.
pub(crate) fn selu(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    op(Selu { alpha: finite(a, "alpha", 1.673_263_2)?, gamma: finite(a, "gamma", 1.050_701)? })
}

pub(crate) fn leaky_relu(cx: &NodeCx) -> Result<Built, ImportError> {
    op(LeakyRelu { alpha: finite(&cx.attrs, "alpha", 0.01)? })
}

pub(crate) fn hard_sigmoid(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    op(HardSigmoid { alpha: finite(a, "alpha", 0.2)?, beta: finite(a, "beta", 0.5)? })
}

pub(crate) fn gelu(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    match a.string("approximate")?.as_deref() {
        None | Some("none") => op(Gelu { tanh: false }),
        Some("tanh") => op(Gelu { tanh: true }),
        Some(other) => Err(a.error("approximate", format!("expected 'none' or 'tanh', found '{other}'"))),
    }
}

/// Opsets 6-10: the bounds are attributes (defaulting to the f32 range).
pub(crate) fn clip_v6(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let bound = |name: &str, default: f32| match a.float(name)? {
        Some(v) if v.is_nan() => Err(a.error(name, "must be a number, found NaN")),
        v => Ok(v.unwrap_or(default)),
    };
    op(Clip { min: bound("min", f32::MIN)?, max: bound("max", f32::MAX)? })
}

/// Opset 11+: the bounds are optional inputs, which must be constant scalars.
pub(crate) fn clip_v11(cx: &NodeCx) -> Result<Built, ImportError> {
    let bound = |i: usize, name: &str, default: f32| -> Result<f32, ImportError> {
        if i >= cx.consts.len() {
            return Ok(default);
        }
        match cx.consts[i] {
            Some(t) if t.is_empty() => Ok(default),
            Some(t) if t.len() == 1 => match t.iter().next().copied() {
                Some(v) if v.is_nan() => Err(cx.attrs.error(name, "must be a number, found NaN")),
                v => Ok(v.unwrap_or(default)),
            },
            Some(t) => Err(cx.attrs.error(name, format!("must be a scalar, found shape {:?}", t.shape()))),
            None => Err(cx
                .attrs
                .error(name, "must be a constant input (a bound computed from the model input is not supported)")),
        }
    };
    op(Clip { min: bound(1, "min", f32::NEG_INFINITY)?, max: bound(2, "max", f32::INFINITY)? })
}

/// Softmax before opset 13: the input coerced to 2-D at `axis` (default 1).
pub(crate) fn softmax_v1(cx: &NodeCx) -> Result<Built, ImportError> {
    op(Softmax { axis: cx.attrs.int("axis")?.unwrap_or(1), coerce_2d: true, mask: None })
}

/// Softmax from opset 13: along one `axis` (default -1).
pub(crate) fn softmax_v13(cx: &NodeCx) -> Result<Built, ImportError> {
    op(Softmax { axis: cx.attrs.int("axis")?.unwrap_or(-1), coerce_2d: false, mask: None })
}

/// LogSoftmax before opset 13 (as [`softmax_v1`]).
pub(crate) fn log_softmax_v1(cx: &NodeCx) -> Result<Built, ImportError> {
    op(LogSoftmax { axis: cx.attrs.int("axis")?.unwrap_or(1), coerce_2d: true })
}

/// LogSoftmax from opset 13 (as [`softmax_v13`]).
pub(crate) fn log_softmax_v13(cx: &NodeCx) -> Result<Built, ImportError> {
    op(LogSoftmax { axis: cx.attrs.int("axis")?.unwrap_or(-1), coerce_2d: false })
}

/// LayerNormalization (opset 17): `axis` (default -1), `epsilon` (default 1e-5); the optional
/// Mean and InvStdDev outputs are a ReduceMean over the normalized axes and the inverse
/// standard deviation the normalization itself computes (`LayerNormInvStdDev`).
pub(crate) fn layer_norm(cx: &NodeCx) -> Result<Built, ImportError> {
    let norm = LayerNorm {
        axis: cx.attrs.int("axis")?.unwrap_or(-1),
        epsilon: finite(&cx.attrs, "epsilon", 1e-5)?,
        kind: NormKind::Layer,
    };
    if cx.outputs <= 1 {
        return op(norm);
    }
    let rank = cx.shapes.first().map_or(0, Vec::len) as i64;
    if !(-rank..rank).contains(&norm.axis) {
        return Err(cx.attrs.error("axis", format!("is {}, outside [-{rank}, {rank})", norm.axis)));
    }
    let first = norm.axis.rem_euclid(rank.max(1));
    let mean =
        Reduce { kind: ReduceKind::Mean, axes: Some((first..rank).collect()), keepdims: true, ..Reduce::default() };
    let inputs = cx.shapes.len();
    Ok(Built::Outputs(vec![
        (Box::new(norm.clone()), inputs),
        (Box::new(mean), 1),
        (Box::new(LayerNormInvStdDev { norm }), 1),
    ]))
}

/// RMSNormalization (opset 23): `axis` (default -1), `epsilon` (default 1e-5); `stash_type` (the
/// precision of the float computation) does not apply to an exact integer lowering.
pub(crate) fn rms_norm(cx: &NodeCx) -> Result<Built, ImportError> {
    op(LayerNorm {
        axis: cx.attrs.int("axis")?.unwrap_or(-1),
        epsilon: finite(&cx.attrs, "epsilon", 1e-5)?,
        kind: NormKind::Rms,
    })
}

/// InstanceNormalization (opset 6): `epsilon` (default 1e-5); normalizes each channel of each
/// sample over its spatial axes (2..), with a scale and bias per channel.
pub(crate) fn instance_norm(cx: &NodeCx) -> Result<Built, ImportError> {
    op(LayerNorm { axis: 2, epsilon: finite(&cx.attrs, "epsilon", 1e-5)?, kind: NormKind::Instance })
}

/// `Shrink`: `x − bias` above `lambd`, `x + bias` below `−lambd`, 0 between: the comparison
/// bits `[x > lambd]` and `[x < −lambd]` (exact), each times its shifted `x` (the product chip),
/// added.
pub(crate) fn shrink(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let (lambd, bias) = (finite(a, "lambd", 0.5)?, finite(a, "bias", 0.0)?);
    let steps: Vec<(Box<dyn Op>, Vec<Src>)> = vec![
        (Box::new(Compare { kind: Comparison::Greater }), vec![Src::Input(0), scalar(lambd)]),
        (Box::new(Compare { kind: Comparison::Less }), vec![Src::Input(0), scalar(-lambd)]),
        (Box::new(Sub), vec![Src::Input(0), scalar(bias)]),
        (Box::new(Add), vec![Src::Input(0), scalar(bias)]),
        (Box::new(Mul), vec![Src::Step(0), Src::Step(2)]),
        (Box::new(Mul), vec![Src::Step(1), Src::Step(3)]),
        (Box::new(Add), vec![Src::Step(4), Src::Step(5)]),
    ];
    Ok(Built::Nodes(steps, vec![6]))
}
