//! The op versions before opset 7 (the pytorch suites' opset-6 models) whose semantics the
//! later versions keep, given their attributes: the legacy broadcast of the binary ops, the
//! `consumed_inputs` that only memory planning read, and BatchNormalization's `is_test` and
//! `spatial`. Each reads those attributes and builds the later version's op.

use zkinfer_graph::ops::Reshape;

use crate::registry::{Built, NodeCx, Src};
use crate::ImportError;

/// A builder of the version the legacy one maps to.
type Later = fn(&NodeCx) -> Result<Built, ImportError>;

/// `Add`, `Sub`, `Mul`, `Div` and `Pow` before version 7: with `broadcast = 1` the second
/// operand is broadcast onto the first, its dims aligned from the first's `axis` (by default with
/// its trailing dims, as numpy aligns them); without it both have one shape. That is version
/// 7's numpy broadcasting once the second operand's shape is padded with trailing 1s.
pub(crate) fn binary_v1(cx: &NodeCx, later: Later) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let _ = a.ints("consumed_inputs")?;
    let (broadcast, axis) = (a.flag("broadcast")?, a.int("axis")?);
    let dims = |i: usize| cx.shapes.get(i).cloned().unwrap_or_default();
    let (first, second) = (dims(0), dims(1));
    if !broadcast {
        if first != second {
            return Err(a.error("broadcast", format!("is 0, but the operands' shapes {first:?} and {second:?} differ")));
        }
        return later(cx);
    }
    let Some(axis) = axis else { return later(cx) };
    let rank = first.len() as i64;
    let start = if axis < 0 { axis + rank } else { axis };
    let pad = usize::try_from(rank - start - second.len() as i64)
        .ok()
        .filter(|_| start >= 0)
        .ok_or_else(|| a.error("axis", format!("{axis}: {second:?} does not fit {first:?} from there")))?;
    if pad == 0 {
        return later(cx);
    }
    let Built::Op(op) = later(cx)? else {
        return Err(a.node_error("a legacy broadcast of an op that is not one step"));
    };
    let shape = second.iter().map(|&d| d as i64).chain(std::iter::repeat_n(1, pad)).collect();
    let steps = vec![
        (Box::new(Reshape { shape, allow_zero: false }) as Box<dyn zkinfer_graph::Op>, vec![Src::Input(1)]),
        (op, vec![Src::Input(0), Src::Step(0)]),
    ];
    Ok(Built::Nodes(steps, vec![1]))
}

/// `Gemm` before version 7: its `C` under the `broadcast` flag, which version 7 made the rule,
/// once `consumed_inputs` and `broadcast` are read.
pub(crate) fn same_v1(cx: &NodeCx, later: Later) -> Result<Built, ImportError> {
    let _ = (cx.attrs.ints("consumed_inputs")?, cx.attrs.int("broadcast")?);
    later(cx)
}

/// `Sum`, `Max`, `Min` and `Mean` before their numpy-broadcasting versions: operands of one
/// shape, as the later versions take them.
pub(crate) fn uniform_v1(cx: &NodeCx, later: Later) -> Result<Built, ImportError> {
    if let Some(other) = cx.shapes.iter().find(|s| *s != &cx.shapes[0]) {
        return Err(cx.attrs.node_error(format!(
            "this version does not broadcast: the operands' shapes {:?} and {other:?} differ",
            cx.shapes[0]
        )));
    }
    same_v1(cx, later)
}

/// `BatchNormalization` before version 9: inference (one output) over the channel axis
/// (`spatial = 1`, the default) is version 9's; `is_test` only chose the outputs.
pub(crate) fn batch_norm_v1(cx: &NodeCx, later: Later) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let _ = (a.ints("consumed_inputs")?, a.int("is_test")?);
    if a.int("spatial")?.unwrap_or(1) != 1 {
        return Err(a.error("spatial", "only 1 (statistics per channel) is supported"));
    }
    if cx.outputs > 1 {
        return Err(a.node_error("only the first output (inference) is supported"));
    }
    later(cx)
}
