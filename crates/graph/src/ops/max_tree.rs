//! Comparisons built from the existing integer primitives (no comparison chip): the shared
//! lowering of Max, Min, ReduceMax, ReduceMin, MaxPool (a tree of pairwise maxima) and of
//! ArgMax/ArgMin (a running maximum and its index).
//!
//! On integers `max(a, b) = b + relu(a - b)` and `min(a, b) = a - relu(a - b)` exactly: `a - b`
//! is a [`LinearOp`], the ReLU a shift-0 [`RequantOp`] (which also range-checks `a - b` against
//! its calibrated bound), and the sum `b + relu(a - b)` is never materialized on its own: it
//! folds into the next comparison's linear op, so each level of the tree costs one linear op and
//! one ReLU over all its pairs. For an index, `[d > 0] = relu(d) - relu(d - 1)` on integers, and
//! the index update `i + [d > 0] * (k - i)` takes one product.

use super::layout::{const_tensor, non_empty};
use crate::error::{OpError, OpResult};
use crate::{LinearOp, LinearParams, LowerCtx, MulOp, QOp, RequantOp, TensorId};

/// Which extremum a comparison op takes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Extremum {
    /// The largest value.
    #[default]
    Max,
    /// The smallest value.
    Min,
}

impl Extremum {
    /// The extremum of two reals (f32 reference).
    pub(crate) fn pick(self, a: f32, b: f32) -> f32 {
        match self {
            Self::Max => a.max(b),
            Self::Min => a.min(b),
        }
    }

    /// True when `a` is strictly better than `b` (greater for Max, smaller for Min).
    pub(crate) fn better(self, a: f32, b: f32) -> bool {
        match self {
            Self::Max => a > b,
            Self::Min => a < b,
        }
    }

    /// `+1` for Max, `-1` for Min.
    fn sign(self) -> i64 {
        match self {
            Self::Max => 1,
            Self::Min => -1,
        }
    }
}

/// f32 reference: the extremum of each group of `data` (flat indices; groups must be non-empty).
pub(crate) fn extremum_f32(data: &[f32], groups: &[Vec<usize>], kind: Extremum) -> OpResult<Vec<f32>> {
    groups
        .iter()
        .map(|g| {
            let mut it = g.iter().map(|&i| data.get(i).copied());
            let first = it.next().flatten().ok_or_else(|| OpError::Invalid("empty or out-of-range group".into()))?;
            it.try_fold(first, |m, v| v.map(|v| kind.pick(m, v)))
                .ok_or_else(|| OpError::Invalid("group index out of range".into()))
        })
        .collect()
}

/// Flat indices as the `u32` of the integer primitives.
pub(crate) fn groups_u32(groups: &[Vec<usize>]) -> OpResult<Vec<Vec<u32>>> {
    groups
        .iter()
        .map(|g| {
            g.iter()
                .map(|&i| u32::try_from(i).map_err(|_| OpError::Unsupported("tensor too large to index".into())))
                .collect()
        })
        .collect()
}

/// A candidate of the max tree: `base + sign * Σ relus`, each a flat index into the
/// concatenation of the tensors lowered so far.
#[derive(Debug, Clone)]
struct Cand {
    base: u32,
    relus: Vec<u32>,
}

impl Cand {
    /// Its `width` term slots: the base, then the ReLUs, then zeros.
    fn slots(&self, width: usize) -> impl Iterator<Item = Option<u32>> + '_ {
        std::iter::once(Some(self.base))
            .chain(self.relus.iter().map(|&r| Some(r)))
            .chain(std::iter::repeat(None))
            .take(width)
    }
}

/// Term weights of a candidate of `width` slots: `[w, w * sign, w * sign, ...]`.
fn cand_weights(width: usize, w: i64, sign: i64) -> impl Iterator<Item = i64> {
    (0..width).map(move |t| if t == 0 { w } else { w * sign })
}

/// The extremum of each group of elements of the concatenation of `inputs` (all at one scale),
/// as a tensor of `shape` (one element per group) at that scale.
///
/// Pairs are compared level by level (a balanced tree, `ceil(log2(len))` levels): level `L`
/// is one linear op `d = a - b` over every pair of every group and one ReLU; a candidate stays
/// a sum of its base element and the ReLUs on its path until one final linear op.
pub(crate) fn max_reduce(
    ctx: &mut LowerCtx,
    inputs: &[TensorId],
    groups: &[Vec<u32>],
    shape: Vec<usize>,
    kind: Extremum,
) -> OpResult<TensorId> {
    non_empty(&shape)?;
    let Some(&first) = inputs.first() else { return Err(OpError::Invalid("no input to compare".into())) };
    let scale = ctx.tensor(first).scale;
    if inputs.iter().any(|&i| ctx.tensor(i).scale != scale) {
        return Err(OpError::Invalid("compared tensors must share one scale".into()));
    }
    if groups.len() != shape.iter().product::<usize>() || groups.iter().any(Vec::is_empty) {
        return Err(OpError::Invalid(format!("{} non-empty groups expected for shape {shape:?}", groups.len())));
    }
    let mut total: usize = inputs.iter().map(|&i| ctx.tensor(i).len()).sum();
    if groups.iter().flatten().any(|&i| i as usize >= total) {
        return Err(OpError::Invalid("compared element out of range".into()));
    }
    let sign = kind.sign();
    let mut sources = inputs.to_vec();
    let mut cands: Vec<Vec<Cand>> =
        groups.iter().map(|g| g.iter().map(|&base| Cand { base, relus: Vec::new() }).collect()).collect();
    while cands.iter().any(|c| c.len() > 1) {
        let pairs: Vec<(&Cand, &Cand)> = cands.iter().flat_map(|c| c.chunks_exact(2).map(|p| (&p[0], &p[1]))).collect();
        let width = pairs.iter().map(|(a, b)| 1 + a.relus.len().max(b.relus.len())).max().unwrap_or(1);
        let index: Vec<Option<u32>> = pairs.iter().flat_map(|(a, b)| a.slots(width).chain(b.slots(width))).collect();
        let weight: Vec<i64> = cand_weights(width, 1, sign).chain(cand_weights(width, -1, sign)).collect();
        let n = pairs.len();
        let op = LinearOp::single_channel(n, 2 * width, index, weight);
        let d = ctx.push(QOp::Linear(op), sources.clone(), vec![n], scale);
        let r = ctx.push(QOp::Requant(RequantOp { shift: 0, relu: true, bits: 0 }), vec![d], vec![n], scale);
        sources.push(r);
        let mut next = u32::try_from(total).map_err(|_| OpError::Unsupported("tensor too large to index".into()))?;
        total += n;
        // max(a, b) = b + relu(a - b); min(a, b) = a - relu(a - b).
        cands = cands
            .iter()
            .map(|c| {
                c.chunks(2)
                    .map(|p| match p {
                        [a, b] => {
                            let mut w = if kind == Extremum::Max { b.clone() } else { a.clone() };
                            w.relus.push(next);
                            next += 1;
                            w
                        }
                        _ => p[0].clone(),
                    })
                    .collect()
            })
            .collect();
    }
    let width = cands.iter().flatten().map(|c| 1 + c.relus.len()).max().unwrap_or(1);
    if width == 1 && sources.len() == 1 {
        return Ok(ctx.gather(first, cands.iter().flatten().map(|c| c.base).collect(), shape));
    }
    let index: Vec<Option<u32>> = cands.iter().flatten().flat_map(|c| c.slots(width)).collect();
    let op = LinearOp::single_channel(groups.len(), width, index, cand_weights(width, 1, sign).collect());
    Ok(ctx.push(QOp::Linear(op), sources, shape, scale))
}

/// One term of a per-position linear combination: `x_id[index[p]]` at position `p`.
struct Term {
    id: TensorId,
    index: Vec<u32>,
}

/// `out[o * P + p] = bias[o] + Σ_t weight[o * T + t] * term_t[p]` for `P` positions and
/// `bias.len()` channels, as one linear op at `scale` (output shape `[channels * P]`).
fn combine(ctx: &mut LowerCtx, terms: &[Term], weight: Vec<i64>, bias: Vec<i64>, scale: u32) -> OpResult<TensorId> {
    let positions = terms.first().map_or(0, |t| t.index.len());
    let mut inputs: Vec<TensorId> = Vec::new();
    let mut offsets = Vec::with_capacity(terms.len());
    let mut total = 0usize;
    for t in terms {
        match inputs.iter().position(|&i| i == t.id) {
            Some(k) => offsets.push(inputs[..k].iter().map(|&i| ctx.tensor(i).len()).sum::<usize>()),
            None => {
                offsets.push(total);
                total += ctx.tensor(t.id).len();
                inputs.push(t.id);
            }
        }
    }
    let mut index = Vec::with_capacity(positions * terms.len());
    for p in 0..positions {
        for (t, &off) in terms.iter().zip(&offsets) {
            let i = u32::try_from(off + t.index[p] as usize)
                .map_err(|_| OpError::Unsupported("tensor too large to index".into()))?;
            index.push(Some(i));
        }
    }
    let channels = bias.len();
    let op = LinearOp {
        positions,
        channels,
        terms: terms.len(),
        index,
        weight,
        bias,
        pos_stride: 1,
        chan_stride: positions,
        params: LinearParams::Structural,
    };
    Ok(ctx.push(QOp::Linear(op), inputs, vec![channels * positions], scale))
}

/// Which occurrence of a repeated extremum ArgMax/ArgMin reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Occurrence {
    First,
    Last,
}

/// The position (0-based, within its group) of the extremum of each group of `x`'s elements, as
/// an exact integer tensor of `shape` at scale 0. Every group must have the same length.
///
/// Scans each group in order, carrying the running extremum `m` (negated for Min) and its index
/// `i`. Step `k` is: a linear op `(d + c, d + c - 1, m)` with `d = ±x_k - m`, `c` = 0 for the
/// first occurrence (`[d > 0]`) or 1 for the last (`[d >= 0]`); one ReLU over the first two
/// channels; a linear op `(b, k - i, i)` with `b = relu(d + c) - relu(d + c - 1)`; and the product
/// `b * (k - i)`. Then `m' = m + relu(d)` and `i' = i + b * (k - i)` fold into step `k + 1`.
pub(crate) fn arg_reduce(
    ctx: &mut LowerCtx,
    x: TensorId,
    groups: &[Vec<u32>],
    shape: Vec<usize>,
    kind: Extremum,
    occurrence: Occurrence,
) -> OpResult<TensorId> {
    non_empty(&shape)?;
    let p = groups.len();
    let n = groups.first().map_or(0, Vec::len);
    if p != shape.iter().product::<usize>() || n == 0 || groups.iter().any(|g| g.len() != n) {
        return Err(OpError::Invalid(format!("{p} groups of one non-zero length expected for shape {shape:?}")));
    }
    if groups.iter().flatten().any(|&i| i as usize >= ctx.tensor(x).len()) {
        return Err(OpError::Invalid("compared element out of range".into()));
    }
    let index_of = |k: usize| groups.iter().map(|g| g[k]).collect::<Vec<u32>>();
    let range = |a: usize, b: usize| (a as u32..b as u32).collect::<Vec<u32>>();
    let out = if n == 1 {
        let zeros = const_tensor(ctx, x, vec![0; p], LinearParams::Structural, 0)?;
        ctx.gather(zeros, range(0, p), shape)
    } else {
        let (s, sign) = (ctx.tensor(x).scale, kind.sign());
        let c = i64::from(occurrence == Occurrence::Last);
        // m_{k-1} (a sum of terms of weight m_w[t]) and i_{k-1} (a sum of terms of weight 1).
        let mut m_terms = vec![Term { id: x, index: index_of(0) }];
        let mut m_w = vec![sign];
        let mut i_terms: Vec<Term> = Vec::new();
        for k in 1..n {
            let more = k + 1 < n;
            // D_k = (d + c, d + c - 1[, m_{k-1}]) over terms [±x_k, m terms...].
            let mut terms = vec![Term { id: x, index: index_of(k) }];
            terms.append(&mut m_terms);
            let neg_m = m_w.iter().map(|w| -w);
            let mut weight: Vec<i64> = [sign].into_iter().chain(neg_m.clone()).chain([sign]).chain(neg_m).collect();
            let mut bias = vec![c, c - 1];
            if more {
                weight.extend([0].into_iter().chain(m_w.iter().copied()));
                bias.push(0);
            }
            let d = combine(ctx, &terms, weight, bias, s)?;
            let g = ctx.gather(d, range(0, 2 * p), vec![2 * p]);
            let r = ctx.push(QOp::Requant(RequantOp { shift: 0, relu: true, bits: 0 }), vec![g], vec![2 * p], s);
            // BKI_k = (b, k - i_{k-1}[, i_{k-1}]) over terms [relu(d + c), relu(d + c - 1), i terms...].
            let mut terms = vec![Term { id: r, index: range(0, p) }, Term { id: r, index: range(p, 2 * p) }];
            let ni = i_terms.len();
            terms.append(&mut i_terms);
            let zeros = || std::iter::repeat_n(0i64, ni);
            let mut weight: Vec<i64> = [1, -1].into_iter().chain(zeros()).collect();
            weight.extend([0, 0].into_iter().chain(std::iter::repeat_n(-1, ni)));
            let mut bias = vec![0, k as i64];
            if ni > 0 {
                weight.extend([0, 0].into_iter().chain(std::iter::repeat_n(1, ni)));
                bias.push(0);
            }
            let bki = combine(ctx, &terms, weight, bias, 0)?;
            let prod = ctx.push(
                QOp::Mul(MulOp { a_index: range(0, p), b_index: range(p, 2 * p) }),
                vec![bki, bki],
                vec![p],
                0,
            );
            if ni > 0 {
                i_terms.push(Term { id: bki, index: range(2 * p, 3 * p) });
            }
            i_terms.push(Term { id: prod, index: range(0, p) });
            if more {
                // m_k = m_{k-1} + relu(d): relu(d) is channel 0 of r when c = 0, channel 1 when c = 1.
                let relu_d = if c == 0 { range(0, p) } else { range(p, 2 * p) };
                m_terms = vec![Term { id: d, index: range(2 * p, 3 * p) }, Term { id: r, index: relu_d }];
                m_w = vec![1, 1];
            }
        }
        match i_terms.as_slice() {
            [only] => ctx.gather(only.id, only.index.clone(), shape),
            _ => {
                let w = vec![1; i_terms.len()];
                let sum = combine(ctx, &i_terms, w, vec![0], 0)?;
                ctx.gather(sum, range(0, p), shape)
            }
        }
    };
    ctx.exact(out);
    Ok(out)
}
