//! Planner on model-sized graphs (planned only; no MockProver on the big one).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use zkinfer_circuits::{plan_circuit, CircuitError, CircuitPlan, Objective, PlanOptions};
use zkinfer_graph::ParamVisibility as P;
use zkinfer_graph::{QGraph, QOp, RequantOp, Visibility::*};

/// An MLP with the given widths and pseudo-random weights; bounds set by hand (no calibration).
fn mlp_sizes(widths: &[usize]) -> QGraph {
    let (mut b, mut x) = Builder::new(widths[0]);
    let mut seed = 0x9e37_79b9u64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % 4001) as i64 - 2000
    };
    for (i, pair) in widths.windows(2).enumerate() {
        let w: Vec<i64> = (0..pair[0] * pair[1]).map(|_| rnd()).collect();
        let bias: Vec<i64> = (0..pair[1]).map(|_| rnd()).collect();
        let h = b.dense(x, w, bias);
        let last = i + 2 == widths.len();
        x = b.requant(h, 12, !last);
    }
    let mut q = b.finish_bounded(x, vis(Private, P::Fixed, Public), 8);
    for (i, n) in q.nodes.iter_mut().enumerate() {
        if let QOp::Requant(r) = &mut n.op {
            *r = RequantOp { bits: if i == 0 { 8 } else { 14 }, ..r.clone() };
        }
    }
    q
}

fn show(name: &str, p: &CircuitPlan) {
    let s = &p.stats;
    eprintln!(
        "{name}: k={} n={} m={} b={} limbs={} rows={} (dot {}, requant {}) advice={} fixed={} lookups={} eq={} degree={} cost={:.0}",
        p.k, p.dot_inputs, p.dot_outputs, p.limb_bits, p.limbs, s.rows_used, s.dot_rows, s.requant_rows,
        s.advice_columns, s.fixed_columns, s.lookups, s.equality_columns, s.degree, s.estimated_cost
    );
}

#[test]
fn plans_for_model_sizes() {
    let digits = mlp_sizes(&[64, 32, 10]);
    let p = plan_circuit(&digits, &PlanOptions::default()).expect("plan");
    show("64-32-10 fixed", &p);
    assert!(p.k <= 12, "{p:?}");
    let wide = mlp_sizes(&[784, 256, 256, 10]);
    let p = plan_circuit(&wide, &PlanOptions::default()).expect("plan");
    show("784-256-256-10 fixed", &p);
    assert!(p.k <= 17, "{p:?}");
    let mut private = wide.clone();
    private.params = P::Private;
    let p = plan_circuit(&private, &PlanOptions::default()).expect("plan");
    show("784-256-256-10 private params", &p);
    assert_eq!(p.dot_outputs, 1);
    let capped = PlanOptions { max_fixed_columns: Some(24), ..PlanOptions::default() };
    let p = plan_circuit(&wide, &capped).expect("plan");
    show("784-256-256-10 fixed, <= 24 fixed columns", &p);
    assert!(p.stats.fixed_columns <= 24);
}

#[test]
fn verifier_objective_picks_fewer_columns() {
    for widths in [&[64, 32, 10][..], &[784, 256, 256, 10]] {
        let q = mlp_sizes(widths);
        let prover = plan_circuit(&q, &PlanOptions::default()).expect("plan");
        let verifier =
            plan_circuit(&q, &PlanOptions { objective: Objective::Verifier, ..PlanOptions::default() }).expect("plan");
        show(&format!("{widths:?} prover"), &prover);
        show(&format!("{widths:?} verifier"), &verifier);
        let columns = |p: &CircuitPlan| p.stats.advice_columns + p.stats.fixed_columns;
        assert!(columns(&verifier) < columns(&prover), "{prover:?}\n{verifier:?}");
        assert!(verifier.stats.estimated_gas < prover.stats.estimated_gas);
        assert!(verifier.k <= PlanOptions::default().max_k);
    }
    assert_eq!(PlanOptions::default().objective, Objective::Prover);
    assert_eq!("verifier".parse::<Objective>(), Ok(Objective::Verifier));
    assert!("fast".parse::<Objective>().is_err());
}

/// Stacking the range-check limbs in rows trades columns (one limb column, three fixed columns
/// and one lookup instead of one of each per limb) for `limbs` requant rows per element: the
/// verifier objective takes it (the prover objective weighs the rows against the columns), and
/// forcing either layout is respected.
#[test]
fn limbs_stack_in_rows_for_the_verifier() {
    let q = mlp_sizes(&[64, 32, 10]);
    let verifier =
        plan_circuit(&q, &PlanOptions { objective: Objective::Verifier, ..PlanOptions::default() }).expect("plan");
    assert!(verifier.stacked_limbs && verifier.limbs > 1, "{verifier:?}");
    assert_eq!(verifier.stats.lookups, 1);
    for stacked in [false, true] {
        let opts = PlanOptions { stacked_limbs: Some(stacked), force_dot: Some((1, 1)), ..PlanOptions::default() };
        let p = plan_circuit(&q, &opts).expect("plan");
        assert_eq!(p.stacked_limbs, stacked);
        let requant_elements = 32 + 10 + 64; // hidden, output, and the range-checked input
        let stride = if stacked { p.limbs } else { 1 };
        assert_eq!(p.stats.requant_rows, 2 + stride * requant_elements, "{p:?}");
        assert_eq!(p.stats.lookups, if stacked { 1 } else { p.limbs }, "{p:?}");
    }
}

#[test]
fn forced_k_is_respected_or_reported() {
    let digits = mlp_sizes(&[64, 32, 10]);
    let p = plan_circuit(&digits, &PlanOptions { force_k: Some(14), ..PlanOptions::default() }).expect("plan");
    assert_eq!(p.k, 14);
    let err = plan_circuit(&digits, &PlanOptions { force_k: Some(5), ..PlanOptions::default() });
    assert!(matches!(err, Err(CircuitError::NotEnoughRows { k: 5, .. })), "{err:?}");
    let err = plan_circuit(&mlp_sizes(&[784, 256, 10]), &PlanOptions { max_k: 8, ..PlanOptions::default() });
    assert!(matches!(err, Err(CircuitError::TooLarge { max_k: 8, .. })), "{err:?}");
}

#[test]
fn plan_roundtrips_through_json() {
    let p = plan_circuit(&mlp_sizes(&[64, 32, 10]), &PlanOptions::default()).expect("plan");
    let s = serde_json::to_string(&p).expect("json");
    let back: CircuitPlan = serde_json::from_str(&s).expect("json");
    assert_eq!(p, back);
}

/// Keygen (synthesis without witness, fixed weights assigned) on the mlp_wide-sized graph.
/// Slow-ish (SRS setup): run with `cargo test -p zkinfer-circuits --test plan -- --ignored --nocapture`.
#[test]
#[ignore]
fn wide_keygen_timing() {
    use halo2_axiom::halo2curves::bn256::Bn256;
    use halo2_axiom::plonk::{keygen_pk, keygen_vk};
    use halo2_axiom::poly::kzg::commitment::ParamsKZG;
    use std::sync::Arc;
    use std::time::Instant;
    use zkinfer_circuits::ModelCircuit;

    let wide = mlp_sizes(&[784, 256, 256, 10]);
    let p = plan_circuit(&wide, &PlanOptions::default()).expect("plan");
    show("wide", &p);
    let c = ModelCircuit::new(Arc::new(wide), p.clone(), None);
    let t = Instant::now();
    let cells = c.assigned_advice_cells().expect("layout");
    eprintln!("layout walk: {} advice cells in {:?}", cells.len(), t.elapsed());
    let params = ParamsKZG::<Bn256>::setup(p.k, rand::rngs::OsRng);
    let t = Instant::now();
    let vk = keygen_vk(&params, &c).expect("vk");
    eprintln!("keygen_vk: {:?}", t.elapsed());
    let t = Instant::now();
    let _pk = keygen_pk(&params, vk, &c).expect("pk");
    eprintln!("keygen_pk: {:?}", t.elapsed());
}
