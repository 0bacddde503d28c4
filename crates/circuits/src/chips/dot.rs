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

use halo2_axiom::plonk::{Advice, Column, ConstraintSystem, Expression, Fixed, Selector};
use halo2_axiom::poly::Rotation;

use super::sum;
use crate::Fr;

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
