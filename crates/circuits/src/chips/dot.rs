//! Dot-product chip: a block of `n` input cells times an `m x n` weight block, accumulated
//! down the rows of one chain.
//!
//! Row `r` of a chain holds `X[0..n]` (copies of the inputs), weights `W[j][i]` and
//! accumulators `ACC[j]`:
//! * first row of a chain (`q_first`): `ACC_j = Σ_i X_i * W_ji`
//! * later rows (`q_next`): `ACC_j = ACC_j[prev] + Σ_i X_i * W_ji`
//!
//! The weights are fixed columns (parameters baked into the proving key) or advice columns
//! (private parameters; the layout copy-constrains every repeated weight to its first use).
//!
//! Layout: a `Linear` node is one chain per position and block of `m` output channels, of
//! `(terms + 1) / n` rows (the bias rides on the constant ONE).

use halo2_axiom::plonk::{Advice, Column, ConstraintSystem, Expression, Fixed, Selector};
use halo2_axiom::poly::Rotation;
use zkinfer_graph::{LinearOp, ParamVisibility, QGraph, QNode};

use serde::{Deserialize, Serialize};

use super::{sum, ChipColumns};
use crate::walk::{malformed, ChipRows, LayoutShape, Loc, NodeLayout, Sink, Walker};
use crate::{CircuitError, Fr};

/// Where the weights live.
#[derive(Debug, Clone)]
pub enum WeightColumns {
    /// `[j][i]` fixed columns: the weights are part of the circuit (verifying key).
    Fixed(Vec<Vec<Column<Fixed>>>),
    /// `[j][i]` equality-enabled advice columns: the weights are a private witness.
    Advice(Vec<Vec<Column<Advice>>>),
}

/// Columns and selectors of the dot chip.
#[derive(Debug, Clone)]
pub struct DotConfig {
    /// Input cells, one per term slot.
    pub x: Vec<Column<Advice>>,
    /// Running sums, one per output channel slot.
    pub acc: Vec<Column<Advice>>,
    /// Weight block.
    pub w: WeightColumns,
    /// Enables the first-row gate of a chain.
    pub q_first: Selector,
    /// Enables the accumulate gate on the later rows of a chain.
    pub q_next: Selector,
}

impl DotConfig {
    /// Allocates `n` input columns, `m` accumulators and the `m x n` weight block.
    pub fn configure(meta: &mut ConstraintSystem<Fr>, n: usize, m: usize, fixed_weights: bool) -> Self {
        let x: Vec<_> = (0..n).map(|_| meta.advice_column()).collect();
        let acc: Vec<_> = (0..m).map(|_| meta.advice_column()).collect();
        for c in x.iter().chain(&acc) {
            meta.enable_equality(*c);
        }
        let w = if fixed_weights {
            WeightColumns::Fixed((0..m).map(|_| (0..n).map(|_| meta.fixed_column()).collect()).collect())
        } else {
            let cols: Vec<Vec<_>> = (0..m).map(|_| (0..n).map(|_| meta.advice_column()).collect()).collect();
            for c in cols.iter().flatten() {
                meta.enable_equality(*c);
            }
            WeightColumns::Advice(cols)
        };
        let q_first = meta.selector();
        let q_next = meta.selector();
        let config = Self { x, acc, w, q_first, q_next };
        let cfg = config.clone();
        meta.create_gate("dot", |vc| {
            let qf = vc.query_selector(cfg.q_first);
            let qn = vc.query_selector(cfg.q_next);
            let xs: Vec<Expression<Fr>> = cfg.x.iter().map(|c| vc.query_advice(*c, Rotation::cur())).collect();
            let mut polys = Vec::with_capacity(2 * m);
            for (j, acc) in cfg.acc.iter().enumerate() {
                let ws: Vec<Expression<Fr>> = match &cfg.w {
                    WeightColumns::Fixed(w) => w[j].iter().map(|c| vc.query_fixed(*c, Rotation::cur())).collect(),
                    WeightColumns::Advice(w) => w[j].iter().map(|c| vc.query_advice(*c, Rotation::cur())).collect(),
                };
                let dot = sum(xs.iter().zip(ws).map(|(x, w)| x.clone() * w));
                let cur = vc.query_advice(*acc, Rotation::cur());
                let prev = vc.query_advice(*acc, Rotation::prev());
                polys.push(qf.clone() * (cur.clone() - dot.clone()));
                polys.push(qn.clone() * (cur - prev - dot));
            }
            polys
        });
        config
    }
}

/// Source of one term slot of a row.
#[derive(Clone, Copy)]
enum Slot {
    /// An input `x[i]` with weight `weight[o * terms + t]`.
    Input,
    /// Zero padding (`None` index) with weight `weight[o * terms + t]`.
    Pad,
    /// The constant ONE with weight `bias[o]`.
    Bias,
    /// Unused slot past the bias: ZERO with weight 0.
    Unused,
}

impl<S: Sink> Walker<'_, S> {
    /// Lays out `op` as chains of dot rows; returns the output cells.
    pub(crate) fn linear(&mut self, node: &QNode, op: &LinearOp) -> Result<Vec<Loc>, CircuitError> {
        let mut x_cells: Vec<Loc> = Vec::new();
        let mut x_vals: Vec<i64> = Vec::new();
        for &t in &node.inputs {
            x_cells.extend_from_slice(self.tensor_cells(&node.name, t)?);
            x_vals.extend_from_slice(&self.values[t]);
        }
        let out_len = self.q.tensors[node.output].len();
        self.linear_cells(&node.name, op, &x_cells, &x_vals, out_len)
    }

    /// Lays out `op` over the input cells `x_cells` (values `x_vals`); returns `out_len` output
    /// cells. With private parameters, the weights that `op.params` does not call model
    /// parameters are bound to constants instead of left to the prover.
    pub(crate) fn linear_cells(
        &mut self,
        name: &str,
        op: &LinearOp,
        x_cells: &[Loc],
        x_vals: &[i64],
        out_len: usize,
    ) -> Result<Vec<Loc>, CircuitError> {
        let (n, m) = (self.plan.dot_inputs.max(1), self.plan.dot_outputs.max(1));
        let terms = op.terms;
        if op.index.len() != op.positions * terms
            || op.weight.len() != op.channels * terms
            || op.bias.len() != op.channels
        {
            return Err(malformed(name, "index/weight/bias lengths do not match positions, channels, terms"));
        }
        let mut out: Vec<Option<Loc>> = vec![None; out_len];
        // Private weights: first cell holding weight (o, t) (t == terms is the bias).
        let mut first: Vec<Option<Loc>> =
            if self.plan.params_fixed { Vec::new() } else { vec![None; op.channels * (terms + 1)] };
        let chunks = (terms + 1).div_ceil(n);
        let groups = op.channels.div_ceil(m);
        let mut slots: Vec<(Slot, Loc, i64)> = Vec::with_capacity(n);
        let mut acc = vec![0i128; m];
        for p in 0..op.positions {
            let idx = &op.index[p * terms..(p + 1) * terms];
            for g in 0..groups {
                acc.iter_mut().for_each(|a| *a = 0);
                for r in 0..chunks {
                    let row = self.taken.dot;
                    self.check_row(row)?;
                    self.taken.dot += 1;
                    self.sink.enable(if r == 0 { DotSelector::First.into() } else { DotSelector::Next.into() }, row);
                    slots.clear();
                    for i in 0..n {
                        let t = r * n + i;
                        let (slot, src, v) = match (t.cmp(&terms), idx.get(t)) {
                            (std::cmp::Ordering::Less, Some(Some(s))) => {
                                let s = *s as usize;
                                let (Some(c), Some(v)) = (x_cells.get(s), x_vals.get(s)) else {
                                    return Err(malformed(name, "linear index out of range"));
                                };
                                (Slot::Input, *c, *v)
                            }
                            (std::cmp::Ordering::Less, _) => (Slot::Pad, self.zero, 0),
                            (std::cmp::Ordering::Equal, _) => (Slot::Bias, self.one, 1),
                            (std::cmp::Ordering::Greater, _) => (Slot::Unused, self.zero, 0),
                        };
                        let cell = self.sink.advice(DotAdvice::X(i).into(), row, self.val(v as i128));
                        self.sink.copy(cell, src);
                        slots.push((slot, cell, v));
                    }
                    for (j, a) in acc.iter_mut().enumerate() {
                        let o = g * m + j;
                        for (i, &(slot, _, v)) in slots.iter().enumerate() {
                            let t = r * n + i;
                            let wt = match slot {
                                _ if o >= op.channels => 0,
                                Slot::Input | Slot::Pad => op.weight[o * terms + t],
                                Slot::Bias => op.bias[o],
                                Slot::Unused => 0,
                            };
                            *a += wt as i128 * v as i128;
                            let key = (o < op.channels && t <= terms).then(|| o * (terms + 1) + t);
                            let structural = !op.params.is_param(matches!(slot, Slot::Bias));
                            self.weight(j, i, row, wt, key, &mut first, structural);
                        }
                    }
                    let last = r + 1 == chunks;
                    for (j, a) in acc.iter().enumerate() {
                        let cell = self.sink.advice(DotAdvice::Acc(j).into(), row, self.val(*a));
                        let o = g * m + j;
                        if last && o < op.channels {
                            let pos = p * op.pos_stride + o * op.chan_stride;
                            match out.get_mut(pos) {
                                Some(slot) if slot.is_none() => *slot = Some(cell),
                                _ => return Err(malformed(name, "output position out of range or written twice")),
                            }
                        }
                    }
                }
            }
        }
        if self.q.params == ParamVisibility::Hashed {
            // The first cell of each parameter weight (channel-major) and bias, for
            // `QGraph::param_message`. Every other use is a copy of it.
            let keys = (0..op.channels).flat_map(|o| (0..terms).map(move |t| (o, t, false)));
            let keys = keys.chain((0..op.channels).map(|o| (o, terms, true)));
            for (o, t, bias) in keys.filter(|&(_, _, bias)| op.params.is_param(bias)) {
                let cell = first.get(o * (terms + 1) + t).copied().flatten();
                let cell = cell.ok_or_else(|| malformed(name, "a parameter no row holds"))?;
                if bias {
                    self.param_biases.push(cell);
                } else {
                    self.param_weights.push(cell);
                }
            }
        }
        out.into_iter().collect::<Option<Vec<_>>>().ok_or_else(|| malformed(name, "some outputs are never written"))
    }

    /// Writes weight `W[j][i]` of `row`: a fixed cell, or a private advice cell copy-constrained
    /// to the first cell holding the same weight `key` (to ZERO for unused slots), or bound to
    /// the constant `wt` when `structural`.
    #[allow(clippy::too_many_arguments)]
    fn weight(
        &mut self,
        j: usize,
        i: usize,
        row: usize,
        wt: i64,
        key: Option<usize>,
        first: &mut [Option<Loc>],
        structural: bool,
    ) {
        if self.plan.params_fixed {
            if wt != 0 {
                self.sink.fixed(DotFixed::W { out: j, term: i }.into(), row, crate::walk::fe(wt as i128));
            }
            return;
        }
        let cell = self.sink.advice(DotAdvice::W { out: j, term: i }.into(), row, self.val(wt as i128));
        if structural {
            // One constant-bound cell per distinct value; later uses are copies of it.
            match self.consts.get(&wt) {
                Some(c) => self.sink.copy(cell, *c),
                None => {
                    self.sink.constant(cell, crate::walk::fe(wt as i128));
                    self.consts.insert(wt, cell);
                }
            }
            return;
        }
        match key.and_then(|k| first.get_mut(k)) {
            Some(Some(f)) => self.sink.copy(cell, *f),
            Some(f) => *f = Some(cell),
            None => self.sink.copy(cell, self.zero),
        }
    }
}

/// Dot rows of a linear map with `positions` positions, `channels` output channels and `terms`
/// terms (plus the bias): one chain of `(terms + 1) / n` rows per position and block of `m`
/// channels.
pub(crate) fn dot_rows(positions: usize, channels: usize, terms: usize, shape: LayoutShape) -> usize {
    positions * channels.div_ceil(shape.dot_outputs) * (terms + 1).div_ceil(shape.dot_inputs)
}

impl NodeLayout for LinearOp {
    fn rows(&self, _q: &QGraph, _node: &QNode, shape: LayoutShape) -> ChipRows {
        ChipRows { dot: dot_rows(self.positions, self.channels, self.terms, shape), ..ChipRows::default() }
    }

    fn assign<S: Sink>(&self, w: &mut Walker<'_, S>, node: &QNode) -> Result<Vec<Loc>, CircuitError> {
        w.linear(node, self)
    }
}

/// The dot chip's advice columns, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DotAdvice {
    /// Input slot `i`.
    X(usize),
    /// Accumulator of output slot `j`.
    Acc(usize),
    /// Private weight `W[out][term]` (private parameters only).
    W {
        /// Output slot `j`.
        out: usize,
        /// Input slot (term) `i`.
        term: usize,
    },
}

/// The dot chip's fixed columns, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DotFixed {
    /// Fixed weight `W[out][term]` (fixed parameters only).
    W { out: usize, term: usize },
}

/// The dot chip's selectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DotSelector {
    /// The first row of a chain.
    First,
    /// The later rows of a chain.
    Next,
}

impl ChipColumns for DotConfig {
    type Advice = DotAdvice;
    type Fixed = DotFixed;
    type Selector = DotSelector;

    fn advice(&self, c: DotAdvice) -> Option<Column<Advice>> {
        match c {
            DotAdvice::X(i) => self.x.get(i).copied(),
            DotAdvice::Acc(j) => self.acc.get(j).copied(),
            DotAdvice::W { out, term } => match &self.w {
                WeightColumns::Advice(w) => w.get(out).and_then(|r| r.get(term)).copied(),
                WeightColumns::Fixed(_) => None,
            },
        }
    }

    fn fixed(&self, c: DotFixed) -> Option<Column<Fixed>> {
        match c {
            DotFixed::W { out, term } => match &self.w {
                WeightColumns::Fixed(w) => w.get(out).and_then(|r| r.get(term)).copied(),
                WeightColumns::Advice(_) => None,
            },
        }
    }

    fn selector(&self, s: DotSelector) -> Selector {
        match s {
            DotSelector::First => self.q_first,
            DotSelector::Next => self.q_next,
        }
    }
}
