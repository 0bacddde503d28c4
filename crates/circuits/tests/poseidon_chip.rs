//! The Poseidon chip: hashed inputs and outputs under MockProver. The chain hash against
//! explicit circom Poseidon calls, the honest circuit against its instance, and rejections of a
//! changed hash, a changed hashed value and a changed round cell.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use halo2_axiom::halo2curves::ff::Field;
use zkinfer_circuits::poseidon::{self, hash_values};
use zkinfer_circuits::{public_instances, AdviceRef, CellOverride, Fr, PoseidonAdvice};
use zkinfer_graph::ParamVisibility as P;
use zkinfer_graph::{QGraph, Visibility, Visibility::*};

/// Rows of one width-6 permutation: 8 full rounds of 3 rows, 60 partial rounds one (or, paired,
/// two) to a row, the output row.
fn permutation_rows(pairs: bool) -> usize {
    3 * 8 + if pairs { 30 } else { 60 } + 1
}

fn counting(n: usize) -> Vec<Fr> {
    (1..=n as u64).map(|i| Fr::from(i * 7919) - Fr::from(50_000)).collect()
}

/// `hash_values` is circom's Poseidon(5) chained over chunks of 4, seeded with the count.
#[test]
fn chain_hash_is_circom_poseidon_over_chunks() {
    for n in [1usize, 3, 4, 5, 9, 64] {
        let v = counting(n);
        let mut h = Fr::from(n as u64);
        for chunk in v.chunks(4) {
            let mut block = vec![h];
            block.extend_from_slice(chunk);
            block.resize(5, Fr::ZERO);
            h = poseidon::hash(&block).expect("5 inputs");
        }
        assert_eq!(hash_values(&v), h, "n = {n}");
    }
    assert_eq!(hash_values(&[]), poseidon::hash(&[Fr::ZERO; 5]).expect("5 inputs"));
    // The count seeds the chain: a trailing zero changes the hash.
    assert_ne!(hash_values(&[Fr::ONE]), hash_values(&[Fr::ONE, Fr::ZERO]));
}

fn hashed(input: Visibility, output: Visibility, n_in: usize) -> (QGraph, Vec<i64>) {
    let xs: Vec<Vec<i64>> = (0..2).map(|s| (0..n_in).map(|i| ((i * 13 + s * 5) % 25) as i64 - 12).collect()).collect();
    (mlp(n_in, 3, 2, vis(input, P::Fixed, output), &xs), xs[0].clone())
}

#[test]
fn hashed_input_and_output_prove_under_mock() {
    // 6 inputs: two chained permutations for the input, one for the output.
    let (q, x) = hashed(Hashed, Hashed, 6);
    let w = q.eval(x.clone()).expect("eval");
    for pairs in [false, true] {
        let p = small_plan_paired(&q, pairs);
        assert!(p.poseidon && p.poseidon_pairs == pairs);
        assert_eq!(p.stats.poseidon_rows, 3 * permutation_rows(pairs));
        hashed_ends_prove(&q, &p, &w, &x);
    }
}

/// The honest proof of `q` on `x` under `p`, and rejections of changed hashes.
fn hashed_ends_prove(q: &QGraph, p: &zkinfer_circuits::CircuitPlan, w: &zkinfer_graph::Witness, x: &[i64]) {
    let inst = public_instances(q, w);
    let out = &w.values[q.outputs[0].tensor];
    let fes = |v: &[i64]| v.iter().map(|&v| fe(v)).collect::<Vec<_>>();
    assert_eq!(inst, vec![hash_values(&fes(x)), hash_values(&fes(out))]);
    assert_eq!(mock(q, p, w, vec![], None), Ok(()));

    // A changed hash, in either place, is rejected.
    for i in 0..2 {
        let mut bad = inst.clone();
        bad[i] += Fr::ONE;
        assert!(mock(q, p, w, vec![], Some(bad)).is_err(), "hash {i} changed");
    }
    // The honest hash of other values is rejected too.
    let mut other = x.to_vec();
    other[5] += 1;
    let bad = vec![hash_values(&fes(&other)), inst[1]];
    assert!(mock(q, p, w, vec![], Some(bad)).is_err(), "hash of other input");
    // The output's hash left out (read as zero by halo2) is rejected; the exact instance count
    // is the verifiers' check (SOUNDNESS.md, "Verifiers and the instance column").
    assert!(mock(q, p, w, vec![], Some(inst[..1].to_vec())).is_err());
}

#[test]
fn a_changed_round_cell_is_rejected() {
    let (q, x) = hashed(Public, Hashed, 4);
    let w = q.eval(x).expect("eval");
    for pairs in [false, true] {
        let p = small_plan_paired(&q, pairs);
        let rows = permutation_rows(pairs);
        assert_eq!(p.stats.poseidon_rows, rows);
        let honest = mock_values(&q, &p, &w, &[(AdviceRef::Poseidon(PoseidonAdvice::State(5)), 1)]);
        // Row 1 holds the first full round's squares; rows 20 and 21 are partial rounds.
        let mut cells = vec![
            (PoseidonAdvice::State(5), 1),
            (PoseidonAdvice::Square, 20),
            (PoseidonAdvice::State(3), 21),
            (PoseidonAdvice::State(0), rows - 1),
        ];
        if pairs {
            cells.extend([(PoseidonAdvice::Sbox, 21), (PoseidonAdvice::Square2, 20)]);
        }
        for (col, row) in cells {
            let o = CellOverride { column: AdviceRef::Poseidon(col), row, value: honest[0] + Fr::ONE };
            let k = kinds(mock(&q, &p, &w, vec![o], None));
            assert!(k.constraint || k.permutation, "pairs {pairs}: {col:?} at row {row}: {k:?}");
        }
    }
}

#[test]
fn public_and_private_ends_take_no_poseidon_rows() {
    let (q, _) = hashed(Public, Private, 4);
    let p = small_plan(&q);
    assert!(!p.poseidon);
    assert_eq!(p.stats.poseidon_rows, 0);
}

/// The parameter message written out from its definition (docs/src/visibility.md), apart from
/// the library's: the weights 14 to an element, each as `w + 2^17` in 18 bits, first weight
/// most significant; then the biases one per element.
fn message(q: &zkinfer_graph::QGraph) -> Vec<Fr> {
    let m = q.param_message();
    let pack =
        |g: &[i64]| g.iter().fold(Fr::zero(), |a, &w| a * Fr::from(1u64 << 18) + Fr::from((w + (1 << 17)) as u64));
    let mut out: Vec<Fr> = m.weights.chunks(14).map(pack).collect();
    out.extend(m.biases.iter().map(|&v| fe(v)));
    out
}

/// Hashed parameters: the model id (the hash of the packed weights and the biases) is
/// instance 0, ahead of the public input and output; a changed id, or the honest id over a
/// changed weight cell, is rejected.
#[test]
fn hashed_parameters_prove_under_mock() {
    let xs = vec![vec![3, -7, 12, 0, -1], vec![-5, 6, 4, -9, 2]];
    let q = mlp(5, 3, 2, vis(Public, P::Hashed, Public), &xs);
    let w = q.eval(xs[0].clone()).expect("eval");
    let p = small_plan(&q);
    // 5·3 + 3·2 = 21 weights in two packed elements, and 3 + 2 biases: 7 elements, 2 chunks of 4.
    let m = q.param_message();
    assert_eq!((m.weights.len(), m.biases.len()), (21, 5));
    assert_eq!(p.stats.poseidon_rows, 2 * permutation_rows(p.poseidon_pairs));
    assert_eq!(p.stats.pack_rows, 21);
    let inst = public_instances(&q, &w);
    assert_eq!(inst.len(), 1 + 5 + 2);
    assert_eq!(inst[0], hash_values(&message(&q)));
    assert_eq!(mock(&q, &p, &w, vec![], None), Ok(()));
    let mut bad = inst.clone();
    bad[0] += Fr::ONE;
    assert!(mock(&q, &p, &w, vec![], Some(bad)).is_err(), "model id changed");
    // Another model of the same architecture: its own id verifies, the first model's does not.
    let mut other = q.clone();
    let zkinfer_graph::QOp::Linear(op) =
        &mut other.nodes.iter_mut().find(|n| matches!(n.op, zkinfer_graph::QOp::Linear(_))).expect("a linear node").op
    else {
        unreachable!()
    };
    op.weight[0] += 1;
    let w2 = other.eval(xs[0].clone()).expect("eval");
    let inst2 = public_instances(&other, &w2);
    assert_ne!(inst2[0], inst[0]);
    assert_eq!(mock(&other, &p, &w2, vec![], None), Ok(()));
    let mut claimed = inst2.clone();
    claimed[0] = inst[0];
    assert!(mock(&other, &p, &w2, vec![], Some(claimed)).is_err(), "other weights under the first model's id");
}

/// A salted model id: the salt is hashed after the parameters, a witness cell of the state row
/// bound by the hash alone; a proof with another salt does not match the id.
#[test]
fn a_salt_is_hashed_after_the_parameters() {
    let xs = vec![vec![3, -7, 12, 0, -1], vec![-5, 6, 4, -9, 2]];
    let mut q = mlp(5, 3, 2, vis(Public, P::Hashed, Public), &xs);
    let unsalted = zkinfer_circuits::model_id(&q).expect("hashed parameters");
    q.param_salt = Some([0x5a; 31]);
    let w = q.eval(xs[0].clone()).expect("eval");
    let p = small_plan(&q);
    // 7 elements and the salt: still 2 chunks of 4.
    assert_eq!(p.stats.poseidon_rows, 2 * permutation_rows(p.poseidon_pairs));
    let mut elements = message(&q);
    elements.push(zkinfer_circuits::salt_fe(&[0x5a; 31]));
    let id = hash_values(&elements);
    assert_ne!(id, unsalted);
    assert_eq!(zkinfer_circuits::model_id(&q), Some(id));
    let inst = public_instances(&q, &w);
    assert_eq!(inst[0], id);
    assert_eq!(mock(&q, &p, &w, vec![], None), Ok(()));
    let mut other = q.clone();
    other.param_salt = Some([0x5b; 31]);
    assert!(mock(&other, &p, &w, vec![], Some(inst)).is_err(), "another salt under this id");
}
