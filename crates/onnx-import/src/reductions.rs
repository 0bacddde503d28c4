//! The reductions ONNX defines as a function of others: `ReduceSumSquare`, `ReduceL1`,
//! `ReduceL2`, `ReduceLogSum` and `ReduceLogSumExp`. Each is built as the chain its function
//! body writes (an elementwise op, a `ReduceSum`, an elementwise op), so every step is an op
//! the registry already proves and is calibrated on its own values: the `Sqrt` of `ReduceL2`
//! gets a table over the sums of squares the samples produce, not over the input's range.
//! `LpNormalization` divides by such a norm (`p` = 1 or 2) along one axis.

use zkinfer_graph::ops::{Abs, Div, Exp, Log, Pow, Reduce, ReduceKind, Sqrt};
use zkinfer_graph::Op;

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
    let sum = Reduce { kind: ReduceKind::Sum, axes, keepdims, noop_with_empty_axes };
    let ops = composite_ops(kind, sum);
    let last = ops.len() - 1;
    Ok(Built::Nodes(chain(ops), vec![last]))
}

/// The ops of `kind`, in order, around its `sum`.
fn composite_ops(kind: Composite, sum: Reduce) -> Vec<Box<dyn Op>> {
    let (sum, square) = (Box::new(sum), || -> Box<dyn Op> { Box::new(Pow { exponent: 2.0 }) });
    match kind {
        Composite::SumSquare => vec![square(), sum],
        Composite::L1 => vec![Box::new(Abs), sum],
        Composite::L2 => vec![square(), sum, Box::new(Sqrt)],
        Composite::LogSum => vec![sum, Box::new(Log)],
        Composite::LogSumExp => vec![Box::new(Exp), sum, Box::new(Log)],
    }
}

/// Steps that apply `ops` one after the other to the node's first input.
fn chain(ops: Vec<Box<dyn Op>>) -> Vec<(Box<dyn Op>, Vec<Src>)> {
    let from = |k: usize| if k == 0 { Src::Input(0) } else { Src::Step(k - 1) };
    ops.into_iter().enumerate().map(|(k, op)| (op, vec![from(k)])).collect()
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
    let mut steps = chain(composite_ops(kind, sum));
    let norm = Src::Step(steps.len() - 1);
    steps.push((Box::new(Div), vec![Src::Input(0), norm]));
    let last = steps.len() - 1;
    Ok(Built::Nodes(steps, vec![last]))
}
