//! Index helpers shared by the re-wiring ops (Transpose, Slice, Pad, Gather, Concat, Squeeze, ...).
//!
//! A re-wiring op computes, once, a flat index map from each output element to the input
//! element it copies (`None`: a fill value). Its f32 evaluation and its lowering both read that
//! map, so the reference and the integer graph cannot drift apart.

use crate::error::{OpError, OpResult};
use crate::{LValue, LinearOp, LinearParams, LowerCtx, QOp, Tensor, TensorId};

/// Normalizes an ONNX axis in `[-rank, rank)` to `[0, rank)`.
pub(crate) fn axis(axis: i64, rank: usize) -> OpResult<usize> {
    let r = rank as i64;
    let a = if axis < 0 { axis + r } else { axis };
    if (0..r).contains(&a) {
        Ok(a as usize)
    } else {
        Err(OpError::Invalid(format!("axis {axis} is out of range for rank {rank}")))
    }
}

/// Normalizes a list of axes, rejecting duplicates.
pub(crate) fn axes(list: &[i64], rank: usize) -> OpResult<Vec<usize>> {
    let mut out = Vec::with_capacity(list.len());
    for &a in list {
        let a = axis(a, rank)?;
        if out.contains(&a) {
            return Err(OpError::Invalid(format!("axis {a} is repeated in {list:?}")));
        }
        out.push(a);
    }
    Ok(out)
}

/// Row-major strides of `shape`.
pub fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1usize; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

/// Coordinates of flat index `flat` in a row-major tensor of `shape`.
pub fn unravel(mut flat: usize, shape: &[usize]) -> Vec<usize> {
    let mut c = vec![0usize; shape.len()];
    for i in (0..shape.len()).rev() {
        let d = shape[i].max(1);
        c[i] = flat % d;
        flat /= d;
    }
    c
}

/// Converts a flat index map to the `u32` indices of the integer primitives.
pub(crate) fn to_u32(index: &[usize]) -> OpResult<Vec<u32>> {
    index
        .iter()
        .map(|&i| u32::try_from(i).map_err(|_| OpError::Unsupported("tensor too large to index".into())))
        .collect()
}

/// Rejects empty tensors, which no primitive can hold.
pub(crate) fn non_empty(shape: &[usize]) -> OpResult<()> {
    if shape.contains(&0) {
        return Err(OpError::Unsupported(format!("an empty tensor (shape {shape:?})")));
    }
    Ok(())
}

/// Row-major values of `t`.
pub(crate) fn flat(t: &Tensor) -> Vec<f32> {
    t.iter().copied().collect()
}

/// `out[i] = x[index[i]]` (or `fill` where the index is `None`), shaped `shape`.
pub(crate) fn rewire_f32(x: &Tensor, index: &[Option<usize>], fill: f32, shape: Vec<usize>) -> OpResult<Tensor> {
    let data = flat(x);
    let out = index
        .iter()
        .map(|i| match i {
            None => Ok(fill),
            Some(i) => data.get(*i).copied().ok_or_else(|| OpError::Invalid(format!("index {i} out of range"))),
        })
        .collect::<OpResult<Vec<f32>>>()?;
    Tensor::from_shape_vec(shape, out).map_err(|e| OpError::Shape(e.to_string()))
}

/// Lowers a pure re-wiring of one activation to a (free) gather primitive.
pub(crate) fn lower_gather(ctx: &mut LowerCtx, input: &LValue, index: &[usize], shape: Vec<usize>) -> OpResult<LValue> {
    let LValue::Act { id, .. } = input else {
        return Err(OpError::Invalid("expected an activation as first input".into()));
    };
    non_empty(&shape)?;
    let index = to_u32(index)?;
    Ok(LValue::Act { id: ctx.gather(*id, index, shape), exclusive: true })
}

/// A copy with holes: `out[i] = x[index[i]] * 2^up[i]` over the concatenation of `inputs`, zero
/// where the index is `None`, as one [`LinearOp`]. `slot[i]` picks the term (one term per distinct
/// weight `2^up`), so only elements that need the same shift share a weight.
pub(crate) fn copy_linear(
    ctx: &mut LowerCtx,
    inputs: Vec<TensorId>,
    index: &[Option<usize>],
    slot: &[usize],
    weights: Vec<i64>,
    shape: Vec<usize>,
    scale: u32,
) -> OpResult<TensorId> {
    non_empty(&shape)?;
    let terms = weights.len().max(1);
    let mut flat_index = vec![None; index.len() * terms];
    for (p, (i, &s)) in index.iter().zip(slot).enumerate() {
        if let Some(i) = i {
            let i = u32::try_from(*i).map_err(|_| OpError::Unsupported("tensor too large to index".into()))?;
            flat_index[p * terms + s.min(terms - 1)] = Some(i);
        }
    }
    let weight = if weights.is_empty() { vec![1] } else { weights };
    let op = LinearOp::single_channel(index.len(), terms, flat_index, weight);
    Ok(ctx.push(QOp::Linear(op), inputs, shape, scale))
}

/// Materializes constant integers (at `scale`) as a tensor: a linear op that reads one element of
/// the activation `anchor` with weight 0 and carries the values in its bias. The circuit then
/// constrains each element to equal its bias, so the constant is as sound as a weight; `params`
/// says whether the values come from the model ([`LinearParams::BiasOnly`]) or from lowering.
pub(crate) fn const_tensor(
    ctx: &mut LowerCtx,
    anchor: TensorId,
    values: Vec<i64>,
    params: LinearParams,
    scale: u32,
) -> OpResult<TensorId> {
    let n = values.len();
    non_empty(&[n])?;
    let op = LinearOp {
        positions: 1,
        channels: n,
        terms: 1,
        index: vec![Some(0)],
        weight: vec![0; n],
        bias: values,
        pos_stride: n,
        chan_stride: 1,
        params,
    };
    Ok(ctx.push(QOp::Linear(op), vec![anchor], vec![n], scale))
}

/// A graph output that folds to constant integers `values` (at `scale`), shaped `shape`: the
/// [`const_tensor`] Linear, reshaped (a copy per element), so the output has the model's shape.
pub(crate) fn constant_output(
    ctx: &mut LowerCtx,
    anchor: TensorId,
    values: Vec<i64>,
    shape: Vec<usize>,
    scale: u32,
) -> OpResult<TensorId> {
    let flat = const_tensor(ctx, anchor, values, LinearParams::Structural, scale)?;
    ctx.exact(flat);
    let n = ctx.tensor(flat).len();
    Ok(ctx.gather(flat, (0..n as u32).collect(), shape))
}

/// f32 evaluation of a pure reshape (Flatten, Reshape, Squeeze, Unsqueeze): same data, new shape.
pub(crate) fn eval_reshaped(input: &Tensor, shape: Vec<usize>) -> OpResult<Tensor> {
    Tensor::from_shape_vec(shape, flat(input)).map_err(|e| OpError::Shape(e.to_string()))
}

/// Lowering of a pure reshape: a free identity Gather of the first input under its new shape.
pub(crate) fn lower_reshaped(
    ctx: &mut LowerCtx,
    inputs: &[LValue],
    shape_of: impl FnOnce(&[usize]) -> OpResult<Vec<usize>>,
) -> OpResult<LValue> {
    let Some(LValue::Act { id, .. }) = inputs.first() else {
        return Err(OpError::Invalid("expected an activation as first input".into()));
    };
    let t = ctx.tensor(*id).clone();
    let shape = shape_of(&t.shape)?;
    non_empty(&shape)?;
    Ok(LValue::Act { id: ctx.gather(*id, super::broadcast::identity_index(t.len())?, shape), exclusive: true })
}
