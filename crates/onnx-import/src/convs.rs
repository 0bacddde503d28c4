//! Builders of `Conv`, `ConvTranspose` and `CausalConvWithState`.
//!
//! A 1-D convolution is the 2-D one of height 1: the input `[N, C, L]` and weights
//! `[C_out, C / group, k]` are viewed as `[N, C, 1, L]` and `[C_out, C / group, 1, k]` (reshapes,
//! which are copies of cells, and on constant weights fold at import), and the output is viewed
//! back as `[N, C_out, L_out]`.

use zkinfer_graph::ops::{Add, Concat, Conv, ConvTranspose, Gather, Mul, Padding, Reshape, Sigmoid};
use zkinfer_graph::{Op, Tensor};

use crate::attrs::Attrs;
use crate::builders::{auto_pads, const_input};
use crate::registry::{op, usizes, Built, NodeCx, Src};
use crate::ImportError;

/// `Conv` over 1 or 2 spatial axes: `pads`, or the padding `auto_pad` asks for.
pub(crate) fn conv(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let (group, xs, ws) = (group(a)?, dims(cx, 0), dims(cx, 1));
    let d = ws.len().saturating_sub(2);
    if !(1..=2).contains(&d) || xs.len() != ws.len() {
        return Err(a.error(
            "kernel_shape",
            format!("only 1-D and 2-D convolution is supported (input {xs:?}, weights {ws:?})"),
        ));
    }
    let kernel = per_axis(a, "kernel_shape", d, 0, true)?;
    if kernel.iter().any(|&k| k != 0) && kernel[..] != ws[2..] {
        return Err(a.error("kernel_shape", format!("{kernel:?} does not match the weights {ws:?}")));
    }
    let strides = per_axis(a, "strides", d, 1, true)?;
    let dilations = per_axis(a, "dilations", d, 1, true)?;
    let spans: Vec<usize> = (0..d).map(|i| dilations[i] * (ws[2 + i].max(1) - 1) + 1).collect();
    let pads = match auto_pads(a, &xs[2..], &spans, &strides)? {
        Some(p) => {
            let _ = a.ints("pads")?;
            p
        }
        None => per_axis(a, "pads", 2 * d, 0, false)?,
    };
    if d == 2 {
        let pads = Padding { top: pads[0], left: pads[1], bottom: pads[2], right: pads[3] };
        return op(Conv { strides: [strides[0], strides[1]], pads, dilations: [dilations[0], dilations[1]], group });
    }
    let pads = Padding { top: 0, left: pads[0], bottom: 0, right: pads[1] };
    let conv = Conv { strides: [1, strides[0]], pads, dilations: [1, dilations[0]], group };
    let tall = |s: &[usize]| Reshape { shape: vec![s[0] as i64, s[1] as i64, 1, s[2] as i64], allow_zero: false };
    let mut inputs = vec![Src::Step(0), Src::Step(1)];
    if cx.shapes.len() > 2 {
        inputs.push(Src::Input(2));
    }
    let flat = Reshape { shape: vec![xs[0] as i64, ws[0] as i64, -1], allow_zero: false };
    let steps: Vec<(Box<dyn Op>, Vec<Src>)> = vec![
        (Box::new(tall(&xs)), vec![Src::Input(0)]),
        (Box::new(tall(&ws)), vec![Src::Input(1)]),
        (Box::new(conv), inputs),
        (Box::new(flat), vec![Src::Step(2)]),
    ];
    Ok(Built::Nodes(steps, vec![3]))
}

/// The `group` attribute (default 1), positive.
fn group(a: &Attrs) -> Result<usize, ImportError> {
    let group = a.int("group")?.unwrap_or(1);
    usize::try_from(group).ok().filter(|&g| g > 0).ok_or_else(|| a.error("group", "must be positive"))
}

/// The shape of input `i` (empty when it is absent).
fn dims(cx: &NodeCx, i: usize) -> Vec<usize> {
    cx.shapes.get(i).cloned().unwrap_or_default()
}

/// Attribute `name` with `n` values (each `default` when it is absent), positive or not.
fn per_axis(a: &Attrs, name: &str, n: usize, default: usize, positive: bool) -> Result<Vec<usize>, ImportError> {
    let Some(v) = a.ints(name)? else { return Ok(vec![default; n]) };
    let kind = if positive { "positive" } else { "non-negative" };
    let bad = || a.error(name, format!("expected {n} {kind} values, found {v:?}"));
    if v.len() != n {
        return Err(bad());
    }
    v.iter().map(|&x| usize::try_from(x).ok().filter(|&x| x > 0 || !positive).ok_or_else(bad)).collect()
}

/// ConvTranspose (2-D): `pads`, or with `auto_pad` SAME_UPPER/SAME_LOWER the padding that gives
/// `output_shape` (default: the input's size times the stride), split as ONNX's reference does
/// (the odd row at the end for SAME_UPPER); an `output_shape` without `auto_pad` is the output's
/// size, anything past the computed output reading no input.
pub(crate) fn conv_transpose(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let (group, xs, ws) = (group(a)?, dims(cx, 0), dims(cx, 1));
    if ws.len() != 4 || xs.len() != 4 {
        return Err(a.error("kernel_shape", format!("only 2-D ConvTranspose is supported (weights {ws:?})")));
    }
    let kernel = usizes::<2>(a, "kernel_shape", [0, 0], true)?;
    if kernel != [0, 0] && kernel[..] != ws[2..] {
        return Err(a.error("kernel_shape", format!("{kernel:?} does not match the weights {ws:?}")));
    }
    let strides = usizes::<2>(a, "strides", [1, 1], true)?;
    let dilations = usizes::<2>(a, "dilations", [1, 1], true)?;
    let output_padding = usizes::<2>(a, "output_padding", [0, 0], false)?;
    let shape = match a.ints("output_shape")? {
        None => None,
        Some(v) if v.len() >= 2 && v.iter().all(|&d| d > 0) => Some([v[v.len() - 2] as usize, v[v.len() - 1] as usize]),
        Some(v) => return Err(a.error("output_shape", format!("must give the two spatial sizes, found {v:?}"))),
    };
    let mode = a.string("auto_pad")?.unwrap_or_else(|| "NOTSET".into());
    let (pads, output_size) = match mode.as_str() {
        "NOTSET" | "VALID" => {
            let [top, left, bottom, right] = usizes::<4>(a, "pads", [0; 4], false)?;
            (Padding { top, left, bottom, right }, shape)
        }
        "SAME_UPPER" | "SAME_LOWER" => {
            let _ = a.ints("pads")?;
            let out = shape.unwrap_or([xs[2] * strides[0], xs[3] * strides[1]]);
            let mut p = [0usize; 4];
            for i in 0..2 {
                let full =
                    strides[i] * (xs[2 + i].max(1) - 1) + output_padding[i] + dilations[i] * (ws[2 + i].max(1) - 1) + 1;
                let total = full
                    .checked_sub(out[i])
                    .ok_or_else(|| a.error("output_shape", format!("{out:?} is larger than the full output")))?;
                let (begin, end) =
                    if mode == "SAME_UPPER" { (total / 2, total - total / 2) } else { (total - total / 2, total / 2) };
                p[i] = begin;
                p[2 + i] = end;
            }
            (Padding { top: p[0], left: p[1], bottom: p[2], right: p[3] }, None)
        }
        other => return Err(a.error("auto_pad", format!("unknown mode '{other}'"))),
    };
    op(ConvTranspose { strides, pads, dilations, output_padding, output_size, group })
}

/// `CausalConvWithState` (opset 27) at constant weights: the past state (zeros when absent)
/// concatenated before the input along time, then the depthwise causal convolution as one Gather
/// of each tap's window (a free re-wiring) times the constant per-channel tap weight, summed,
/// plus the bias; `silu`/`swish` multiplies by the Sigmoid table; the present state is the last
/// `k − 1` steps (a Gather).
pub(crate) fn causal_conv_with_state(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let silu = match a.string("activation")?.as_deref() {
        None | Some("none") => false,
        Some("silu" | "swish") => true,
        Some(other) => return Err(a.error("activation", format!("unknown activation '{other}'"))),
    };
    let x = dims(cx, 0);
    let weight = const_input(cx, 1, "weight")?;
    let (&[b, c, len], &[wc, 1, k]) = (x.as_slice(), weight.shape()) else {
        return Err(
            a.node_error(format!("input {x:?} and weight {:?} must be [B, C, L] and [C, 1, k]", weight.shape()))
        );
    };
    if wc != c || k == 0 || len == 0 {
        return Err(a.node_error(format!("weight {:?} does not fit the input {x:?}", weight.shape())));
    }
    let present = |i: usize| cx.shapes.get(i).is_some_and(|s| s.iter().product::<usize>() > 0);
    let w: Vec<f32> = weight.iter().copied().collect();
    let column = |v: Vec<f32>| Tensor::from_shape_vec(vec![c, 1], v).map_err(|e| a.node_error(e.to_string()));
    let mut steps: Vec<(Box<dyn Op>, Vec<Src>)> = Vec::new();
    let padded = if k == 1 {
        Src::Input(0)
    } else {
        let past = if present(3) { Src::Input(3) } else { Src::Const(Tensor::zeros(vec![b, c, k - 1])) };
        steps.push((Box::new(Concat { axis: 2 }), vec![past, Src::Input(0)]));
        Src::Step(0)
    };
    let window = |from: usize, n: usize| {
        Src::Const(
            Tensor::from_shape_vec(vec![n], (from..from + n).map(|v| v as f32).collect())
                .unwrap_or_else(|_| Tensor::zeros(vec![n])),
        )
    };
    let mut total: Option<Src> = None;
    for j in 0..k {
        steps.push((Box::new(Gather { axis: 2 }), vec![padded.clone(), window(j, len)]));
        let tap = column((0..c).map(|ch| w[ch * k + j]).collect())?;
        steps.push((Box::new(Mul), vec![Src::Step(steps.len() - 1), Src::Const(tap)]));
        let term = Src::Step(steps.len() - 1);
        total = Some(match total {
            None => term,
            Some(t) => {
                steps.push((Box::new(Add), vec![t, term]));
                Src::Step(steps.len() - 1)
            }
        });
    }
    let mut out = total.ok_or_else(|| a.node_error("a kernel of no taps"))?;
    if present(2) {
        let bias = const_input(cx, 2, "bias")?;
        steps.push((Box::new(Add), vec![out, Src::Const(column(bias.iter().copied().collect())?)]));
        out = Src::Step(steps.len() - 1);
    }
    if silu {
        steps.push((Box::new(Sigmoid), vec![out.clone()]));
        steps.push((Box::new(Mul), vec![out, Src::Step(steps.len() - 1)]));
    }
    let out_step = steps.len() - 1;
    steps.push((Box::new(Gather { axis: 2 }), vec![padded, window(len, k - 1)]));
    let state_step = steps.len() - 1;
    Ok(Built::Nodes(steps, vec![out_step, state_step]))
}
