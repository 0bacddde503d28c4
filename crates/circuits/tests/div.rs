//! The `Div` primitive (a composition of the product, dot and requant gates): the circuit's
//! quotients equal the integer evaluation, a quotient that is off by one is rejected, a zero
//! divisor has no witness, and the mutation audit catches every cell.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use zkinfer_circuits::MulAdvice;

use common::{fe, kinds, mock, mock_values, small_plan, vis, Builder, Kinds};
use zkinfer_circuits::audit::{audit, AuditOptions};
use zkinfer_circuits::{AdviceRef, CellOverride, CircuitPlan};
use zkinfer_graph::ParamVisibility as P;
use zkinfer_graph::{GatherOp, QGraph, QOp, Visibility::*, VisibilityConfig, Witness};

/// `x[0..4] * 2^3 / x[4..8]`, rounded: the dividends may be negative, the divisors positive.
fn graph(v: VisibilityConfig) -> QGraph {
    let (mut b, x) = Builder::new(8);
    let num = b.node(QOp::Gather(GatherOp { index: vec![0, 1, 2, 3] }), vec![x], 4);
    let den = b.node(QOp::Gather(GatherOp { index: vec![4, 5, 6, 7] }), vec![x], 4);
    let q = b.div(num, den, 3);
    b.finish(q, v, &inputs())
}

fn inputs() -> Vec<Vec<i64>> {
    vec![vec![7, -7, 100, 0, 2, 2, 3, 1], vec![-50, 13, 1, 9, 7, 5, 60, 4]]
}

fn setup(v: VisibilityConfig, sample: usize) -> (QGraph, CircuitPlan, Witness) {
    let q = graph(v);
    let p = small_plan(&q);
    let w = q.eval(inputs()[sample].clone()).expect("eval");
    (q, p, w)
}

/// Where the circuit put each quotient: the product lane cells `a` of the Div node.
fn quotient_cells(p: &CircuitPlan, n: usize) -> Vec<(AdviceRef, usize)> {
    let lanes = p.mul_lanes;
    (0..n).map(|i| (AdviceRef::Mul(MulAdvice::A(i % lanes)), i / lanes)).collect()
}

#[test]
fn quotients_round_half_up_and_match_the_circuit() {
    for v in [vis(Private, P::Fixed, Public), vis(Public, P::Private, Public)] {
        let (q, p, w) = setup(v, 0);
        // 7*8/2 = 28, -7*8/2 = -28, 100*8/3 = 266.67 -> 267, 0.
        assert_eq!(w.output(&q, 0), &[28, -28, 267, 0]);
        let got = mock_values(&q, &p, &w, &quotient_cells(&p, 4));
        assert_eq!(got, w.output(&q, 0).iter().map(|&v| fe(v)).collect::<Vec<_>>(), "{}", p.summary());
    }
    let (q, _, w) = setup(vis(Private, P::Fixed, Public), 1);
    // -50*8/7 = -57.14 -> -57; 13*8/5 = 20.8 -> 21; 8/60 = 0.13 -> 0; 9*8/4 = 18.
    assert_eq!(w.output(&q, 0), &[-57, 21, 0, 18]);
}

#[test]
fn quotient_off_by_one_is_rejected() {
    let (q, p, w) = setup(vis(Private, P::Fixed, Public), 0);
    for delta in [1, -1] {
        for (i, &(col, row)) in quotient_cells(&p, 4).iter().enumerate() {
            let wrong = fe(w.output(&q, 0)[i] + delta);
            let k = kinds(mock(&q, &p, &w, vec![CellOverride { column: col, row, value: wrong }], None));
            assert!(k.constraint || k.permutation, "quotient {i} {delta:+}: {k:?}");
        }
    }
    // The public output is the quotient: claiming another one fails too.
    let mut inst = zkinfer_circuits::public_instances(&q, &w);
    *inst.last_mut().expect("output") += fe(1);
    let k = kinds(mock(&q, &p, &w, vec![], Some(inst)));
    assert_eq!(k, Kinds { permutation: true, ..Kinds::default() });
}

#[test]
fn non_positive_divisor_has_no_witness() {
    let q = graph(vis(Private, P::Fixed, Public));
    for bad in [0, -3] {
        let err = q.eval(vec![1, 2, 3, 4, 1, bad, 1, 1]).unwrap_err().to_string();
        assert!(err.contains("not positive"), "{err}");
    }
}

#[test]
fn mutation_audit_catches_every_cell() {
    for v in [vis(Private, P::Fixed, Public), vis(Private, P::Private, Public)] {
        let (q, p, w) = setup(v, 1);
        let report = audit(Arc::new(q), p, Arc::new(w), &AuditOptions::default()).expect("audit runs");
        assert!(report.is_sound(), "accepted: {:?}", report.accepted);
        assert_eq!(report.caught + report.free_cells(), report.checked, "{}", report.summary());
        assert_eq!(report.checked, report.total_cells);
    }
}
