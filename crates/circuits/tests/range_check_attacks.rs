//! Regression tests for the range check's partial top limb (SOUNDNESS.md, "The requant chip").
//!
//! The old range table was one column `0..2^b`, and a top limb of width `t < b` was looked up as
//! `L·2^(b-t)`, which admits `L = v·2^-(b-t) mod p`. Two witnesses exploited it, and both were
//! accepted by `MockProver` before the fix:
//!
//! * several limbs: the quotient one lower and the remainder `2^shift` higher (rounding down),
//!   the top remainder limb a fraction whose weighted value is an integer again;
//! * one limb: a quotient `z + ½` (the value limb a fraction), which a later weight of 2 turns
//!   into a public output one higher (6 → 7).
//!
//! Each test builds the attacking witness cell by cell and asserts that `MockProver` now rejects
//! it with exactly one failure: the range lookup of the fractional limb.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use zkinfer_circuits::{DotAdvice, RequantAdvice};

use common::*;
use halo2_axiom::dev::{MockProver, VerifyFailure};
use halo2_axiom::halo2curves::ff::Field;
use zkinfer_circuits::{plan_circuit, AdviceRef, CellOverride, CircuitPlan, Fr, ModelCircuit, PlanOptions};
use zkinfer_graph::ParamVisibility as P;
use zkinfer_graph::{QGraph, Visibility::*, Witness};

fn ov(column: AdviceRef, row: usize, value: Fr) -> CellOverride {
    CellOverride { column, row, value }
}

/// Limbs of `b` bits side by side, a dot block of two inputs and one output.
fn side_by_side(q: &QGraph, b: u32) -> CircuitPlan {
    let opts = PlanOptions {
        min_limb_bits: b,
        max_limb_bits: b,
        stacked_limbs: Some(false),
        force_dot: Some((2, 1)),
        ..PlanOptions::default()
    };
    plan_circuit(q, &opts).expect("plan")
}

/// Rows of the requant chip in assignment order (rows 0 and 1 hold the constants).
fn requant_rows(q: &QGraph, p: &CircuitPlan) -> Vec<usize> {
    let c = ModelCircuit::new(Arc::new(q.clone()), p.clone(), None);
    c.assigned_advice_cells()
        .expect("layout")
        .into_iter()
        .filter(|(r, _)| *r == AdviceRef::Requant(RequantAdvice::Quotient))
        .map(|(_, row)| row)
        .collect()
}

/// Runs `MockProver` with `overrides` and the public output `output`; returns the failures.
fn failures(
    q: &QGraph,
    p: &CircuitPlan,
    w: &Witness,
    overrides: Vec<CellOverride>,
    output: &[Fr],
) -> Vec<VerifyFailure> {
    let c = ModelCircuit::new(Arc::new(q.clone()), p.clone(), Some(Arc::new(w.clone()))).with_overrides(overrides);
    let prover = MockProver::run(p.k, &c, vec![output.to_vec()]).expect("mock run");
    prover.verify().err().unwrap_or_default()
}

/// Exactly one failure: the range lookup of limb column `col` (side by side). (halo2-axiom's
/// single-region layouter does not report the row of a lookup failure reliably.)
fn assert_only_limb_lookup_fails(f: &[VerifyFailure], col: usize) {
    assert_eq!(f.len(), 1, "{f:?}");
    match &f[0] {
        VerifyFailure::Lookup { name, .. } => assert_eq!(name, &format!("limb {col}"), "{f:?}"),
        other => panic!("expected the limb {col} lookup to fail, got {other}"),
    }
}

#[test]
fn partial_top_limb_cannot_round_down() {
    // One input value rescaled by 2^6 with 4-bit limbs: the remainder's limbs have widths 4 and 2.
    let xs = vec![vec![100], vec![-90]];
    let (mut b, x) = Builder::new(1);
    let y = b.requant(x, 6, false);
    let q = b.finish(y, vis(Private, P::Fixed, Public), &xs);
    let p = side_by_side(&q, 4);
    let w = q.eval(xs[0].clone()).expect("eval");
    // Honest: 100 + 32 = 2·64 + 4, so z = 2, r = 4. Attack: z = 1, r = 68 = 8 + 16·(15/4): the
    // top limb 15/4 was admitted because (15/4)·2^2 = 15 is in 0..16. The two top limbs sit
    // in the tagged limb columns: the remainder's (width 2) in column 0, the value's in column
    // 1; the remainder's low limb in column 2.
    assert_eq!(w.output(&q, 0), &[2]);
    let row = requant_rows(&q, &p)[1];
    let quarter = Fr::from(4).invert().unwrap();
    let attack = vec![
        ov(AdviceRef::Requant(RequantAdvice::Quotient), row, Fr::from(1)),
        ov(AdviceRef::Requant(RequantAdvice::Out), row, Fr::from(1)),
        ov(AdviceRef::Requant(RequantAdvice::Sign), row, Fr::ONE),
        ov(AdviceRef::Requant(RequantAdvice::Limb(0)), row, Fr::from(15) * quarter),
        ov(AdviceRef::Requant(RequantAdvice::Limb(1)), row, Fr::from(1)),
        ov(AdviceRef::Requant(RequantAdvice::Limb(2)), row, Fr::from(8)),
    ];
    let attack_r = Fr::from(8) + Fr::from(16) * Fr::from(15) * quarter;
    assert_eq!(Fr::from(100 + 32), Fr::from(64) + attack_r, "the attack satisfies the rescale equation");
    let f = failures(&q, &p, &w, attack, &[Fr::from(1)]);
    assert_only_limb_lookup_fails(&f, 0);
}

#[test]
fn single_limb_cannot_hold_a_fraction() {
    // A hidden rescale by 2^2 with a 3-bit bound (6-bit limbs: one limb of width 3), then a
    // weight of 2, then the public output.
    let xs = vec![vec![13], vec![-20]];
    let (mut b, x) = Builder::new(1);
    let h = b.requant(x, 2, false);
    let y = b.dense(h, vec![2], vec![0]);
    let y = b.requant(y, 0, false);
    let q = b.finish(y, vis(Private, P::Fixed, Public), &xs);
    let p = side_by_side(&q, 6);
    let w = q.eval(xs[0].clone()).expect("eval");
    // Honest: 13 + 2 = 3·4 + 3, z = 3, output 6. Attack: z = 3.5, r = 1, output 7.
    assert_eq!(w.output(&q, 0), &[6]);
    let rows = requant_rows(&q, &p);
    let (hidden, last) = (rows[1], rows[2]);
    let z = Fr::from(7) * Fr::from(2).invert().unwrap();
    let attack = vec![
        ov(AdviceRef::Requant(RequantAdvice::Quotient), hidden, z),
        ov(AdviceRef::Requant(RequantAdvice::Out), hidden, z),
        ov(AdviceRef::Requant(RequantAdvice::Sign), hidden, Fr::ONE),
        ov(AdviceRef::Requant(RequantAdvice::Limb(0)), hidden, Fr::from(1)),
        ov(AdviceRef::Requant(RequantAdvice::Limb(1)), hidden, z),
        ov(AdviceRef::Dot(DotAdvice::X(0)), 0, z),
        ov(AdviceRef::Dot(DotAdvice::Acc(0)), 0, Fr::from(7)),
        ov(AdviceRef::Requant(RequantAdvice::In), last, Fr::from(7)),
        ov(AdviceRef::Requant(RequantAdvice::Quotient), last, Fr::from(7)),
        ov(AdviceRef::Requant(RequantAdvice::Out), last, Fr::from(7)),
        ov(AdviceRef::Requant(RequantAdvice::Limb(0)), last, Fr::from(7)),
    ];
    let f = failures(&q, &p, &w, attack, &[Fr::from(7)]);
    assert_only_limb_lookup_fails(&f, 1);
}
