//! A verifying key flattened into the data an EVM verifier interprets: the proof layout, where
//! the transcript squeezes, the constraint program and the SHPLONK opening structure.
//!
//! The Solidity verifier's code is the same for every circuit; only this plan (encoded by
//! [`crate::evm::blob`]) changes. Everything here mirrors halo2-axiom 0.5.3's `verify_proof` +
//! `VerifierSHPLONK` step by step; `crate::evm::reference` runs a plan natively so it is tested
//! against halo2 itself.
//!
//! Proof layout: all G1 points first (advice by phase, lookup permuted pairs, permutation
//! products, lookup products, the vanishing random commitment, the quotient pieces), then all
//! evaluations, then SHPLONK's two points `h1`, `h2`.

use halo2_axiom::halo2curves::bn256::{Fr, G1Affine};
use halo2_axiom::halo2curves::ff::{Field, PrimeField};
use halo2_axiom::plonk::{Any, VerifyingKey};
use halo2_axiom::poly::Rotation;

use super::expr::{self, ExprError, Instr, Leaf};
use crate::CircuitKey;

/// A commitment in an opening: a proof point, a verifying-key point, or the quotient
/// commitment `Σ xⁿⁱ·h_i` (the proof's quotient pieces).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commit {
    /// Proof point `i` (in proof order).
    Proof(usize),
    /// Verifying-key point `i`: fixed commitments, then permutation commitments.
    Vk(usize),
    /// The quotient commitment.
    Quotient,
}

/// The value a commitment opens to at a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalRef {
    /// Proof evaluation `i`.
    Proof(usize),
    /// The quotient evaluation the verifier computes from the constraint program.
    Quotient,
}

/// Commitments opened at the same set of rotations (SHPLONK's rotation set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationSet {
    /// The rotations (points `x·ωʳ`).
    pub rotations: Vec<i32>,
    /// Each commitment with its evaluation at each rotation, in `rotations` order.
    pub commitments: Vec<(Commit, Vec<EvalRef>)>,
}

/// Indices of the protocol's challenges in the list of squeezed challenges ([`VerifierPlan::squeeze_at`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChallengeIds {
    /// `theta`, which compresses lookup expressions.
    pub theta: usize,
    /// `beta` of the permutation and lookup arguments.
    pub beta: usize,
    /// `gamma` of the permutation and lookup arguments.
    pub gamma: usize,
    /// `y`, which folds the constraints in the vanishing argument.
    pub y: usize,
    /// `x`, the evaluation point.
    pub x: usize,
    /// SHPLONK's `y`, `v`, `u`.
    pub shplonk_y: usize,
    /// SHPLONK's `v`.
    pub v: usize,
    /// SHPLONK's `u`.
    pub u: usize,
}

/// Everything the EVM verifier needs besides the SRS's `g1`, `g2`, `s·g2`.
#[derive(Debug, Clone)]
pub struct VerifierPlan {
    /// The circuit has `2^k` rows.
    pub k: u32,
    /// The generator of the `2^k`-th roots of unity (the evaluation domain).
    pub omega: Fr,
    /// halo2's digest of the verifying key, the transcript's first absorbed scalar.
    pub transcript_repr: Fr,
    /// The exact number of public instances ([`CircuitKey::num_instances`]).
    pub num_instances: usize,
    /// The instance the key pins to a value (the model id), if any ([`CircuitKey::pin`]).
    pub pinned: Option<crate::Pinned>,
    /// Rotation of each instance query (zkinfer circuits have one instance column).
    pub instance_rotations: Vec<i32>,
    /// halo2's number of blinding rows (`cs.blinding_factors()`).
    pub blinding_factors: usize,
    /// Points before the evaluations (not counting SHPLONK's `h1`, `h2`).
    pub num_points: usize,
    /// Number of evaluations in the proof.
    pub num_evals: usize,
    /// For each challenge, the number of proof bytes absorbed before it is squeezed.
    pub squeeze_at: Vec<usize>,
    /// Where each protocol challenge sits in `squeeze_at`.
    pub ids: ChallengeIds,
    /// First quotient piece (a proof point index) and how many there are.
    pub quotient_start: usize,
    /// Number of quotient pieces.
    pub quotient_pieces: usize,
    /// Fixed commitments, then permutation commitments.
    pub vk_points: Vec<G1Affine>,
    /// Folds every constraint with `y` (gates, permutation, lookups, in halo2's order), after
    /// [`expr::fuse`].
    pub program: Vec<Instr>,
    /// SHPLONK's rotation sets, in halo2's order.
    pub sets: Vec<RotationSet>,
}

impl VerifierPlan {
    /// `ω^r` for a signed rotation `r` (`ω` has order `2^k`).
    pub fn omega_pow(&self, r: i64) -> Fr {
        self.omega.pow_vartime([r.rem_euclid(1i64 << self.k) as u64])
    }
}

/// Why a verifying key cannot be planned.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The verifying key has a number of instance columns other than 1 (the number it has).
    #[error("the verifying key has {0} instance columns; the EVM verifier supports exactly 1")]
    InstanceColumns(usize),
    /// The constraint program cannot be compiled or encoded.
    #[error(transparent)]
    Expr(#[from] ExprError),
    /// A permutation column has no query at rotation 0.
    #[error("a permutation column is not queried at the current row")]
    PermutationQuery,
    /// More evaluations or challenges than a 16-bit operand can index (which ones).
    #[error("too many {0} for a 16-bit operand")]
    TooMany(&'static str),
    /// The encoded verifying key does not fit in the key contracts the verifier reads.
    #[error("the verifying key's data is {bytes} bytes; the EVM verifier reads at most {max}")]
    TooLarge {
        /// Size of the encoded key data, in bytes.
        bytes: usize,
        /// The most bytes the key contracts can hold.
        max: usize,
    },
}

fn u16_of(i: usize, what: &'static str) -> Result<u16, PlanError> {
    u16::try_from(i).map_err(|_| PlanError::TooMany(what))
}

/// Builds the plan of `key`. (The proof's layout — points, evaluations, squeezes — does not
/// depend on the instance count; only the verifier's input check does.)
pub fn plan_verifier(key: &CircuitKey<'_>) -> Result<VerifierPlan, PlanError> {
    let vk = key.vk();
    let cs = vk.cs();
    if cs.num_instance_columns() != 1 {
        return Err(PlanError::InstanceColumns(cs.num_instance_columns()));
    }
    let domain = vk.get_domain();
    let k = domain.k();
    let blinding_factors = cs.blinding_factors();
    let n_lookups = cs.lookups().len();
    let perm_columns = cs.permutation().get_columns();
    let chunk = cs.degree() - 2;
    let n_sets = perm_columns.len().div_ceil(chunk);
    let quotient_pieces = domain.get_quotient_poly_degree();

    // Transcript: points, squeezes. `bytes` counts proof bytes absorbed so far.
    let mut squeeze_at = Vec::new();
    let mut points = 0usize;
    let phases = cs.advice_column_phase();
    let challenge_phases = cs.challenge_phase();
    let max_phase = phases.iter().chain(&challenge_phases).copied().max().unwrap_or(0);
    let mut advice_point = vec![0usize; cs.num_advice_columns()];
    for phase in 0..=max_phase {
        for (col, p) in phases.iter().enumerate() {
            if *p == phase {
                advice_point[col] = points;
                points += 1;
            }
        }
        squeeze_at.extend(challenge_phases.iter().filter(|p| **p == phase).map(|_| points * 64));
    }
    let theta = squeeze_at.len();
    squeeze_at.push(points * 64);
    let permuted_start = points;
    points += 2 * n_lookups;
    let beta = squeeze_at.len();
    squeeze_at.extend([points * 64, points * 64]);
    let perm_start = points;
    points += n_sets;
    let product_start = points;
    points += n_lookups;
    let random_point = points;
    points += 1;
    let y = squeeze_at.len();
    squeeze_at.push(points * 64);
    let quotient_start = points;
    points += quotient_pieces;
    let x = squeeze_at.len();
    squeeze_at.push(points * 64);

    let n_adv = cs.advice_queries().len();
    let n_fix = cs.fixed_queries().len();
    let random_eval = n_adv + n_fix;
    let perm_common_start = random_eval + 1;
    let perm_eval_start = perm_common_start + perm_columns.len();
    // Set i: z at 3i (z, z_next, z_last except for the last set).
    let set_eval = |i: usize| perm_eval_start + 3 * i;
    let lookup_eval_start = perm_eval_start + (3 * n_sets).saturating_sub(1);
    let num_evals = lookup_eval_start + 5 * n_lookups;
    let shplonk_y = squeeze_at.len();
    let evals_end = points * 64 + num_evals * 32;
    squeeze_at.extend([evals_end, evals_end, evals_end + 64]);
    let ids = ChallengeIds { theta, beta, gamma: beta + 1, y, x, shplonk_y, v: shplonk_y + 1, u: shplonk_y + 2 };

    let program = expr::fuse(&constraint_program(vk, &ids, n_sets, chunk, perm_eval_start, lookup_eval_start)?);

    // Queries in halo2's order, then SHPLONK's grouping.
    let mut queries: Vec<(Commit, i32, EvalRef)> = Vec::new();
    for (q, (col, rot)) in cs.advice_queries().iter().enumerate() {
        queries.push((Commit::Proof(advice_point[col.index()]), rot.0, EvalRef::Proof(q)));
    }
    let last = -((blinding_factors + 1) as i32);
    for s in 0..n_sets {
        queries.push((Commit::Proof(perm_start + s), 0, EvalRef::Proof(set_eval(s))));
        queries.push((Commit::Proof(perm_start + s), 1, EvalRef::Proof(set_eval(s) + 1)));
    }
    for s in (0..n_sets).rev().skip(1) {
        queries.push((Commit::Proof(perm_start + s), last, EvalRef::Proof(set_eval(s) + 2)));
    }
    for l in 0..n_lookups {
        let e = lookup_eval_start + 5 * l;
        let (product, input, table) = (product_start + l, permuted_start + 2 * l, permuted_start + 2 * l + 1);
        queries.push((Commit::Proof(product), 0, EvalRef::Proof(e)));
        queries.push((Commit::Proof(input), 0, EvalRef::Proof(e + 2)));
        queries.push((Commit::Proof(table), 0, EvalRef::Proof(e + 4)));
        queries.push((Commit::Proof(input), -1, EvalRef::Proof(e + 3)));
        queries.push((Commit::Proof(product), 1, EvalRef::Proof(e + 1)));
    }
    for (q, (col, rot)) in cs.fixed_queries().iter().enumerate() {
        queries.push((Commit::Vk(col.index()), rot.0, EvalRef::Proof(n_adv + q)));
    }
    let n_fixed = vk.fixed_commitments().len();
    for j in 0..perm_columns.len() {
        queries.push((Commit::Vk(n_fixed + j), 0, EvalRef::Proof(perm_common_start + j)));
    }
    queries.push((Commit::Quotient, 0, EvalRef::Quotient));
    queries.push((Commit::Proof(random_point), 0, EvalRef::Proof(random_eval)));

    let mut vk_points = vk.fixed_commitments().clone();
    vk_points.extend(vk.permutation().commitments().iter().copied());
    Ok(VerifierPlan {
        k,
        omega: domain.get_omega(),
        transcript_repr: vk.transcript_repr(),
        num_instances: key.num_instances(),
        pinned: key.pinned(),
        instance_rotations: cs.instance_queries().iter().map(|(_, r)| r.0).collect(),
        blinding_factors,
        num_points: points,
        num_evals,
        squeeze_at,
        ids,
        quotient_start,
        quotient_pieces,
        vk_points,
        program,
        sets: rotation_sets(&queries),
    })
}

/// SHPLONK's `construct_intermediate_sets`: each commitment's set of rotations (first-seen
/// order), then commitments grouped by equal sets (first-seen order).
fn rotation_sets(queries: &[(Commit, i32, EvalRef)]) -> Vec<RotationSet> {
    let mut per_commit: Vec<(Commit, Vec<(i32, EvalRef)>)> = Vec::new();
    for &(c, rot, e) in queries {
        match per_commit.iter_mut().find(|(pc, _)| *pc == c) {
            Some((_, rots)) => rots.push((rot, e)),
            None => per_commit.push((c, vec![(rot, e)])),
        }
    }
    let mut sets: Vec<RotationSet> = Vec::new();
    for (c, mut rots) in per_commit {
        rots.sort_by_key(|(r, _)| *r);
        let key: Vec<i32> = rots.iter().map(|(r, _)| *r).collect();
        let evals = rots.iter().map(|(_, e)| *e).collect();
        match sets.iter_mut().find(|s| s.rotations == key) {
            Some(s) => s.commitments.push((c, evals)),
            None => sets.push(RotationSet { rotations: key, commitments: vec![(c, evals)] }),
        }
    }
    sets
}

/// Gates, permutation and lookup constraints as one program over proof evaluations.
fn constraint_program(
    vk: &VerifyingKey<G1Affine>,
    ids: &ChallengeIds,
    n_sets: usize,
    chunk: usize,
    perm_eval_start: usize,
    lookup_eval_start: usize,
) -> Result<Vec<Instr>, PlanError> {
    let cs = vk.cs();
    let n_adv = cs.advice_queries().len();
    let mut ops = Vec::new();
    // Query ops become proof evaluations; instance queries stay (the verifier computes them).
    let relocate = |ops: &mut Vec<Instr>, from: usize| -> Result<(), PlanError> {
        for op in &mut ops[from..] {
            *op = match *op {
                Instr::Push(Leaf::Advice(q)) => Instr::Push(Leaf::Eval(q)),
                Instr::Push(Leaf::Fixed(q)) => Instr::Push(Leaf::Eval(u16_of(n_adv + usize::from(q), "evaluations")?)),
                other => other,
            };
        }
        Ok(())
    };
    for (g, gate) in cs.gates().iter().enumerate() {
        for poly in gate.polynomials() {
            let from = ops.len();
            expr::emit(cs, g, poly, &mut ops)?;
            relocate(&mut ops, from)?;
            ops.push(Instr::Fold);
        }
    }
    let ev = |i: usize| -> Result<Instr, PlanError> { Ok(Instr::Push(Leaf::Eval(u16_of(i, "evaluations")?))) };
    let ch = |i: usize| -> Result<Instr, PlanError> { Ok(Instr::Push(Leaf::Challenge(u16_of(i, "challenges")?))) };
    let (l0, llast, x) = (Instr::Push(Leaf::Var(0)), Instr::Push(Leaf::Var(1)), Instr::Push(Leaf::Var(3)));
    // 1 - (l_last + l_blind), computed once by the verifier.
    let active = [Instr::Push(Leaf::Var(4))];
    let z = |s: usize| perm_eval_start + 3 * s;
    if n_sets > 0 {
        // l_0 · (1 - z_0(x))
        ops.extend([l0, Instr::Push(Leaf::Const(Fr::ONE)), ev(z(0))?, Instr::Sub, Instr::Mul, Instr::Fold]);
        // l_last · (z_last(x)² - z_last(x))
        let zl = ev(z(n_sets - 1))?;
        ops.extend([zl, zl, Instr::Mul, zl, Instr::Sub, llast, Instr::Mul, Instr::Fold]);
        for s in 1..n_sets {
            ops.extend([ev(z(s))?, ev(z(s - 1) + 2)?, Instr::Sub, l0, Instr::Mul, Instr::Fold]);
        }
    }
    let columns = cs.permutation().get_columns();
    let n_perm_common = columns.len();
    let perm_common_start = perm_eval_start - n_perm_common;
    let mut delta_power = Fr::ONE;
    for (s, cols) in columns.chunks(chunk.max(1)).enumerate() {
        let col_evals = cols
            .iter()
            .map(|c| {
                let cur = |list: Vec<(usize, Rotation)>| {
                    list.iter()
                        .position(|(i, r)| *i == c.index() && *r == Rotation::cur())
                        .ok_or(PlanError::PermutationQuery)
                };
                Ok(match c.column_type() {
                    Any::Advice(_) => Ok(cur(cs.advice_queries().iter().map(|(c, r)| (c.index(), *r)).collect())?),
                    Any::Fixed => Ok(n_adv + cur(cs.fixed_queries().iter().map(|(c, r)| (c.index(), *r)).collect())?),
                    Any::Instance => Err(cur(cs.instance_queries().iter().map(|(c, r)| (c.index(), *r)).collect())?),
                })
            })
            .collect::<Result<Vec<_>, PlanError>>()?;
        let push_col = |ops: &mut Vec<Instr>, e: &Result<usize, usize>| -> Result<(), PlanError> {
            ops.push(match e {
                Ok(i) => ev(*i)?,
                Err(q) => Instr::Push(Leaf::Instance(u16_of(*q, "instance queries")?)),
            });
            Ok(())
        };
        // left = z_next · Π (eval + β·σ + γ)
        ops.push(ev(z(s) + 1)?);
        for (j, e) in col_evals.iter().enumerate() {
            push_col(&mut ops, e)?;
            ops.extend([ch(ids.beta)?, ev(perm_common_start + s * chunk + j)?, Instr::Mul, Instr::Add]);
            ops.extend([ch(ids.gamma)?, Instr::Add, Instr::Mul]);
        }
        // right = z · Π (eval + β·δⁱ·x + γ)
        ops.push(ev(z(s))?);
        for e in &col_evals {
            push_col(&mut ops, e)?;
            ops.extend([ch(ids.beta)?, x, Instr::Mul, Instr::Scale(delta_power), Instr::Add]);
            ops.extend([ch(ids.gamma)?, Instr::Add, Instr::Mul]);
            delta_power *= Fr::DELTA;
        }
        ops.push(Instr::Sub);
        ops.extend(active);
        ops.extend([Instr::Mul, Instr::Fold]);
    }
    for (l, arg) in cs.lookups().iter().enumerate() {
        let e = lookup_eval_start + 5 * l;
        let (prod, next, input, input_inv, table) = (ev(e)?, ev(e + 1)?, ev(e + 2)?, ev(e + 3)?, ev(e + 4)?);
        ops.extend([l0, Instr::Push(Leaf::Const(Fr::ONE)), prod, Instr::Sub, Instr::Mul, Instr::Fold]);
        ops.extend([prod, prod, Instr::Mul, prod, Instr::Sub, llast, Instr::Mul, Instr::Fold]);
        // (z_next·(a' + β)·(s' + γ) - z·(θ-compressed input + β)·(θ-compressed table + γ)) · active
        ops.extend([next, input, ch(ids.beta)?, Instr::Add, Instr::Mul, table, ch(ids.gamma)?, Instr::Add, Instr::Mul]);
        ops.push(prod);
        for (exprs, challenge) in [(arg.input_expressions(), ids.beta), (arg.table_expressions(), ids.gamma)] {
            for (i, ex) in exprs.iter().enumerate() {
                if i > 0 {
                    ops.extend([ch(ids.theta)?, Instr::Mul]);
                }
                let from = ops.len();
                expr::emit(cs, usize::MAX, ex, &mut ops)?;
                relocate(&mut ops, from)?;
                if i > 0 {
                    ops.push(Instr::Add);
                }
            }
            if exprs.is_empty() {
                ops.push(Instr::Push(Leaf::Const(Fr::ZERO)));
            }
            ops.extend([ch(challenge)?, Instr::Add, Instr::Mul]);
        }
        ops.push(Instr::Sub);
        ops.extend(active);
        ops.extend([Instr::Mul, Instr::Fold]);
        ops.extend([l0, input, table, Instr::Sub, Instr::Mul, Instr::Fold]);
        ops.extend([input, table, Instr::Sub, input, input_inv, Instr::Sub, Instr::Mul]);
        ops.extend(active);
        ops.extend([Instr::Mul, Instr::Fold]);
    }
    Ok(ops)
}
