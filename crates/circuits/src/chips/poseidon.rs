//! Poseidon chip: circom's Poseidon permutation of width [`CHAIN_WIDTH`] (6), chained into
//! [`poseidon::hash_values`] of a tensor's cells (hashed inputs and outputs).
//!
//! Columns: `t` state columns `S(i)`, a square column `X`, `t` round-constant columns `C(i)`
//! (fixed) and two selectors; with paired partial rounds (the plan's `poseidon_pairs`) also the
//! columns `Y`, `X'` and `t` more constant columns `D(i)`. One permutation takes
//! [`rows_per_permutation`] rows from its first row `r0`:
//!
//! * a full round at state row `R` takes three rows: `S(R)` the state, `S(R+1)` the squares
//!   `q_i = (s_i + c_i)^2`, `S(R+2)` the S-box outputs `y_i = q_i^2·(s_i + c_i)`; the next state
//!   `S(R+3) = M·y`. Gate `full` (selector at `R`): all three, degree 4 with the selector;
//! * a partial round at `R` takes one row: `X(R) = (s_0 + c_0)^2` and
//!   `S(R+1)_i = M_i0·X(R)^2·(s_0 + c_0) + Σ_{j≥1} M_ij·(s_j + c_j)`. Gate `partial`, degree 4;
//! * or, paired, two partial rounds at `R` take one row. With `x_i = s_i + c_i` (round `r`'s constants `C`):
//!   `X = x_0^2`, `Y = X^2·x_0` (the S-box output), the state between the two rounds
//!   `m_i = M_i0·Y + Σ_{j≥1} M_ij·x_j` (an expression, no cells), `x'_i = m_i + d_i` (round
//!   `r + 1`'s constants `D`), `X' = x'_0^2`, and
//!   `S(R+1)_i = M_i0·X'^2·x'_0 + Σ_{j≥1} M_ij·x'_j`. Gate `partial pair`, degree 4;
//! * 4 full rounds, `R_P` partial rounds (or `R_P / 2` pairs), 4 full rounds, then the output
//!   state row: for `t = 6`, 12 + 60 + 12 + 1 = 85 rows, or 55 paired. Pairs take 35% fewer
//!   rows for 2 more advice and 6 more fixed columns and a larger gate: the planner weighs them.
//!
//! The first state row is copy-constrained: `s_0` to the ZERO cell, `s_1` to the chaining value
//! (the constant `n` for the first permutation, the previous permutation's `s_0` output after),
//! `s_2..` to the hashed cells, zero-padded with copies of ZERO. Every other state, square and
//! S-box cell is the one value its gate allows given the row before it, so the output is the
//! permutation of the copied input (SOUNDNESS.md argues it).

use halo2_axiom::plonk::{Advice, Column, ConstraintSystem, Expression, Fixed, Selector};
use halo2_axiom::poly::Rotation;
use serde::{Deserialize, Serialize};

use super::{sum, ChipColumns};
use crate::poseidon::{self, pow5, Params, CHAIN_WIDTH, FULL_ROUNDS};
use crate::walk::{Loc, Sink, Walker};
use crate::{CircuitError, Fr};

/// Partial rounds of width [`CHAIN_WIDTH`] (even: they are laid out two to a row).
const PARTIAL: usize = poseidon::PARTIAL_ROUNDS[CHAIN_WIDTH - poseidon::MIN_WIDTH];
const _: () = assert!(PARTIAL.is_multiple_of(2), "partial rounds are laid out in pairs");

/// Rows one permutation of width [`CHAIN_WIDTH`] takes, with partial rounds paired or not (see
/// the module docs).
pub const fn rows_per_permutation(pairs: bool) -> usize {
    3 * FULL_ROUNDS + if pairs { PARTIAL / 2 } else { PARTIAL } + 1
}

/// Rows the chain hash of `n` values takes.
pub fn chain_rows(n: usize, pairs: bool) -> usize {
    poseidon::chain_permutations(n) * rows_per_permutation(pairs)
}

/// Columns of the Poseidon chip.
#[derive(Debug, Clone)]
pub struct PoseidonConfig {
    /// State columns (also the squares and S-box outputs of full rounds).
    pub state: Vec<Column<Advice>>,
    /// The square of a partial round's S-box input.
    pub square: Column<Advice>,
    /// The first partial round's S-box output (paired partial rounds).
    pub sbox: Option<Column<Advice>>,
    /// The square of the second partial round's S-box input (paired partial rounds).
    pub square2: Option<Column<Advice>>,
    /// Round constants of the round on the row.
    pub constants: Vec<Column<Fixed>>,
    /// Round constants of the second partial round on the row (paired partial rounds; else empty).
    pub constants2: Vec<Column<Fixed>>,
    /// A full round starts on the row.
    pub q_full: Selector,
    /// A partial round is on the row.
    pub q_partial: Selector,
}

impl PoseidonConfig {
    /// Allocates the columns and the two round gates for width [`CHAIN_WIDTH`], with partial
    /// rounds one or two (`pairs`) to a row.
    pub fn configure(meta: &mut ConstraintSystem<Fr>, pairs: bool) -> Self {
        let t = CHAIN_WIDTH;
        let params = chain_params();
        let state: Vec<_> = (0..t)
            .map(|_| {
                let c = meta.advice_column();
                meta.enable_equality(c);
                c
            })
            .collect();
        let square = meta.advice_column();
        let (sbox, square2) =
            if pairs { (Some(meta.advice_column()), Some(meta.advice_column())) } else { (None, None) };
        let constants: Vec<_> = (0..t).map(|_| meta.fixed_column()).collect();
        let constants2: Vec<_> = (0..if pairs { t } else { 0 }).map(|_| meta.fixed_column()).collect();
        let cfg = Self {
            state,
            square,
            sbox,
            square2,
            constants,
            constants2,
            q_full: meta.selector(),
            q_partial: meta.selector(),
        };
        let mds = |i: usize, j: usize| Expression::Constant(params.mds[i][j]);

        let g = cfg.clone();
        meta.create_gate("poseidon full round", |vc| {
            let q = vc.query_selector(g.q_full);
            let mut at =
                |r: i32| -> Vec<Expression<Fr>> { g.state.iter().map(|&c| vc.query_advice(c, Rotation(r))).collect() };
            let (s, squares, sbox, next) = (at(0), at(1), at(2), at(3));
            let x: Vec<_> =
                s.iter().zip(&g.constants).map(|(s, &c)| s.clone() + vc.query_fixed(c, Rotation::cur())).collect();
            let mut out = Vec::with_capacity(3 * t);
            for i in 0..t {
                out.push(q.clone() * (squares[i].clone() - x[i].clone() * x[i].clone()));
                out.push(q.clone() * (sbox[i].clone() - squares[i].clone() * squares[i].clone() * x[i].clone()));
            }
            for (i, next) in next.into_iter().enumerate() {
                out.push(q.clone() * (next - sum((0..t).map(|j| mds(i, j) * sbox[j].clone()))));
            }
            out
        });

        cfg.partial_gate(meta);
        cfg
    }
}

impl PoseidonConfig {
    /// The partial-round gate: one round per row, or two when the plan pairs them (the first
    /// S-box output `Y` and the second square `X'` are then cells of the row).
    fn partial_gate(&self, meta: &mut ConstraintSystem<Fr>) {
        let (t, params) = (CHAIN_WIDTH, chain_params());
        let mds = |i: usize, j: usize| Expression::Constant(params.mds[i][j]);
        let g = self.clone();
        let pair = self.sbox.zip(self.square2);
        let name = if pair.is_some() { "poseidon partial round pair" } else { "poseidon partial round" };
        meta.create_gate(name, |vc| {
            let q = vc.query_selector(g.q_partial);
            let s: Vec<_> = g.state.iter().map(|&c| vc.query_advice(c, Rotation::cur())).collect();
            let next: Vec<_> = g.state.iter().map(|&c| vc.query_advice(c, Rotation::next())).collect();
            let x: Vec<_> =
                s.iter().zip(&g.constants).map(|(s, &c)| s.clone() + vc.query_fixed(c, Rotation::cur())).collect();
            let sq = vc.query_advice(g.square, Rotation::cur());
            let mut out = vec![q.clone() * (sq.clone() - x[0].clone() * x[0].clone())];
            // The last round on the row: its S-box output and the inputs its MDS row reads.
            let (y, x) = match pair {
                None => (sq.clone() * sq * x[0].clone(), x),
                Some((sbox, square2)) => {
                    let y = vc.query_advice(sbox, Rotation::cur());
                    out.push(q.clone() * (y.clone() - sq.clone() * sq * x[0].clone()));
                    // The state between the two rounds, `M·(Y, x_1, …)`, plus round `r + 1`'s constants.
                    let x2: Vec<_> = (0..t)
                        .zip(&g.constants2)
                        .map(|(i, &d)| {
                            mds(i, 0) * y.clone()
                                + sum((1..t).map(|j| mds(i, j) * x[j].clone()))
                                + vc.query_fixed(d, Rotation::cur())
                        })
                        .collect();
                    let sq2 = vc.query_advice(square2, Rotation::cur());
                    out.push(q.clone() * (sq2.clone() - x2[0].clone() * x2[0].clone()));
                    (sq2.clone() * sq2 * x2[0].clone(), x2)
                }
            };
            for (i, next) in next.into_iter().enumerate() {
                let linear = sum((1..t).map(|j| mds(i, j) * x[j].clone()));
                out.push(q.clone() * (next - (mds(i, 0) * y.clone() + linear)));
            }
            out
        });
    }
}

/// The chain's parameters (generated once per process).
fn chain_params() -> &'static Params {
    Params::for_width(CHAIN_WIDTH).unwrap_or_else(|_| unreachable!("width {CHAIN_WIDTH} has Poseidon parameters"))
}

impl<S: Sink> Walker<'_, S> {
    /// Lays out [`poseidon::hash_values`] of `inputs`, each copied from its cell, or (`None`: a
    /// secret salt) a witness of the state row alone; returns the hash cell.
    pub(crate) fn poseidon_hash(&mut self, cells: &[Option<Loc>], inputs: &[Fr]) -> Result<Loc, CircuitError> {
        let params = chain_params();
        if inputs.len() != cells.len() {
            return Err(crate::walk::malformed("poseidon", "cells and values differ in number"));
        }
        let mut chaining: Option<Loc> = None;
        let mut h = Fr::from(cells.len() as u64);
        for p in 0..poseidon::chain_permutations(cells.len()) {
            let group = p * poseidon::CHAIN_RATE..cells.len().min((p + 1) * poseidon::CHAIN_RATE);
            let chunk = &cells[group.clone()];
            let mut state = vec![Fr::zero(); CHAIN_WIDTH];
            state[1] = h;
            state[2..2 + chunk.len()].copy_from_slice(&inputs[group]);
            let r0 = self.taken.poseidon;
            self.check_row(r0 + rows_per_permutation(self.plan.poseidon_pairs) - 1)?;
            let first = self.poseidon_state(r0, &state);
            self.sink.copy(first[0], self.zero);
            match chaining {
                Some(prev) => self.sink.copy(first[1], prev),
                None => self.sink.constant(first[1], h),
            }
            for (i, cell) in first[2..].iter().enumerate() {
                match chunk.get(i) {
                    Some(Some(source)) => self.sink.copy(*cell, *source),
                    Some(None) => {} // the salt: bound by the hash alone
                    None => self.sink.copy(*cell, self.zero),
                }
            }
            let mut row = r0;
            let mut r = 0;
            while r < params.rounds() {
                let c = &params.round_constants[r];
                for (i, &ci) in c.iter().enumerate() {
                    self.sink.fixed(PoseidonFixed::RoundConstant(i).into(), row, ci);
                }
                let x: Vec<Fr> = state.iter().zip(c).map(|(s, c)| *s + c).collect();
                let paired = self.plan.poseidon_pairs;
                if params.is_full_round(r) {
                    self.sink.enable(PoseidonSelector::Full.into(), row);
                    let squares: Vec<Fr> = x.iter().map(|x| x.square()).collect();
                    self.poseidon_state(row + 1, &squares);
                    self.poseidon_state(row + 2, &x.iter().map(|&x| pow5(x)).collect::<Vec<_>>());
                    params.round(r, &mut state);
                    row += 3;
                    r += 1;
                } else {
                    self.sink.enable(PoseidonSelector::Partial.into(), row);
                    let square = self.val_fe(x[0].square());
                    self.sink.advice(PoseidonAdvice::Square.into(), row, square);
                    params.round(r, &mut state);
                    r += 1;
                    if paired {
                        // The next partial round on the same row (`PARTIAL` is even).
                        let sbox = self.val_fe(pow5(x[0]));
                        self.sink.advice(PoseidonAdvice::Sbox.into(), row, sbox);
                        let d = &params.round_constants[r];
                        for (i, &di) in d.iter().enumerate() {
                            self.sink.fixed(PoseidonFixed::SecondRoundConstant(i).into(), row, di);
                        }
                        let square2 = self.val_fe((state[0] + d[0]).square());
                        self.sink.advice(PoseidonAdvice::Square2.into(), row, square2);
                        params.round(r, &mut state);
                        r += 1;
                    }
                    row += 1;
                }
                let cells = self.poseidon_state(row, &state);
                if r == params.rounds() {
                    chaining = Some(cells[0]);
                }
            }
            h = state[0];
            self.taken.poseidon = row + 1;
        }
        chaining.ok_or_else(|| crate::walk::malformed("poseidon", "a hash with no permutation"))
    }

    /// Writes one row of state columns; returns its cells.
    fn poseidon_state(&mut self, row: usize, values: &[Fr]) -> Vec<Loc> {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let v = self.val_fe(v);
                self.sink.advice(PoseidonAdvice::State(i).into(), row, v)
            })
            .collect()
    }
}

/// The Poseidon chip's advice columns, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PoseidonAdvice {
    /// State element `i` (also square and S-box output `i` on a full round's second and third row).
    State(usize),
    /// A partial round's S-box input squared.
    Square,
    /// The first partial round's S-box output (paired partial rounds).
    Sbox,
    /// The second partial round's S-box input squared (paired partial rounds).
    Square2,
}

/// The Poseidon chip's fixed columns, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PoseidonFixed {
    /// Round constant `i` of the round on the row.
    RoundConstant(usize),
    /// Round constant `i` of the second partial round on the row.
    SecondRoundConstant(usize),
}

/// The Poseidon chip's selectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PoseidonSelector {
    /// A full round starts on the row.
    Full,
    /// A partial round is on the row.
    Partial,
}

impl ChipColumns for PoseidonConfig {
    type Advice = PoseidonAdvice;
    type Fixed = PoseidonFixed;
    type Selector = PoseidonSelector;

    fn advice(&self, c: PoseidonAdvice) -> Option<Column<Advice>> {
        match c {
            PoseidonAdvice::State(i) => self.state.get(i).copied(),
            PoseidonAdvice::Square => Some(self.square),
            PoseidonAdvice::Sbox => self.sbox,
            PoseidonAdvice::Square2 => self.square2,
        }
    }

    fn fixed(&self, c: PoseidonFixed) -> Option<Column<Fixed>> {
        match c {
            PoseidonFixed::RoundConstant(i) => self.constants.get(i).copied(),
            PoseidonFixed::SecondRoundConstant(i) => self.constants2.get(i).copied(),
        }
    }

    fn selector(&self, s: PoseidonSelector) -> Selector {
        match s {
            PoseidonSelector::Full => self.q_full,
            PoseidonSelector::Partial => self.q_partial,
        }
    }
}
