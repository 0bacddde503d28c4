//! `MatMul`: numpy `matmul` semantics (batched, 1-D operands promoted).

use ndarray::{ArrayView2, Ix2};

use super::broadcast::{broadcast_index, broadcast_shape, expect_inputs};
use crate::error::{OpError, OpResult};
use crate::{LValue, LinearOp, LinearParams, LowerCtx, MulOp, Op, QOp, Tensor, TensorId};

/// Matrix product. By a 1-D or 2-D constant it is a dense layer applied to every row of the
/// activation (whatever its leading dims); by a constant with batch dims, one matrix per batch. Of two activations (attention's `Q Kᵀ` and `P V`)
/// it is every product `a[.., m, t] * b[.., t, n]` by the `Mul` primitive, then one linear op
/// summing over `t`: `M·K·N` products per batch.
#[derive(Debug, Clone, Default)]
pub struct MatMul;

/// Shapes after numpy's promotion: `([batch.., M, K], [batch.., K, N], output shape)`.
fn plan(a: &[usize], b: &[usize]) -> OpResult<(Vec<usize>, Vec<usize>, Vec<usize>)> {
    if a.is_empty() || b.is_empty() {
        return Err(OpError::Shape("MatMul operands must have at least one dim".into()));
    }
    let a2 = if a.len() == 1 { vec![1, a[0]] } else { a.to_vec() };
    let b2 = if b.len() == 1 { vec![b[0], 1] } else { b.to_vec() };
    let (ra, rb) = (a2.len(), b2.len());
    let (m, k, kb, n) = (a2[ra - 2], a2[ra - 1], b2[rb - 2], b2[rb - 1]);
    if k != kb {
        return Err(OpError::Shape(format!("inner dims differ: {a:?} x {b:?}")));
    }
    let batch = broadcast_shape(&a2[..ra - 2], &b2[..rb - 2])?;
    let mut out = batch.clone();
    if a.len() > 1 {
        out.push(m);
    }
    if b.len() > 1 {
        out.push(n);
    }
    let full = |x: usize, y: usize| [batch.as_slice(), &[x, y]].concat();
    Ok((full(m, k), full(k, n), out))
}

/// The operand's values broadcast to `shape` (row-major); a 1-D `A` is a row, a 1-D `B` a column.
fn matrices(t: &Tensor, shape: &[usize], is_a: bool) -> OpResult<Vec<f32>> {
    let promoted: Vec<usize> = match (t.ndim(), is_a) {
        (1, true) => vec![1, t.len()],
        (1, false) => vec![t.len(), 1],
        _ => t.shape().to_vec(),
    };
    let t = t.to_shape(promoted).map_err(|e| OpError::Shape(e.to_string()))?;
    let v =
        t.broadcast(shape).ok_or_else(|| OpError::Shape(format!("{:?} does not broadcast to {shape:?}", t.shape())))?;
    Ok(v.iter().copied().collect())
}

impl Op for MatMul {
    fn name(&self) -> &'static str {
        "MatMul"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 2, 2)?;
        Ok(plan(inputs[0], inputs[1])?.2)
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 2, 2)?;
        let (sa, sb, out_shape) = plan(inputs[0].shape(), inputs[1].shape())?;
        let r = sa.len();
        let (m, k, n) = (sa[r - 2], sa[r - 1], sb[r - 1]);
        let (a, b) = (matrices(inputs[0], &sa, true)?, matrices(inputs[1], &sb, false)?);
        let batches: usize = sa[..r - 2].iter().product();
        let mut out = Vec::with_capacity(batches * m * n);
        let err = |e: ndarray::ShapeError| OpError::Shape(e.to_string());
        for i in 0..batches {
            let am = ArrayView2::from_shape((m, k), &a[i * m * k..(i + 1) * m * k]).map_err(err)?;
            let bm = ArrayView2::from_shape((k, n), &b[i * k * n..(i + 1) * k * n]).map_err(err)?;
            out.extend(am.dot(&bm).iter().copied());
        }
        Tensor::from_shape_vec(out_shape, out).map_err(err)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let (id, b) = match inputs {
            [LValue::Act { id, .. }, LValue::Const(b)] => (*id, b),
            [LValue::Act { id: a, .. }, LValue::Act { id: b, .. }] => {
                return Ok(LValue::Act { id: matmul_acts(ctx, *a, *b)?, exclusive: true });
            }
            _ => return Err(OpError::Unsupported("MatMul needs an activation as its first operand".into())),
        };
        if b.ndim() > 2 {
            return Ok(LValue::Act { id: matmul_batched_const(ctx, id, b)?, exclusive: true });
        }
        let x = ctx.materialize(id)?;
        let t = ctx.tensor(x).clone();
        let (_, _, out_shape) = plan(&t.shape, b.shape())?;
        let b2 =
            b.to_shape((b.shape()[0], b.len() / b.shape()[0].max(1))).map_err(|e| OpError::Shape(e.to_string()))?;
        let b2: ArrayView2<f32> = b2.view().into_dimensionality::<Ix2>().map_err(|e| OpError::Shape(e.to_string()))?;
        let (k, n) = b2.dim();
        let w = b2.t().as_standard_layout().to_owned().into_dyn();
        let sw = ctx.const_scale(&w);
        let weight = ctx.quantize_const(&w, sw)?;
        let positions = t.len() / k.max(1);
        let index = (0..positions * k)
            .map(|i| u32::try_from(i).map(Some))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| OpError::Unsupported("activation is too large".into()))?;
        let op = dense(positions, n, k, index, weight);
        let out = ctx.push(QOp::Linear(op), vec![x], out_shape, t.scale + sw);
        Ok(LValue::Act { id: out, exclusive: true })
    }
}

/// The product of an activation and a constant with batch dims (rank 3 or more): one matrix per
/// batch. One linear op whose position `(batch i, row)` reads its row of `a` as the `i`-th block
/// of `batches · K` terms, the other blocks empty (reading zero), against channel weights that
/// hold every batch's matrix once: each weight is stored once, and a position costs
/// `batches · K` terms instead of `K`.
fn matmul_batched_const(ctx: &mut LowerCtx, a: TensorId, b: &Tensor) -> OpResult<TensorId> {
    let x = ctx.materialize(a)?;
    let t = ctx.tensor(x).clone();
    let (sa, sb, out_shape) = plan(&t.shape, b.shape())?;
    let r = sa.len();
    let (m, k, n) = (sa[r - 2], sa[r - 1], sb[r - 1]);
    let batches: usize = sa[..r - 2].iter().product();
    let promoted = if t.shape.len() == 1 { vec![1, t.shape[0]] } else { t.shape.clone() };
    let ia = broadcast_index(&promoted, &sa)?;
    let bv = matrices(b, &sb, false)?;
    // Channel c, term (j, s): B[j][s][c].
    let w: Vec<f32> =
        (0..n).flat_map(|c| (0..batches * k).map(move |js| (js, c))).map(|(js, c)| bv[js * n + c]).collect();
    let w = Tensor::from_shape_vec(vec![n, batches * k], w).map_err(|e| OpError::Shape(e.to_string()))?;
    let sw = ctx.const_scale(&w);
    let weight = ctx.quantize_const(&w, sw)?;
    let terms = batches * k;
    if batches * m * terms > u32::MAX as usize / 2 {
        return Err(OpError::Unsupported(format!("MatMul by a batched constant with {batches} batches is too large")));
    }
    let mut index = Vec::with_capacity(batches * m * terms);
    for i in 0..batches {
        for row in 0..m {
            for j in 0..batches {
                for s in 0..k {
                    index.push((j == i).then(|| ia[(i * m + row) * k + s]));
                }
            }
        }
    }
    let op = dense(batches * m, n, terms, index, weight);
    Ok(ctx.push(QOp::Linear(op), vec![x], out_shape, t.scale + sw))
}

/// A product by model weights: `positions` rows of `channels` outputs, row-major, no bias.
fn dense(positions: usize, channels: usize, terms: usize, index: Vec<Option<u32>>, weight: Vec<i64>) -> LinearOp {
    LinearOp {
        positions,
        channels,
        terms,
        index,
        weight,
        bias: vec![0; channels],
        pos_stride: channels,
        chan_stride: 1,
        params: LinearParams::All,
    }
}

/// The product of two activations (numpy semantics, batch dims broadcast).
fn matmul_acts(ctx: &mut LowerCtx, a: TensorId, b: TensorId) -> OpResult<TensorId> {
    let (a, b) = (ctx.materialize(a)?, ctx.materialize(b)?);
    let (ta, tb) = (ctx.tensor(a).clone(), ctx.tensor(b).clone());
    let (sa, sb, out_shape) = plan(&ta.shape, &tb.shape)?;
    let r = sa.len();
    let (m, k, n) = (sa[r - 2], sa[r - 1], sb[r - 1]);
    // A 1-D operand is promoted without moving its elements, so the flat index maps of the
    // promoted shapes broadcast to the full ones are those of the operands.
    let promote = |s: &[usize], is_a: bool| match (s.len(), is_a) {
        (1, true) => vec![1, s[0]],
        (1, false) => vec![s[0], 1],
        _ => s.to_vec(),
    };
    let ia = broadcast_index(&promote(&ta.shape, true), &sa)?;
    let ib = broadcast_index(&promote(&tb.shape, false), &sb)?;
    let batches: usize = sa[..r - 2].iter().product();
    let products = batches * m * n * k;
    if products > u32::MAX as usize / 2 {
        return Err(OpError::Unsupported(format!("MatMul of activations with {products} products is too large")));
    }
    let (mut a_index, mut b_index) = (Vec::with_capacity(products), Vec::with_capacity(products));
    for i in 0..batches {
        for row in 0..m {
            for col in 0..n {
                for t in 0..k {
                    a_index.push(ia[(i * m + row) * k + t]);
                    b_index.push(ib[(i * k + t) * n + col]);
                }
            }
        }
    }
    let scale = ta.scale + tb.scale;
    let prod = ctx.push(QOp::Mul(MulOp { a_index, b_index }), vec![a, b], vec![products], scale);
    let positions = batches * m * n;
    let index = (0..products as u32).map(Some).collect();
    let sum = LinearOp::single_channel(positions, k, index, vec![1; k]);
    Ok(ctx.push(QOp::Linear(sum), vec![prod], out_shape, scale))
}
