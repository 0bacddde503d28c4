//! The reductions ONNX defines as a function of others: `ReduceSumSquare`, `ReduceL1`,
//! `ReduceL2`, `ReduceLogSum` and `ReduceLogSumExp`. Each is built as the chain its function
//! body writes (an elementwise op, a `ReduceSum`, an elementwise op; `ReduceLogSumExp` in the
//! stable form that subtracts the maximum first), so every step is an op
//! the registry already proves and is calibrated on its own values: the `Sqrt` of `ReduceL2`
//! gets a table over the sums of squares the samples produce, not over the input's range.
//! `LpNormalization` divides by such a norm (`p` = 1 or 2) along one axis, and `LpPool` takes
//! it over pooling windows.

use zkinfer_graph::ops::{
    Abs, Add, Div, Exp, Extremum, Log, Mul, Pow, Reduce, ReduceKind, ReduceMax, ReduceProd, Sqrt, Sub,
};
use zkinfer_graph::{Op, Tensor};

use crate::builders::const_ints;
use crate::registry::{Built, NodeCx, Src};
use crate::ImportError;

/// Which reduction.
#[derive(Clone, Copy)]
pub(crate) enum Composite {
    SumSquare,
    L1,
    L2,
    LogSum,
    LogSumExp,
}

/// The reduction, with its axes from the `axes` attribute (up to opset 17) or from the second
/// input (opset 18 on), as `ReduceSum`'s builder reads them.
pub(crate) fn reduce_composite(cx: &NodeCx, kind: Composite, axes_input: bool) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let axes = if axes_input { const_ints(cx, 1, "axes")? } else { a.ints("axes")? };
    let keepdims = a.int("keepdims")?.unwrap_or(1) != 0;
    let noop_with_empty_axes = if axes_input { a.flag("noop_with_empty_axes")? } else { false };
    let sum = Reduce { kind: ReduceKind::Sum, axes: axes.clone(), keepdims, noop_with_empty_axes };
    let steps = composite_steps(kind, sum);
    let last = steps.len() - 1;
    Ok(Built::Nodes(steps, vec![last]))
}

/// `ReduceProd`, its axes read as [`reduce_composite`] reads them.
pub(crate) fn reduce_prod(cx: &NodeCx, axes_input: bool) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let axes = if axes_input { const_ints(cx, 1, "axes")? } else { a.ints("axes")? };
    let keepdims = a.int("keepdims")?.unwrap_or(1) != 0;
    let noop_with_empty_axes = if axes_input { a.flag("noop_with_empty_axes")? } else { false };
    Ok(Built::Op(Box::new(ReduceProd { axes, keepdims, noop_with_empty_axes })))
}

/// The steps of `kind` around its `sum`, the last one giving the result.
fn composite_steps(kind: Composite, sum: Reduce) -> Vec<(Box<dyn Op>, Vec<Src>)> {
    let square = || -> Box<dyn Op> { Box::new(Pow { exponent: 2.0 }) };
    chain(match kind {
        Composite::SumSquare => vec![square(), Box::new(sum)],
        Composite::L1 => vec![Box::new(Abs), Box::new(sum)],
        Composite::L2 => vec![square(), Box::new(sum), Box::new(Sqrt)],
        Composite::LogSum => vec![Box::new(sum), Box::new(Log)],
        Composite::LogSumExp => return log_sum_exp(sum),
    })
}

/// `ReduceLogSumExp` in the stable form `m + log(sum(exp(x - m)))`, `m` the maximum over the
/// same axes: every `Exp` argument is at most 0 and every sum lies in `[1, n]`, so the tables
/// cover the values whatever the input's magnitude (the function body's `exp(x)` leaves any
/// table's domain for inputs past about 20, and its sums of tiny terms round to 0 ahead of the
/// `Log`). Equal to the body's value in exact arithmetic.
fn log_sum_exp(sum: Reduce) -> Vec<(Box<dyn Op>, Vec<Src>)> {
    let (axes, noop_with_empty_axes) = (sum.axes.clone(), sum.noop_with_empty_axes);
    let max = |keepdims| ReduceMax { kind: Extremum::Max, axes: axes.clone(), keepdims, noop_with_empty_axes };
    let keep = sum.keepdims;
    vec![
        (Box::new(max(true)), vec![Src::Input(0)]),
        (Box::new(Sub), vec![Src::Input(0), Src::Step(0)]),
        (Box::new(Exp), vec![Src::Step(1)]),
        (Box::new(sum), vec![Src::Step(2)]),
        (Box::new(Log), vec![Src::Step(3)]),
        (Box::new(max(keep)), vec![Src::Input(0)]),
        (Box::new(Add), vec![Src::Step(4), Src::Step(5)]),
    ]
}

/// Steps that apply `ops` one after the other to the node's first input.
fn chain(ops: Vec<Box<dyn Op>>) -> Vec<(Box<dyn Op>, Vec<Src>)> {
    let from = |k: usize| if k == 0 { Src::Input(0) } else { Src::Step(k - 1) };
    ops.into_iter().enumerate().map(|(k, op)| (op, vec![from(k)])).collect()
}

/// `LpPool`: `(Σ |x|^p)^(1/p)` over each window, padding counting 0 (onnx's reference computes
/// `k · AveragePool(|x|^p)` with the padding in the average), for `p` 1 (`|x|`, exact) or 2
/// (`x²` exact, then the Sqrt table); the pooling attributes as `AveragePool` reads them. A
/// higher `p` is refused: its root's table, steep near 0, errs by far more than a table step
/// (0.12 on a window norm of 0.17 at `p = 3`).
pub(crate) fn lp_pool(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let p = a.int("p")?.unwrap_or(2);
    let power: Vec<Box<dyn Op>> = match p {
        1 => vec![Box::new(Abs)],
        2 => vec![Box::new(Pow { exponent: 2.0 })],
        p => {
            return Err(
                a.error("p", format!("must be 1 or 2, found {p} (a root beyond the square root is not supported)"))
            )
        }
    };
    let mut pool = crate::builders::average_pool_op(cx)?;
    if pool.ceil_mode {
        // `k · mean` is the window's sum only where every window holds `k` counted cells.
        return Err(a.error("ceil_mode", "only ceil_mode = 0 is supported"));
    }
    pool.count_include_pad = true;
    let k: usize = pool.kernel.iter().product();
    let mut ops = power;
    ops.push(Box::new(pool));
    let mut steps = chain(ops);
    let pooled = Src::Step(steps.len() - 1);
    steps.push((Box::new(Mul), vec![pooled, Src::Const(Tensor::from_elem(vec![], k as f32))]));
    if p > 1 {
        let sum = Src::Step(steps.len() - 1);
        steps.push((Box::new(Sqrt), vec![sum]));
    }
    let last = steps.len() - 1;
    Ok(Built::Nodes(steps, vec![last]))
}

/// `LpNormalization`: `x / ||x||_p` along `axis` (default -1), `p` 1 or 2 (default 2): the norm
/// as [`reduce_composite`] builds it (keeping the axis), then `Div` by it, which proves that the
/// norm is positive (a zero vector has no witness and is an error naming the tensor).
pub(crate) fn lp_normalization(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let axis = a.int("axis")?.unwrap_or(-1);
    let sum = Reduce { kind: ReduceKind::Sum, axes: Some(vec![axis]), keepdims: true, noop_with_empty_axes: false };
    let kind = match a.int("p")?.unwrap_or(2) {
        1 => Composite::L1,
        2 => Composite::L2,
        p => return Err(a.error("p", format!("must be 1 or 2, found {p}"))),
    };
    let mut steps = composite_steps(kind, sum);
    let norm = Src::Step(steps.len() - 1);
    steps.push((Box::new(Div), vec![Src::Input(0), norm]));
    let last = steps.len() - 1;
    Ok(Built::Nodes(steps, vec![last]))
}
