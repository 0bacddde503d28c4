//! Per-chip MockProver tests: the honest witness is accepted, a witness wrong in one cell is
//! rejected by exactly the gate polynomial, lookup or copy constraint that should catch it, on
//! the row it sits on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use zkinfer_circuits::{requant_limb_order, AdviceRef, CellOverride, CircuitPlan, Fr, ModelCircuit};
use zkinfer_circuits::{DotAdvice, MulAdvice, RequantAdvice};
use zkinfer_graph::ParamVisibility as P;
use zkinfer_graph::{LinearOp, LinearParams, QGraph, QOp, Visibility::*, Witness};

use std::sync::Arc;

fn ov(column: AdviceRef, row: usize, value: Fr) -> CellOverride {
    CellOverride { column, row, value }
}

fn inputs() -> Vec<Vec<i64>> {
    vec![vec![3, -7, 12, 0, -1, 9], vec![-20, 15, 4, -9, 30, -2]]
}

fn output_cells(q: &QGraph, p: &zkinfer_circuits::CircuitPlan) -> Vec<(AdviceRef, usize)> {
    ModelCircuit::new(Arc::new(q.clone()), p.clone(), None).output_cells(0).expect("layout")
}

#[test]
fn honest_witness_accepted_in_every_visibility() {
    for input in [Public, Private] {
        for params in [P::Fixed, P::Private] {
            for output in [Public, Private] {
                let q = mlp(6, 5, 3, vis(input, params, output), &inputs());
                let p = small_plan(&q);
                assert_eq!(p.params_fixed, params == P::Fixed);
                for x in inputs() {
                    let w = q.eval(x).expect("eval");
                    assert_eq!(mock(&q, &p, &w, vec![], None), Ok(()), "{input:?} {params:?} {output:?}");
                }
            }
        }
    }
}

#[test]
fn output_cells_hold_the_integer_evaluation() {
    let q = mlp(6, 5, 3, vis(Private, P::Fixed, Private), &inputs());
    let p = small_plan(&q);
    let w = q.eval(inputs()[1].clone()).expect("eval");
    let got = mock_values(&q, &p, &w, &output_cells(&q, &p));
    let want: Vec<Fr> = w.output(&q, 0).iter().map(|&v| fe(v)).collect();
    assert_eq!(got, want);
}

#[test]
fn wrong_accumulator_rejected() {
    let q = mlp(6, 5, 3, vis(Private, P::Fixed, Public), &inputs());
    let p = small_plan(&q);
    let w = q.eval(inputs()[0].clone()).expect("eval");
    let f = failures(mock(&q, &p, &w, vec![ov(AdviceRef::Dot(DotAdvice::Acc(0)), 0, Fr::from(12345))], None));
    // Row 0 starts a chain (`q_first`: polynomial 0 of output slot 0); the next row of the
    // chain adds to it (`q_next`: polynomial 1).
    assert_eq!(f, vec![gate("dot", 0, 0), gate("dot", 1, 1)]);
}

/// A plan with the dot width forced to 8 (6 terms + bias leaves slot 7 unused).
fn wide_plan(q: &QGraph) -> zkinfer_circuits::CircuitPlan {
    let mut p = small_plan(q);
    p.dot_inputs = 8;
    p.dot_outputs = 1;
    p.k = p.k.max(8);
    p
}

#[test]
fn x_cell_in_unused_slot_is_pinned_to_zero() {
    let q = mlp(6, 5, 3, vis(Private, P::Fixed, Public), &inputs());
    let p = wide_plan(&q);
    let w = q.eval(inputs()[0].clone()).expect("eval");
    assert_eq!(mock(&q, &p, &w, vec![], None), Ok(()));
    // Slot 7 has weight 0, so only the copy constraint can notice.
    let f = failures(mock(&q, &p, &w, vec![ov(AdviceRef::Dot(DotAdvice::X(7)), 0, Fr::from(99))], None));
    // Only copy constraints (the slot is a copy of ZERO), starting at the changed cell.
    assert!(copy_rows(&f).len() == f.len() && copy_rows(&f).contains(&0), "{f:?}");
}

#[test]
fn x_cell_changed_rejected_by_copy_constraint() {
    for params in [P::Fixed, P::Private] {
        let q = mlp(6, 5, 3, vis(Private, params, Public), &inputs());
        let p = small_plan(&q);
        let w = q.eval(inputs()[0].clone()).expect("eval");
        let f = failures(mock(&q, &p, &w, vec![ov(AdviceRef::Dot(DotAdvice::X(0)), 0, Fr::from(4))], None));
        assert!(copy_rows(&f).contains(&0), "{params:?}: {f:?}");
    }
}

/// `input(4) -> dense(4->3) -> requant(shift, relu)` as the (private) output.
fn one_layer(shift: u32, relu: bool, xs: &[Vec<i64>]) -> QGraph {
    let (mut b, x) = Builder::new(4);
    let w1 = vec![5, -3, 7, 1, -6, 2, 4, -8, 3, 3, -1, 9];
    let h = b.dense(x, w1, vec![10, -40, 3]);
    let y = b.requant(h, shift, relu);
    b.finish(y, vis(Private, P::Fixed, Private), xs)
}

/// Overrides of one requant element claiming quotient `z` and remainder `r` (limbs not masked at
/// the top), in `p`'s limb layout.
fn requant_row(p: &CircuitPlan, row: usize, z: i64, r: i64, shift: u32, bits: u32) -> Vec<CellOverride> {
    let b = p.limb_bits;
    let n_r = shift.div_ceil(b) as usize;
    let n_w = bits.div_ceil(b) as usize;
    let folded = if z >= 0 { z } else { -z - 1 };
    let mut v = vec![
        ov(AdviceRef::Requant(RequantAdvice::Quotient), row, fe(z)),
        ov(AdviceRef::Requant(RequantAdvice::Sign), row, fe((z >= 0) as i64)),
    ];
    for (c, (is_rem, i)) in requant_limb_order(n_r, n_w).into_iter().enumerate() {
        let (value, count) = if is_rem { (r, n_r) } else { (folded, n_w) };
        let shifted = value >> (b as usize * i);
        let limb = if i + 1 == count { shifted } else { shifted & ((1 << b) - 1) };
        let (col, at) = p.limb_cell(c, row);
        v.push(ov(AdviceRef::Requant(RequantAdvice::Limb(col)), at, fe(limb)));
    }
    v
}

#[test]
fn remainder_out_of_range_rejected_by_lookup() {
    for stacked in [false, true] {
        remainder_out_of_range_rejected_by_lookup_in(stacked);
    }
}

fn remainder_out_of_range_rejected_by_lookup_in(stacked: bool) {
    let xs = vec![vec![9, -4, 13, 2]];
    let q = one_layer(5, false, &xs);
    let p = small_plan_stacked(&q, stacked);
    assert_eq!(p.stacked_limbs, stacked);
    let w = q.eval(xs[0].clone()).expect("eval");
    let node = &q.nodes[2];
    let QOp::Requant(op) = &node.op else { panic!("requant") };
    let (_, row) = output_cells(&q, &p)[1];
    let x = w.values[node.inputs[0]][1];
    let z = op.pre_activation(x);
    let r = x + (1 << (op.shift - 1)) - z * (1 << op.shift);
    // Same IN + HALF = Z * POW + R, but with R = r + 2^shift.
    let mut o = requant_row(&p, row, z - 1, r + (1 << op.shift), op.shift, op.bits);
    o.push(ov(AdviceRef::Requant(RequantAdvice::Out), row, fe(z - 1)));
    // The remainder's top limb is the first limb, looked up under its width.
    assert_eq!(failures(mock(&q, &p, &w, o, None)), vec![lookup("limb 0", row)], "stacked {stacked}");
}

fn negative_row(q: &QGraph, w: &Witness, p: &zkinfer_circuits::CircuitPlan) -> (usize, i64) {
    let node = &q.nodes[2];
    let QOp::Requant(op) = &node.op else { panic!("requant") };
    let cells = output_cells(q, p);
    let (i, z) = w.values[node.inputs[0]]
        .iter()
        .map(|&x| op.pre_activation(x))
        .enumerate()
        .find(|&(_, z)| z < 0)
        .expect("a negative pre-activation");
    (cells[i].1, z)
}

#[test]
fn negative_relu_output_rejected() {
    for stacked in [false, true] {
        negative_relu_output_rejected_in(stacked);
    }
}

fn negative_relu_output_rejected_in(stacked: bool) {
    let xs = vec![vec![9, -4, 13, 2]];
    let q = one_layer(2, true, &xs);
    let p = small_plan_stacked(&q, stacked);
    let w = q.eval(xs[0].clone()).expect("eval");
    assert_eq!(mock(&q, &p, &w, vec![], None), Ok(()));
    let (row, z) = negative_row(&q, &w, &p);
    // Polynomial 3 of the requant gate: OUT = SIGN · Z.
    assert_eq!(
        failures(mock(&q, &p, &w, vec![ov(AdviceRef::Requant(RequantAdvice::Out), row, fe(z))], None)),
        vec![gate("requant", 3, row)]
    );
}

#[test]
fn wrong_sign_bit_rejected() {
    for stacked in [false, true] {
        wrong_sign_bit_rejected_in(stacked);
    }
}

fn wrong_sign_bit_rejected_in(stacked: bool) {
    let xs = vec![vec![9, -4, 13, 2]];
    let q = one_layer(2, true, &xs);
    let p = small_plan_stacked(&q, stacked);
    let w = q.eval(xs[0].clone()).expect("eval");
    let (row, z) = negative_row(&q, &w, &p);
    // Claim SIGN = 1 so that ReLU would pass the negative z through.
    let o = vec![
        ov(AdviceRef::Requant(RequantAdvice::Sign), row, Fr::from(1)),
        ov(AdviceRef::Requant(RequantAdvice::Out), row, fe(z)),
    ];
    // Polynomial 2 of the requant gate: the folded value must be Z when SIGN = 1.
    assert_eq!(failures(mock(&q, &p, &w, o, None)), vec![gate("requant", 2, row)], "stacked {stacked}");
}

#[test]
fn out_of_range_input_rejected() {
    for stacked in [false, true] {
        out_of_range_input_rejected_in(stacked);
    }
}

fn out_of_range_input_rejected_in(stacked: bool) {
    let xs = vec![vec![9, -4, 13, 2]];
    let q = one_layer(2, false, &xs);
    let p = small_plan_stacked(&q, stacked);
    let w = q.eval(xs[0].clone()).expect("eval");
    let QOp::Requant(op) = &q.nodes[0].op else { panic!("requant") };
    let big = 1i64 << op.bits;
    let row = 2; // first input element (rows 0 and 1 hold the constants)
    let mut o = requant_row(&p, row, big, 0, 0, op.bits);
    o.push(ov(AdviceRef::Requant(RequantAdvice::In), row, fe(big)));
    o.push(ov(AdviceRef::Requant(RequantAdvice::Out), row, fe(big)));
    // The value's top limb (the first limb: the input check has no remainder) is 2^width;
    // the changed input and output also break their copies into the first layer.
    let f = failures(mock(&q, &p, &w, o, None));
    let lookups: Vec<&Failure> = f.iter().filter(|f| matches!(f, Failure::Lookup { .. })).collect();
    assert_eq!(lookups, vec![&lookup("limb 0", row)], "stacked {stacked}: {f:?}");
    assert!(f.iter().all(|f| matches!(f, Failure::Lookup { .. } | Failure::Copy { .. })), "{f:?}");
    assert!(copy_rows(&f).contains(&row), "{f:?}");
}

/// With stacked limbs, an element's upper limbs sit in the rows below it: changing one of them
/// (a value still in the table) breaks the element's decomposition.
#[test]
fn stacked_limb_below_the_element_is_constrained() {
    let xs = vec![vec![9, -4, 13, 2]];
    let q = one_layer(5, false, &xs);
    let p = small_plan_stacked(&q, true);
    assert!(p.limbs > 1, "{p:?}");
    let w = q.eval(xs[0].clone()).expect("eval");
    assert_eq!(mock(&q, &p, &w, vec![], None), Ok(()));
    let QOp::Requant(op) = &q.nodes[2].op else { panic!("requant") };
    // A limb below the element's row (the two top limbs come first: see `requant_limb_order`).
    let c = 2;
    let (n_r, n_w) = (op.shift.div_ceil(p.limb_bits) as usize, op.bits.div_ceil(p.limb_bits) as usize);
    assert!(n_r + n_w > c, "{p:?}");
    let (is_remainder, _) = requant_limb_order(n_r, n_w)[c];
    let (_, row) = output_cells(&q, &p)[1];
    let (col, at) = p.limb_cell(c, row);
    assert_eq!((col, at), (0, row + c));
    assert!(c > 0);
    let honest = mock_values(&q, &p, &w, &[(AdviceRef::Requant(RequantAdvice::Limb(col)), at)])[0];
    let f = failures(mock(
        &q,
        &p,
        &w,
        vec![ov(AdviceRef::Requant(RequantAdvice::Limb(col)), at, honest + Fr::from(1))],
        None,
    ));
    // The element's row, not the limb's: the decomposition of the remainder (polynomial 0) or
    // of the folded value (polynomial 2).
    assert_eq!(f, vec![gate("requant", if is_remainder { 0 } else { 2 }, row)]);
}

#[test]
fn output_different_from_instance_rejected() {
    let q = mlp(6, 5, 3, vis(Private, P::Fixed, Public), &inputs());
    let p = small_plan(&q);
    let w = q.eval(inputs()[0].clone()).expect("eval");
    let mut inst = zkinfer_circuits::public_instances(&q, &w);
    let last = inst.len() - 1;
    inst[last] += Fr::from(1);
    let f = failures(mock(&q, &p, &w, vec![], Some(inst)));
    assert!(copy_rows(&f).len() == f.len() && copy_rows(&f).contains(&last), "{f:?}");
}

#[test]
fn input_different_from_instance_rejected() {
    let q = mlp(6, 5, 3, vis(Public, P::Private, Public), &inputs());
    let p = small_plan(&q);
    let w = q.eval(inputs()[0].clone()).expect("eval");
    let mut inst = zkinfer_circuits::public_instances(&q, &w);
    assert_eq!(inst.len(), 6 + 3);
    inst[0] += Fr::from(1);
    let f = failures(mock(&q, &p, &w, vec![], Some(inst)));
    assert!(copy_rows(&f).len() == f.len() && copy_rows(&f).contains(&0), "{f:?}");
}

fn mul_graph(xs: &[Vec<i64>]) -> QGraph {
    let (mut b, x) = Builder::new(5);
    let m = b.mul_rev(x, x);
    let y = b.requant(m, 1, false);
    b.finish(y, vis(Private, P::Fixed, Public), xs)
}

#[test]
fn mul_chip_honest_and_wrong_product() {
    let xs = vec![vec![3, -4, 5, 7, -2]];
    let q = mul_graph(&xs);
    let p = small_plan(&q);
    assert!(p.mul_lanes > 0);
    let w = q.eval(xs[0].clone()).expect("eval");
    assert_eq!(mock(&q, &p, &w, vec![], None), Ok(()));
    // The product cell feeds the rescale: the lane's polynomial fails, and so does the copy.
    let f = failures(mock(&q, &p, &w, vec![ov(AdviceRef::Mul(MulAdvice::C(0)), 0, Fr::from(1))], None));
    assert_eq!(f.iter().filter(|f| matches!(f, Failure::Gate { .. })).collect::<Vec<_>>(), vec![&gate("mul", 0, 0)]);
    assert!(!copy_rows(&f).is_empty(), "{f:?}");
    let f = failures(mock(&q, &p, &w, vec![ov(AdviceRef::Mul(MulAdvice::A(0)), 0, Fr::from(1))], None));
    assert_eq!(f.iter().filter(|f| matches!(f, Failure::Gate { .. })).collect::<Vec<_>>(), vec![&gate("mul", 0, 0)]);
    assert!(copy_rows(&f).contains(&0), "{f:?}");
}

#[test]
fn private_shared_weight_must_match_its_first_use() {
    // Two positions share the weights (like a convolution); position 1 pads term 1 with zero.
    let xs = vec![vec![4, -3]];
    let (mut b, x) = Builder::new(2);
    let op = LinearOp {
        positions: 2,
        channels: 2,
        terms: 2,
        index: vec![Some(0), Some(1), Some(1), None],
        weight: vec![3, -5, 7, 2],
        bias: vec![1, -1],
        pos_stride: 2,
        chan_stride: 1,
        params: LinearParams::All,
    };
    let h = b.linear(x, op);
    let y = b.requant(h, 1, true);
    let q = b.finish(y, vis(Private, P::Private, Public), &xs);
    let mut p = small_plan(&q);
    p.dot_inputs = 4;
    p.dot_outputs = 1;
    let w = q.eval(xs[0].clone()).expect("eval");
    assert_eq!(mock(&q, &p, &w, vec![], None), Ok(()));
    // Row 2 = position 1, channel 0. Term 1 is padding (X = 0), so the changed weight does not
    // change the sum: only the weight-sharing copy constraint can catch it.
    let f =
        failures(mock(&q, &p, &w, vec![ov(AdviceRef::Dot(DotAdvice::W { out: 0, term: 1 }), 2, Fr::from(77))], None));
    assert!(!f.is_empty() && copy_rows(&f).len() == f.len() && copy_rows(&f).contains(&2), "{f:?}");
}

#[test]
fn assigned_cells_are_listed_once() {
    let q = mlp(6, 5, 3, vis(Private, P::Private, Public), &inputs());
    let p = small_plan(&q);
    let c = ModelCircuit::new(Arc::new(q.clone()), p.clone(), None);
    let mut cells = c.assigned_advice_cells().expect("layout");
    let n = cells.len();
    cells.sort();
    cells.dedup();
    assert_eq!(cells.len(), n);
    assert!(cells.iter().all(|&(_, row)| row < p.stats.rows_used));
}

#[test]
fn private_structural_weights_are_bound_to_constants() {
    // `3·x0 + 3·x1` on a zero input, so no weight changes the sum. As model parameters the
    // weights are legitimately free (the statement is "some weights"); as a lowering's own
    // constants (a pooling's 1/k, a max tree's ±1) they must stay 3, or the proof would not fix
    // the architecture. Moving one weight tests the copy to the constant's cell; moving both
    // tests that the first use is bound to the constant itself.
    let xs = vec![vec![0, 0]];
    let w_cell = |term| AdviceRef::Dot(DotAdvice::W { out: 0, term });
    for params in [LinearParams::All, LinearParams::Structural] {
        let (mut b, x) = Builder::new(2);
        let op = LinearOp { params, ..LinearOp::single_channel(1, 2, vec![Some(0), Some(1)], vec![3, 3]) };
        let h = b.linear(x, op);
        let y = b.requant(h, 1, false);
        let q = b.finish(y, vis(Private, P::Private, Public), &xs);
        let mut p = small_plan(&q);
        p.dot_inputs = 3;
        p.dot_outputs = 1;
        let w = q.eval(xs[0].clone()).expect("eval");
        assert_eq!(mock(&q, &p, &w, vec![], None), Ok(()), "{params:?}");
        for moved in
            [vec![ov(w_cell(1), 0, Fr::from(7))], vec![ov(w_cell(0), 0, Fr::from(7)), ov(w_cell(1), 0, Fr::from(7))]]
        {
            let r = mock(&q, &p, &w, moved, None);
            match params {
                LinearParams::All => assert_eq!(r, Ok(()), "parameter weights on zero inputs are free"),
                _ => {
                    let f = failures(r);
                    assert!(
                        copy_rows(&f).len() == f.len() && copy_rows(&f).contains(&0),
                        "structural weights are bound to their constant: {f:?}"
                    );
                }
            }
        }
    }
}
