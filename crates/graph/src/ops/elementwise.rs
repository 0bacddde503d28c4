//! Lowering helpers shared by the elementwise ops (Add, Sub, Mul, a Gemm bias that varies per row).
//!
//! An elementwise affine map `out[e] = bias[e] + Σ_j w_j[e] * x_j[idx_j[e]]` becomes one
//! [`LinearOp`]. `LinearOp` shares the input row of a position across its channels, so when the
//! weights vary along the output, each channel must see every input of its position: the
//! channel axis is chosen as small as possible and the weights are block-diagonal.

use super::broadcast::{broadcast_index, broadcast_to};
use crate::error::{OpError, OpResult};
use crate::{LValue, LinearOp, LinearParams, LowerCtx, QOp, Tensor, TensorId};

/// One input of an elementwise affine map; `index` and `weight` have one entry per output element.
#[derive(Debug)]
pub(crate) struct Operand {
    pub id: TensorId,
    pub index: Vec<u32>,
    pub weight: Vec<i64>,
}

/// How an output of `n` elements splits into `positions x channels`.
#[derive(Debug, Clone, Copy)]
struct Split {
    positions: usize,
    channels: usize,
    pos_stride: usize,
    chan_stride: usize,
}

impl Split {
    fn element(&self, p: usize, o: usize) -> usize {
        p * self.pos_stride + o * self.chan_stride
    }

    /// True when `v` depends on the channel only.
    fn fits(&self, v: &[i64]) -> bool {
        (0..self.positions).all(|p| (0..self.channels).all(|o| v[self.element(p, o)] == v[self.element(0, o)]))
    }
}

/// Smallest channel count along a row-major split of `shape` over which every vector is constant
/// within a channel.
fn best_split(shape: &[usize], vectors: &[&[i64]]) -> Split {
    let n: usize = shape.iter().product();
    let mut best = Split { positions: 1, channels: n, pos_stride: 0, chan_stride: 1 };
    for axis in 0..=shape.len() {
        let prefix: usize = shape[..axis].iter().product();
        let suffix: usize = shape[axis..].iter().product();
        // Channels = leading axes (positions contiguous), or channels = trailing axes.
        let candidates = [
            Split { positions: suffix, channels: prefix, pos_stride: 1, chan_stride: suffix },
            Split { positions: prefix, channels: suffix, pos_stride: suffix, chan_stride: 1 },
        ];
        for s in candidates {
            if s.channels < best.channels && vectors.iter().all(|v| s.fits(v)) {
                best = s;
            }
        }
    }
    best
}

/// Emits `out[e] = bias[e] + Σ_j w_j[e] * x_j[idx_j[e]]` as one [`LinearOp`] whose output has
/// `shape` and `scale`; `params` says which of its constants come from the model.
pub(crate) fn affine(
    ctx: &mut LowerCtx,
    operands: &[Operand],
    bias: &[i64],
    params: LinearParams,
    shape: Vec<usize>,
    scale: u32,
) -> OpResult<TensorId> {
    let n: usize = shape.iter().product();
    if bias.len() != n || operands.iter().any(|o| o.index.len() != n || o.weight.len() != n) {
        return Err(OpError::Invalid("elementwise operand length does not match the output".into()));
    }
    // Distinct input tensors, concatenated in order.
    let mut inputs: Vec<TensorId> = Vec::new();
    let mut starts: Vec<usize> = Vec::new();
    let mut offsets = Vec::with_capacity(operands.len());
    let mut total = 0usize;
    for op in operands {
        match inputs.iter().position(|&i| i == op.id) {
            Some(k) => offsets.push(starts[k]),
            None => {
                starts.push(total);
                offsets.push(total);
                total += ctx.tensor(op.id).len();
                inputs.push(op.id);
            }
        }
    }
    let mut vectors: Vec<&[i64]> = operands.iter().map(|o| o.weight.as_slice()).collect();
    vectors.push(bias);
    let split = best_split(&shape, &vectors);
    let c = split.channels;
    let terms = operands.len() * c;
    let mut index = Vec::with_capacity(split.positions * terms);
    for p in 0..split.positions {
        for (op, &off) in operands.iter().zip(&offsets) {
            for o in 0..c {
                let i = off + op.index[split.element(p, o)] as usize;
                index.push(Some(u32::try_from(i).map_err(|_| OpError::Unsupported("tensor too large".into()))?));
            }
        }
    }
    let mut weight = vec![0i64; c * terms];
    for o in 0..c {
        for (j, op) in operands.iter().enumerate() {
            weight[o * terms + j * c + o] = op.weight[split.element(0, o)];
        }
    }
    let bias = (0..c).map(|o| bias[split.element(0, o)]).collect();
    let linear = LinearOp {
        positions: split.positions,
        channels: c,
        terms,
        index,
        weight,
        bias,
        pos_stride: split.pos_stride,
        chan_stride: split.chan_stride,
        params,
    };
    Ok(ctx.push(QOp::Linear(linear), inputs, shape, scale))
}

/// Folds a constant added to the exclusive output `id` of a [`LinearOp`] into that op's bias.
/// `addend` must already have the shape of `id`. Returns false (changing nothing) when the
/// producer is not a linear op or the addend is not constant per output channel.
pub(crate) fn fold_bias(ctx: &mut LowerCtx, id: TensorId, addend: &Tensor) -> OpResult<bool> {
    let scale = ctx.tensor(id).scale;
    let q = ctx.quantize_const(addend, scale)?;
    let Some(node) = ctx.producer_mut(id) else { return Ok(false) };
    let QOp::Linear(op) = &mut node.op else { return Ok(false) };
    let split = Split {
        positions: op.positions,
        channels: op.channels,
        pos_stride: op.pos_stride,
        chan_stride: op.chan_stride,
    };
    if q.len() != op.positions * op.channels || !split.fits(&q) {
        return Ok(false);
    }
    for (o, b) in op.bias.iter_mut().enumerate() {
        *b = b.checked_add(q[split.element(0, o)]).ok_or_else(|| OpError::Invalid("bias overflows 64 bits".into()))?;
    }
    op.params = op.params.with_param_bias();
    ctx.retarget(id);
    Ok(true)
}

/// Lowers `a + b` (or `a - b` when `negate_b`), with numpy broadcasting.
pub(crate) fn lower_add(ctx: &mut LowerCtx, inputs: &[LValue], negate_b: bool) -> OpResult<LValue> {
    let sign_b: i64 = if negate_b { -1 } else { 1 };
    match inputs {
        [LValue::Act { id: a, .. }, LValue::Act { id: b, .. }] => {
            let (a, b) = (ctx.materialize(*a)?, ctx.materialize(*b)?);
            let (ta, tb) = (ctx.tensor(a).clone(), ctx.tensor(b).clone());
            let shape = super::broadcast::broadcast_shape(&ta.shape, &tb.shape)?;
            let n = shape.iter().product();
            let scale = ta.scale.max(tb.scale);
            let operands = [
                Operand {
                    id: a,
                    index: broadcast_index(&ta.shape, &shape)?,
                    weight: vec![1i64 << (scale - ta.scale); n],
                },
                Operand {
                    id: b,
                    index: broadcast_index(&tb.shape, &shape)?,
                    weight: vec![sign_b << (scale - tb.scale); n],
                },
            ];
            let out = affine(ctx, &operands, &vec![0; n], LinearParams::Structural, shape, scale)?;
            Ok(LValue::Act { id: out, exclusive: true })
        }
        [LValue::Act { id, exclusive }, LValue::Const(c)] => {
            let c = if negate_b { c.mapv(|v| -v) } else { c.clone() };
            add_const(ctx, *id, *exclusive, 1, &c)
        }
        // `c + x` folds like `x + c`; `c - x` negates x, so it never folds.
        [LValue::Const(c), LValue::Act { id, exclusive }] => add_const(ctx, *id, *exclusive && !negate_b, sign_b, c),
        _ => Err(OpError::Invalid("expected two inputs, at least one of them an activation".into())),
    }
}

/// `sign * x + c`, folding `c` into the producer's bias when possible.
fn add_const(ctx: &mut LowerCtx, id: TensorId, exclusive: bool, sign: i64, c: &Tensor) -> OpResult<LValue> {
    let t = ctx.tensor(id).clone();
    let shape = super::broadcast::broadcast_shape(&t.shape, c.shape())?;
    let cb = broadcast_to(c, &shape)?;
    if sign == 1 && exclusive && shape == t.shape && fold_bias(ctx, id, &cb)? {
        return Ok(LValue::Act { id, exclusive: true });
    }
    let x = ctx.materialize(id)?;
    let s = ctx.tensor(x).scale;
    // Weight 2^k on x keeps the constant's precision in the bias.
    let k = ctx.const_scale(&cb);
    let n: usize = shape.iter().product();
    let operands = [Operand { id: x, index: broadcast_index(&t.shape, &shape)?, weight: vec![sign << k; n] }];
    let bias = ctx.quantize_const(&cb, s + k)?;
    let out = affine(ctx, &operands, &bias, LinearParams::BiasOnly, shape, s + k)?;
    Ok(LValue::Act { id: out, exclusive: true })
}
