//! Builders of `Conv` (1-D, 2-D and 3-D), `ConvTranspose` and `CausalConvWithState`.
//!
//! A 1-D convolution is the 2-D one of height 1: the input `[N, C, L]` and weights
//! `[C_out, C / group, k]` are viewed as `[N, C, 1, L]` and `[C_out, C / group, 1, k]` (reshapes,
//! which are copies of cells, and on constant weights fold at import), and the output is viewed
//! back as `[N, C_out, L_out]`.

use zkinfer_graph::ops::{
    Add, Concat, Conv, ConvTranspose, Gather, Mul, Pad, PadMode, Padding, Reshape, Sigmoid, Transpose,
};
use zkinfer_graph::{Op, Tensor};

use crate::attrs::Attrs;
use crate::builders::{auto_pads, const_input};
use crate::registry::{op, Built, NodeCx, Src};
use crate::ImportError;

/// `Conv` over 1, 2 or 3 spatial axes: `pads`, or the padding `auto_pad` asks for.
pub(crate) fn conv(cx: &NodeCx) -> Result<Built, ImportError> {
    conv_of(cx, 1, cx.shapes.len() > 2)
}

/// The convolution of the node's input 0 by the weights of input `w` (shapes from the node),
/// as a graph reading its operands as inputs 0 and 1 (and 2, the bias, when `bias`), with the
/// node's `Conv` attributes (`ConvInteger` and `QLinearConv` reuse it on their own operands).
pub(crate) fn conv_of(cx: &NodeCx, w: usize, bias: bool) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let (group, xs, ws) = (group(a)?, dims(cx, 0), dims(cx, w));
    let d = ws.len().saturating_sub(2);
    if !(1..=3).contains(&d) || xs.len() != ws.len() {
        return Err(a.error(
            "kernel_shape",
            format!("only 1-D, 2-D and 3-D convolution is supported (input {xs:?}, weights {ws:?})"),
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
    if d == 3 {
        return conv_3d(cx, &xs, &ws, Geometry { strides, pads, dilations, group }, bias);
    }
    if d == 2 {
        let pads = Padding { top: pads[0], left: pads[1], bottom: pads[2], right: pads[3] };
        return op(Conv { strides: [strides[0], strides[1]], pads, dilations: [dilations[0], dilations[1]], group });
    }
    let pads = Padding { top: 0, left: pads[0], bottom: 0, right: pads[1] };
    let conv = Conv { strides: [1, strides[0]], pads, dilations: [1, dilations[0]], group };
    Ok(as_1d(conv, &xs, &ws, ws[0], bias))
}

/// A 2-D convolution `op` applied to 1-D operands: the input `[N, C, L]` and weights `[a, b, k]`
/// viewed as `[N, C, 1, L]` and `[a, b, 1, k]`, the output viewed back as `[N, c_out, L_out]`.
fn as_1d(op: impl Op + 'static, xs: &[usize], ws: &[usize], c_out: usize, bias: bool) -> Built {
    let tall = |s: &[usize]| Reshape { shape: vec![s[0] as i64, s[1] as i64, 1, s[2] as i64], allow_zero: false };
    let mut inputs = vec![Src::Step(0), Src::Step(1)];
    if bias {
        inputs.push(Src::Input(2));
    }
    let flat = Reshape { shape: vec![xs[0] as i64, c_out as i64, -1], allow_zero: false };
    let steps: Vec<(Box<dyn Op>, Vec<Src>)> = vec![
        (Box::new(tall(xs)), vec![Src::Input(0)]),
        (Box::new(tall(ws)), vec![Src::Input(1)]),
        (Box::new(op), inputs),
        (Box::new(flat), vec![Src::Step(2)]),
    ];
    Built::Nodes(steps, vec![3])
}

/// A convolution's strides, `[begin..., end...]` pads and dilations, one per spatial axis, and group.
struct Geometry {
    strides: Vec<usize>,
    pads: Vec<usize>,
    dilations: Vec<usize>,
    group: usize,
}

/// A 3-D convolution as a 2-D one: the depth folds into the batch and the kernel's depth into
/// the channels. The (depth-padded) input `[N, C, D, H, W]` is re-wired by one constant-index
/// `Gather` to the depth slices each output depth reads, `[N, C, D_out, k_d, H, W]`, transposed
/// and viewed as `[N·D_out, C·k_d, H, W]`; the weights `[C_out, C/group, k_d, k_h, k_w]` viewed
/// as `[C_out, C/group·k_d, k_h, k_w]` match that channel order (`c·k_d + j`, so every group's
/// channels stay together). The 2-D output `[N·D_out, C_out, H_out, W_out]` is viewed and
/// transposed back to `[N, C_out, D_out, H_out, W_out]`. Only the convolution constrains; the
/// rest moves cells.
fn conv_3d(cx: &NodeCx, xs: &[usize], ws: &[usize], g: Geometry, bias: bool) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let (n, c, h, w) = (xs[0], xs[1], xs[3], xs[4]);
    let span = |i: usize| g.dilations[i] * (ws[2 + i].max(1) - 1) + 1;
    let out = |i: usize| {
        (xs[2 + i] + g.pads[i] + g.pads[3 + i])
            .checked_sub(span(i))
            .map(|room| room / g.strides[i] + 1)
            .ok_or_else(|| a.error("kernel_shape", format!("weights {ws:?} do not fit the padded input {xs:?}")))
    };
    let (d_out, h_out, w_out, kd) = (out(0)?, out(1)?, out(2)?, ws[2]);
    crate::rewire::built_len(cx, &[n, c, d_out, kd, h, w], "the depth slices")?;
    let mut steps: Vec<(Box<dyn Op>, Vec<Src>)> = Vec::new();
    let mut x = Src::Input(0);
    if g.pads[0] + g.pads[3] > 0 {
        let mut pads = vec![0i64; 10];
        (pads[2], pads[7]) = (g.pads[0] as i64, g.pads[3] as i64);
        steps.push((Box::new(Pad { pads, value: 0.0, mode: PadMode::Constant }), vec![x]));
        x = Src::Step(steps.len() - 1);
    }
    let (sd, dd) = (g.strides[0], g.dilations[0]);
    let picks = (0..d_out).flat_map(|o| (0..kd).map(move |j| (o * sd + j * dd) as f32));
    let picks = Tensor::from_shape_vec(vec![d_out, kd], picks.collect()).map_err(|e| a.node_error(e.to_string()))?;
    let dims = |v: &[usize]| v.iter().map(|&d| d as i64).collect::<Vec<_>>();
    let view = |v: &[usize]| Box::new(Reshape { shape: dims(v), allow_zero: false });
    let last = |steps: &Vec<(Box<dyn Op>, Vec<Src>)>| Src::Step(steps.len() - 1);
    steps.push((Box::new(Gather { axis: 2 }), vec![x, Src::Const(picks)]));
    steps.push((Box::new(Transpose { perm: Some(vec![0, 2, 1, 3, 4, 5]) }), vec![last(&steps)]));
    steps.push((view(&[n * d_out, c * kd, h, w]), vec![last(&steps)]));
    let x2 = last(&steps);
    steps.push((view(&[ws[0], ws[1] * kd, ws[3], ws[4]]), vec![Src::Input(1)]));
    let mut inputs = vec![x2, last(&steps)];
    if bias {
        inputs.push(Src::Input(2));
    }
    let conv = Conv {
        strides: [g.strides[1], g.strides[2]],
        pads: Padding { top: g.pads[1], left: g.pads[2], bottom: g.pads[4], right: g.pads[5] },
        dilations: [g.dilations[1], g.dilations[2]],
        group: g.group,
    };
    steps.push((Box::new(conv), inputs));
    steps.push((view(&[n, d_out, ws[0], h_out, w_out]), vec![last(&steps)]));
    steps.push((Box::new(Transpose { perm: Some(vec![0, 2, 1, 3, 4]) }), vec![last(&steps)]));
    let result = steps.len() - 1;
    Ok(Built::Nodes(steps, vec![result]))
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
    let (group, xs1, ws1) = (group(a)?, dims(cx, 0), dims(cx, 1));
    let d = ws1.len().saturating_sub(2);
    if !(1..=2).contains(&d) || xs1.len() != ws1.len() {
        return Err(a.error("kernel_shape", format!("only 1-D and 2-D ConvTranspose is supported (weights {ws1:?})")));
    }
    // A 1-D one is the 2-D one of height 1 ([`as_1d`]): every per-axis attribute gains the row axis.
    let lift = |v: Vec<usize>, fill: usize| -> [usize; 2] {
        if d == 1 {
            [fill, v[0]]
        } else {
            [v[0], v[1]]
        }
    };
    let tall = |s: &[usize]| if d == 1 { vec![s[0], s[1], 1, s[2]] } else { s.to_vec() };
    let (xs, ws) = (tall(&xs1), tall(&ws1));
    let kernel = per_axis(a, "kernel_shape", d, 0, false)?;
    if kernel.iter().any(|&k| k != 0) && kernel[..] != ws1[2..] {
        return Err(a.error("kernel_shape", format!("{kernel:?} does not match the weights {ws1:?}")));
    }
    let strides = lift(per_axis(a, "strides", d, 1, true)?, 1);
    let dilations = lift(per_axis(a, "dilations", d, 1, true)?, 1);
    let output_padding = lift(per_axis(a, "output_padding", d, 0, false)?, 0);
    let shape = match a.ints("output_shape")? {
        None => None,
        Some(v) if v.len() >= d && v.iter().all(|&s| s > 0) => {
            Some(lift(v[v.len() - d..].iter().map(|&s| s as usize).collect(), 1))
        }
        Some(v) => return Err(a.error("output_shape", format!("must give the {d} spatial sizes, found {v:?}"))),
    };
    let mode = a.string("auto_pad")?.unwrap_or_else(|| "NOTSET".into());
    let (pads, output_size) = match mode.as_str() {
        "NOTSET" | "VALID" => {
            let p = per_axis(a, "pads", 2 * d, 0, false)?;
            let [top, left, bottom, right] = if d == 1 { [0, p[0], 0, p[1]] } else { [p[0], p[1], p[2], p[3]] };
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
    let conv = ConvTranspose { strides, pads, dilations, output_padding, output_size, group };
    if d == 1 {
        return Ok(as_1d(conv, &xs1, &ws1, ws1[1] * group, cx.shapes.len() > 2));
    }
    op(conv)
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
