//! Lookup chip (nonlinear activations as tables): MockProver accepts the honest witness and
//! rejects a witness wrong in one table cell; the planner makes room for the tables; the
//! mutation audit catches every changed cell.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use zkinfer_circuits::LookupAdvice;

use common::*;
use proptest::prelude::*;
use zkinfer_circuits::audit::{audit, AuditOptions};
use zkinfer_circuits::{AdviceRef, CellOverride, CircuitPlan, Fr, ModelCircuit};
use zkinfer_graph::ParamVisibility as P;
use zkinfer_graph::{QGraph, QOp, TableFn, Visibility::*, VisibilityConfig, Witness};

fn inputs() -> Vec<Vec<i64>> {
    vec![vec![3, -7, 12, 0, -1, 9], vec![-20, 15, 4, -9, 30, -2]]
}

/// `input(6) -> sigmoid (2^-3 -> 2^-8) -> dense(6->3) -> requant(/2^8) -> tanh (2^-4 -> 2^-8)`.
fn graph(v: VisibilityConfig) -> QGraph {
    let (mut b, x) = Builder::new(6);
    let s = b.table(x, TableFn::Sigmoid, 3, 8);
    let w: Vec<i64> = (0..18).map(|i| ((i * 37 + 11) % 61) as i64 - 30).collect();
    let h = b.dense(s, w, vec![5, -3, 100]);
    let h = b.requant(h, 8, false);
    let t = b.table(h, TableFn::Tanh, 4, 8);
    b.finish(t, v, &inputs())
}

fn setup(v: VisibilityConfig, x: usize) -> (QGraph, CircuitPlan, Witness) {
    let q = graph(v);
    let p = small_plan(&q);
    let w = q.eval(inputs()[x].clone()).expect("eval");
    (q, p, w)
}

/// Every assigned cell of a lookup column, in assignment order.
fn cells(q: &QGraph, p: &CircuitPlan, col: AdviceRef) -> Vec<(AdviceRef, usize)> {
    let c = ModelCircuit::new(Arc::new(q.clone()), p.clone(), None);
    c.assigned_advice_cells().expect("layout").into_iter().filter(|&(r, _)| r == col).collect()
}

fn ov(column: AdviceRef, row: usize, value: Fr) -> CellOverride {
    CellOverride { column, row, value }
}

#[test]
fn honest_witness_accepted_and_outputs_are_the_integer_evaluation() {
    for input in [Public, Private] {
        for params in [P::Fixed, P::Private] {
            let (q, p, w) = setup(vis(input, params, Public), 1);
            assert!(p.lookup && p.stats.table_rows > 1, "{:?}", p.stats);
            assert_eq!(mock(&q, &p, &w, vec![], None), Ok(()), "{input:?} {params:?}");
        }
    }
    let (q, p, w) = setup(vis(Private, P::Fixed, Private), 0);
    let out = ModelCircuit::new(Arc::new(q.clone()), p.clone(), None).output_cells(0).expect("layout");
    let want: Vec<Fr> = w.output(&q, 0).iter().map(|&v| fe(v)).collect();
    assert_eq!(mock_values(&q, &p, &w, &out), want);
    // Every lookup row holds (x, f(x)) of the integer function.
    let ins = mock_values(&q, &p, &w, &cells(&q, &p, AdviceRef::Lookup(LookupAdvice::In)));
    let outs = mock_values(&q, &p, &w, &cells(&q, &p, AdviceRef::Lookup(LookupAdvice::Out)));
    let tables: Vec<_> =
        q.nodes.iter().filter_map(|n| if let QOp::Table(t) = &n.op { Some((t, n)) } else { None }).collect();
    let expected: Vec<(Fr, Fr)> = tables
        .iter()
        .flat_map(|(t, n)| w.values[n.inputs[0]].iter().map(|&x| (fe(x), fe(t.value(x).expect("defined")))))
        .collect();
    assert_eq!(ins.into_iter().zip(outs).collect::<Vec<_>>(), expected);
}

#[test]
fn every_lookup_output_off_by_one_is_rejected_by_the_lookup() {
    let (q, p, w) = setup(vis(Private, P::Fixed, Public), 0);
    let out_cells = cells(&q, &p, AdviceRef::Lookup(LookupAdvice::Out));
    let honest = mock_values(&q, &p, &w, &out_cells);
    assert_eq!(out_cells.len(), 9);
    for (&(col, row), v) in out_cells.iter().zip(honest) {
        // The lookup at that row, plus the copies of the output into the next layer.
        let f = failures(mock(&q, &p, &w, vec![ov(col, row, v + Fr::one())], None));
        assert_eq!(non_copy(&f), vec![lookup("nonlinear table", row)], "row {row}: {f:?}");
    }
}

#[test]
fn changed_lookup_input_is_rejected() {
    let (q, p, w) = setup(vis(Private, P::Fixed, Public), 0);
    let in_cells = cells(&q, &p, AdviceRef::Lookup(LookupAdvice::In));
    let honest = mock_values(&q, &p, &w, &in_cells);
    for (&(col, row), v) in in_cells.iter().zip(honest) {
        let f = failures(mock(&q, &p, &w, vec![ov(col, row, v + Fr::one())], None));
        assert!(copy_rows(&f).contains(&row), "row {row}: {f:?}");
    }
}

#[test]
fn another_valid_table_row_is_caught_by_the_copy_constraint() {
    // (x + 1, f(x + 1)) is in the table: only the copy of x from its source can object.
    let (q, p, w) = setup(vis(Private, P::Fixed, Private), 0);
    let node = q.nodes.iter().find(|n| matches!(n.op, QOp::Table(_))).expect("table");
    let QOp::Table(t) = &node.op else { unreachable!() };
    let x = w.values[node.inputs[0]][2];
    let (_, row) = cells(&q, &p, AdviceRef::Lookup(LookupAdvice::In))[2];
    let o = vec![
        ov(AdviceRef::Lookup(LookupAdvice::In), row, fe(x + 1)),
        ov(AdviceRef::Lookup(LookupAdvice::Out), row, fe(t.value(x + 1).expect("in domain"))),
    ];
    let f = failures(mock(&q, &p, &w, o, None));
    assert!(non_copy(&f).is_empty() && copy_rows(&f).contains(&row), "{f:?}");
}

#[test]
fn planner_makes_room_for_a_large_table() {
    // A 2-element input whose range needs a 2^12-row table: k is set by the table.
    let (mut b, x) = Builder::new(2);
    let y = b.table(x, TableFn::Exp, 10, 8);
    let q = b.finish(y, vis(Private, P::Fixed, Public), &[vec![2000, -1500]]);
    let QOp::Table(t) = &q.nodes[1].op else { panic!("table") };
    assert_eq!(t.bits, 11);
    let p = small_plan(&q);
    assert_eq!(p.stats.table_rows, 1 + 4096);
    assert!(p.stats.usable_rows >= p.stats.table_rows && p.k == 13, "{}", p.summary());
    let w = q.eval(vec![2000, -1500]).expect("eval");
    assert_eq!(mock(&q, &p, &w, vec![], None), Ok(()));
}

#[test]
fn mutation_audit_catches_every_cell() {
    let (q, p, w) = setup(vis(Private, P::Fixed, Public), 1);
    let report = audit(Arc::new(q), p, Arc::new(w), &AuditOptions::default()).expect("audit runs");
    assert!(report.is_sound(), "accepted: {:?}", report.accepted);
    assert_eq!(report.checked, report.total_cells);
    assert_eq!(report.caught, report.checked, "{}", report.summary());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    #[test]
    fn random_inputs_in_range_are_proven(x in prop::collection::vec(-20i64..=30, 6)) {
        let q = graph(vis(Private, P::Fixed, Public));
        let p = small_plan(&q);
        // Inputs beyond the calibrated range are refused by evaluation, before any proving.
        if let Ok(w) = q.eval(x) {
            prop_assert_eq!(mock(&q, &p, &w, vec![], None), Ok(()));
        }
    }
}
