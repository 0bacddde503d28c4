//! Interpolated lookup activations (`QuantConfig::table_interpolation`), lowered from an f32
//! graph: the floor, the remainder `lo`, both neighbours' lookups into one table, the products
//! and the final rescale are all existing chips. MockProver accepts the honest witness and
//! rejects one wrong in the output, in the upper neighbour's lookup or in `lo`; the mutation
//! audit catches every cell.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use zkinfer_circuits::{DotAdvice, LookupAdvice};

use common::*;
use zkinfer_circuits::audit::{audit, AuditOptions};
use zkinfer_circuits::{AdviceRef, CellOverride, CircuitPlan, Fr, ModelCircuit};
use zkinfer_graph::ops::{MatMul, Tanh};
use zkinfer_graph::{
    calibrate, quantize, GraphBuilder, LinearOp, QGraph, QOp, QuantConfig, TableOp, Tensor, VisibilityConfig, Witness,
};
use zkinfer_onnx::testing::values;

fn samples() -> Vec<Vec<f32>> {
    (0..6).map(|s| values(30 + s, 6).iter().map(|v| 2.0 * v).collect()).collect()
}

/// `tanh(x W)`, x of shape [1, 6], W 6x4; 8-bit tables keep `k` small and force the table
/// input several bits below the activation's scale.
fn setup() -> (QGraph, CircuitPlan, Witness) {
    let mut b = GraphBuilder::new();
    let x = b.input("x", vec![1, 6]);
    let w = b.constant("w", Tensor::from_shape_vec(vec![6, 4], values(7, 24)).expect("shape"));
    let h = b.node("mm", Box::new(MatMul), vec![x, w], "h").expect("matmul");
    let y = b.node("act", Box::new(Tanh), vec![h], "y").expect("tanh");
    let g = b.finish(y).expect("graph");
    let calib = calibrate(&g, zkinfer_graph::one_input_samples(samples())).expect("calibrate");
    let config = QuantConfig { table_bits: 8, ..QuantConfig::default() };
    let q = quantize(&g, &calib, &config, &VisibilityConfig::default()).expect("quantize");
    let p = small_plan(&q);
    let w = q.eval(q.quantize_input(&samples()[1]).expect("in range")).expect("eval");
    (q, p, w)
}

fn tables(q: &QGraph) -> Vec<&TableOp> {
    q.nodes.iter().filter_map(|n| if let QOp::Table(t) = &n.op { Some(t) } else { None }).collect()
}

fn ov(column: AdviceRef, row: usize, value: Fr) -> CellOverride {
    CellOverride { column, row, value }
}

/// The three-channel Linear (`lo`, `2^L - lo`, `hi + 1`) and the dot row holding `lo[0]`.
fn parts_row(q: &QGraph, p: &CircuitPlan) -> (usize, usize) {
    let (n, m) = (p.dot_inputs, p.dot_outputs);
    let rows = |l: &LinearOp| l.positions * l.channels.div_ceil(m) * (l.terms + 1).div_ceil(n);
    let mut row = 0;
    for (i, node) in q.nodes.iter().enumerate() {
        if let QOp::Linear(l) = &node.op {
            if l.channels == 3 {
                return (i, row + (l.terms + 1).div_ceil(n) - 1);
            }
            row += rows(l);
        }
    }
    panic!("no interpolation Linear")
}

#[test]
fn interpolated_activation_lowers_to_two_lookups_into_one_table_and_is_proven() {
    let (q, p, w) = setup();
    let t = tables(&q);
    assert_eq!(t.len(), 2);
    assert_eq!(t[0], t[1]);
    assert!(q.nodes.iter().filter(|n| matches!(n.op, QOp::Mul(_))).count() == 2);
    assert_eq!(p.stats.table_rows, 1 + t[0].table().len(), "one table: {}", p.summary());
    assert_eq!(mock(&q, &p, &w, vec![], None), Ok(()));
    let out = ModelCircuit::new(Arc::new(q.clone()), p.clone(), None).output_cells(0).expect("layout");
    let want: Vec<Fr> = w.output(&q, 0).iter().map(|&v| fe(v)).collect();
    assert_eq!(mock_values(&q, &p, &w, &out), want);
}

#[test]
fn wrong_interpolated_output_is_rejected() {
    let (q, p, w) = setup();
    let out = ModelCircuit::new(Arc::new(q.clone()), p.clone(), None).output_cells(0).expect("layout");
    let honest = mock_values(&q, &p, &w, &out);
    for (&(col, row), v) in out.iter().zip(honest) {
        let k = kinds(mock(&q, &p, &w, vec![ov(col, row, v + Fr::one())], None));
        // The rescale gate ties the output to the accumulator; the instance to the output.
        assert!(k.constraint || k.permutation, "row {row}: {k:?}");
    }
}

#[test]
fn wrong_upper_neighbour_is_rejected() {
    let (q, p, w) = setup();
    let c = ModelCircuit::new(Arc::new(q.clone()), p.clone(), None);
    let cells = c.assigned_advice_cells().expect("layout");
    let lk_in: Vec<_> = cells.iter().copied().filter(|&(r, _)| r == AdviceRef::Lookup(LookupAdvice::In)).collect();
    let lk_out: Vec<_> = cells.iter().copied().filter(|&(r, _)| r == AdviceRef::Lookup(LookupAdvice::Out)).collect();
    // Lookup rows follow node order: the four `hi` lookups, then the four `hi + 1`.
    assert_eq!(lk_out.len(), 8);
    let (col, row) = lk_out[4];
    let y1 = mock_values(&q, &p, &w, &[(col, row)])[0];
    let f = failures(mock(&q, &p, &w, vec![ov(col, row, y1 + Fr::one())], None));
    assert_eq!(non_copy(&f), vec![lookup("nonlinear table", row)], "{f:?}");
    // Another valid row of the same table, (hi + 2, T(hi + 2)): only the copy of hi + 1 objects.
    let t = tables(&q)[1].clone();
    let node = q.nodes.iter().filter(|n| matches!(n.op, QOp::Table(_))).nth(1).expect("second lookup");
    let x = w.values[node.inputs[0]][0];
    let o = vec![
        ov(AdviceRef::Lookup(LookupAdvice::In), lk_in[4].1, fe(x + 1)),
        ov(col, row, fe(t.value(x + 1).expect("in domain"))),
    ];
    let f = failures(mock(&q, &p, &w, o, None));
    assert!(non_copy(&f).is_empty() && copy_rows(&f).contains(&lk_in[4].1), "{f:?}");
}

#[test]
fn wrong_remainder_is_rejected() {
    let (q, p, w) = setup();
    let (node, row) = parts_row(&q, &p);
    let lo = w.values[q.nodes[node].output][0];
    let cell = (AdviceRef::Dot(DotAdvice::Acc(0)), row);
    assert_eq!(mock_values(&q, &p, &w, &[cell]), vec![fe(lo)], "the cell holds lo[0]");
    for delta in [Fr::one(), -Fr::one()] {
        let k = kinds(mock(&q, &p, &w, vec![ov(cell.0, cell.1, fe(lo) + delta)], None));
        assert!(k.constraint, "{k:?}");
    }
}

#[test]
fn mutation_audit_catches_every_cell_of_an_interpolated_activation() {
    let (q, p, w) = setup();
    let report = audit(Arc::new(q), p, Arc::new(w), &AuditOptions::default()).expect("audit runs");
    assert!(report.is_sound(), "accepted: {:?}", report.accepted);
    assert_eq!(report.caught, report.checked, "{}", report.summary());
}
