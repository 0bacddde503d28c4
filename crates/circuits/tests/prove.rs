//! Real keygen (no witness), proof and verification on a tiny model: the fixed data assigned
//! without a witness matches the proving run, and a wrong public output is rejected.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use common::*;
use halo2_axiom::halo2curves::bn256::{Bn256, G1Affine};
use halo2_axiom::plonk::{create_proof, keygen_pk, keygen_vk, verify_proof};
use halo2_axiom::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_axiom::poly::kzg::multiopen::{ProverSHPLONK, VerifierSHPLONK};
use halo2_axiom::poly::kzg::strategy::SingleStrategy;
use halo2_axiom::transcript::{Blake2bRead, Blake2bWrite, Challenge255, TranscriptReadBuffer, TranscriptWriterBuffer};
use rand::rngs::OsRng;
use zkinfer_circuits::{public_instances, Fr, ModelCircuit};
use zkinfer_graph::ParamVisibility as P;
use zkinfer_graph::{QGraph, TableFn, Visibility::*};

/// Keygen without a witness, a proof, its verification, and the rejection of a changed output.
fn roundtrip(q: &QGraph, x: Vec<i64>, what: &str) {
    let p = small_plan(q);
    let w = q.eval(x).expect("eval");
    let graph = Arc::new(q.clone());
    let params = ParamsKZG::<Bn256>::setup(p.k, OsRng);
    let empty = ModelCircuit::new(graph.clone(), p.clone(), None);
    let vk = keygen_vk(&params, &empty).expect("vk");
    let pk = keygen_pk(&params, vk, &empty).expect("pk");
    let circuit = ModelCircuit::new(graph, p.clone(), Some(Arc::new(w.clone())));
    let inst = public_instances(q, &w);
    let mut transcript = Blake2bWrite::<_, G1Affine, Challenge255<_>>::init(vec![]);
    create_proof::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _, _>(
        &params,
        &pk,
        &[circuit],
        &[&[&inst]],
        OsRng,
        &mut transcript,
    )
    .expect("prove");
    let proof = transcript.finalize();
    let verify = |inst: &[Fr]| {
        let mut t = Blake2bRead::<_, G1Affine, Challenge255<_>>::init(&proof[..]);
        verify_proof::<KZGCommitmentScheme<Bn256>, VerifierSHPLONK<'_, Bn256>, _, _, _>(
            &params,
            pk.get_vk(),
            SingleStrategy::new(&params),
            &[&[inst]],
            &mut t,
        )
        .is_ok()
    };
    assert!(verify(&inst), "{what}");
    let mut bad = inst.clone();
    bad[inst.len() - 1] += Fr::from(1);
    assert!(!verify(&bad), "{what}");
}

#[test]
fn keygen_prove_verify_roundtrip() {
    for params_vis in [P::Fixed, P::Private] {
        let xs = vec![vec![3, -7, 12, 0, -1, 9]];
        let q = mlp(6, 5, 3, vis(Public, params_vis, Public), &xs);
        roundtrip(&q, xs[0].clone(), &format!("{params_vis:?}"));
    }
}

#[test]
fn keygen_prove_verify_with_lookup_tables() {
    // input -> sigmoid -> dense -> requant -> tanh: two tables, keygen fills them without a witness.
    let xs = vec![vec![3, -7, 12, 0, -1, 9], vec![-20, 15, 4, -9, 30, -2]];
    let (mut b, x) = Builder::new(6);
    let s = b.table(x, TableFn::Sigmoid, 3, 8);
    let h = b.dense(s, (0..18).map(|i| ((i * 37 + 11) % 61) as i64 - 30).collect(), vec![5, -3, 100]);
    let h = b.requant(h, 8, false);
    let y = b.table(h, TableFn::Tanh, 4, 8);
    let q = b.finish(y, vis(Private, P::Fixed, Public), &xs);
    roundtrip(&q, xs[1].clone(), "tables");
}
