//! keygen → prove → verify on the toy circuit, and every rejection the verifier must make.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use halo2_axiom::circuit::{Layouter, SimpleFloorPlanner, Value};
use halo2_axiom::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_axiom::halo2curves::ff::Field;
use halo2_axiom::plonk::{
    create_proof, Advice, Circuit, Column, ConstraintSystem, Error, Fixed, Instance, ProvingKey, Selector,
};
use halo2_axiom::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_axiom::poly::kzg::multiopen::ProverSHPLONK;
use halo2_axiom::poly::Rotation;
use halo2_axiom::transcript::TranscriptWriterBuffer;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkinfer_prover::{keygen, prove, ProverError};
use zkinfer_verifier::testing::ToyCircuit;
use zkinfer_verifier::{verify, CircuitKey, EvmTranscript, VerifyError};

#[test]
fn toy_proof_is_accepted_and_tampering_rejected() {
    let params = common::params(common::K);
    let circuit = ToyCircuit::new(4);
    let (pk, vk) = common::keys(&params, &circuit);
    let vk = common::circuit_key(&vk, &circuit);
    let instances = circuit.instances();
    let proof = prove(&params, &pk, &circuit, &instances).unwrap();
    eprintln!("toy circuit proof: {} bytes", proof.len());
    verify(&params, &vk, &proof, &instances).unwrap();

    for pos in [0, 1, 40, 64, 100, proof.len() / 2, proof.len() - 65, proof.len() - 1] {
        let mut bad = proof.clone();
        bad[pos] ^= 0x80;
        let err = verify(&params, &vk, &bad, &instances).unwrap_err();
        assert!(matches!(err, VerifyError::Rejected | VerifyError::Malformed(_)), "flipped byte {pos}: {err:?}");
    }
    let mut changed = instances.clone();
    changed[0] += Fr::ONE;
    assert!(matches!(verify(&params, &vk, &proof, &changed), Err(VerifyError::Rejected)));
    for cut in [1, 32, proof.len() / 2] {
        let err = verify(&params, &vk, &proof[..proof.len() - cut], &instances).unwrap_err();
        assert!(matches!(err, VerifyError::Truncated(_)), "cut {cut}: {err:?}");
    }
    let mut trailing = proof.clone();
    trailing.push(0x00);
    assert!(matches!(verify(&params, &vk, &trailing, &instances), Err(VerifyError::TrailingBytes { extra: 1 })));
}

/// `c = w·a` per row, with the weights `w` in a fixed column and every `c` copied to the
/// instance: fixed columns, a gate and a permutation, and no lookup (whose permuted columns
/// halo2-axiom orders through a `HashMap`, so proofs with lookups differ even from one seed).
#[derive(Clone, Default)]
struct Weighted(Vec<(u64, u64)>);

impl Weighted {
    fn instances(&self) -> Vec<Fr> {
        self.0.iter().map(|(w, a)| Fr::from(w * a)).collect()
    }
}

impl Circuit<Fr> for Weighted {
    type Config = (Selector, Column<Fixed>, Column<Advice>, Column<Advice>, Column<Instance>);
    type FloorPlanner = SimpleFloorPlanner;
    type Params = ();

    fn without_witnesses(&self) -> Self {
        self.clone()
    }

    fn configure(meta: &mut ConstraintSystem<Fr>) -> Self::Config {
        let (q, w, a, c, instance) =
            (meta.selector(), meta.fixed_column(), meta.advice_column(), meta.advice_column(), meta.instance_column());
        meta.enable_equality(c);
        meta.enable_equality(instance);
        meta.create_gate("c = w·a", |meta| {
            let q = meta.query_selector(q);
            let w = meta.query_fixed(w, Rotation::cur());
            let a = meta.query_advice(a, Rotation::cur());
            let c = meta.query_advice(c, Rotation::cur());
            vec![q * (w * a - c)]
        });
        (q, w, a, c, instance)
    }

    fn synthesize(&self, (q, w, a, c, instance): Self::Config, mut layouter: impl Layouter<Fr>) -> Result<(), Error> {
        let cells = layouter.assign_region(
            || "products",
            |mut region| {
                let mut cells = Vec::new();
                for (row, (wv, av)) in self.0.iter().enumerate() {
                    q.enable(&mut region, row)?;
                    region.assign_fixed(w, row, Fr::from(*wv));
                    region.assign_advice(a, row, Value::known(Fr::from(*av)));
                    cells.push(region.assign_advice(c, row, Value::known(Fr::from(wv * av))).cell());
                }
                Ok(cells)
            },
        )?;
        for (row, cell) in cells.into_iter().enumerate() {
            layouter.constrain_instance(cell, instance, row);
        }
        Ok(())
    }
}

/// The proof of `circuit` with the blinding randomness fixed by `seed`.
fn seeded_proof(params: &ParamsKZG<Bn256>, pk: &ProvingKey<G1Affine>, circuit: &Weighted, seed: u64) -> Vec<u8> {
    let mut transcript = EvmTranscript::<Vec<u8>>::init(Vec::new());
    create_proof::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _, _>(
        params,
        pk,
        std::slice::from_ref(circuit),
        &[&[&circuit.instances()]],
        ChaCha20Rng::seed_from_u64(seed),
        &mut transcript,
    )
    .unwrap();
    transcript.finalize()
}

/// The vendored halo2-axiom keeps the key's fixed, Lagrange and permutation polynomials on the
/// extended domain (vendor/README.md); a key without them computes them in every proof, as
/// upstream does. Both keys must give proofs that verify (proofs are not byte-comparable:
/// halo2-axiom draws the vanishing argument's random polynomial from `thread_rng`; evaluations on
/// a wrong coset fail here), and neither may prove the instances with other weights.
#[test]
fn extended_evaluations_kept_in_the_key_prove_like_upstream() {
    let params = common::params(common::K);
    let circuit = Weighted((1..20).map(|i| (i * 7 + 3, i * i)).collect());
    let instances = circuit.instances();
    let (pk, vk) = keygen(&params, &circuit).unwrap();
    let vk = CircuitKey::new(&vk, instances.len()).unwrap();
    assert!(pk.has_extended_evaluations());
    let mut upstream = pk.clone();
    upstream.drop_extended_evaluations();
    assert!(!upstream.has_extended_evaluations());
    for key in [&pk, &upstream] {
        verify(&params, &vk, &seeded_proof(&params, key, &circuit, 7), &instances).unwrap();
    }
    let wrong = Weighted(circuit.0.iter().map(|&(w, a)| (w + 1, a)).collect());
    let (mut wrong_pk, _) = keygen(&params, &wrong).unwrap();
    for kept in [true, false] {
        if !kept {
            wrong_pk.drop_extended_evaluations();
        }
        let proof = seeded_proof(&params, &wrong_pk, &circuit, 7);
        assert!(matches!(verify(&params, &vk, &proof, &instances), Err(VerifyError::Rejected)), "kept: {kept}");
    }
}

#[test]
fn wrong_witness_gives_a_proof_that_does_not_verify() {
    let params = common::params(common::K);
    let circuit = ToyCircuit::new(2);
    let (pk, vk) = common::keys(&params, &circuit);
    let vk = common::circuit_key(&vk, &circuit);
    let mut wrong = circuit.instances();
    wrong[1] = Fr::from(1234);
    // halo2 does not check the witness while proving; the proof must fail verification.
    let proof = prove(&params, &pk, &circuit, &wrong).unwrap();
    assert!(matches!(verify(&params, &vk, &proof, &wrong), Err(VerifyError::Rejected)));
}

#[test]
fn structured_prover_errors() {
    // 80 products cannot fit in 2^6 rows.
    let params = common::params(common::K);
    let big = ToyCircuit::new(80);
    let err = keygen(&params, &big).unwrap_err();
    assert!(matches!(err, ProverError::NotEnoughRows { k: 6, .. }), "{err:?}");
    assert!(err.to_string().contains("larger k"), "{err}");

    let circuit = ToyCircuit::new(2);
    let (pk, _) = common::keys(&params, &circuit);
    let other = common::params(common::K + 1);
    assert!(matches!(
        prove(&other, &pk, &circuit, &circuit.instances()),
        Err(ProverError::SrsMismatch { srs_k: 7, key_k: 6 })
    ));
    let too_many = vec![Fr::ONE; 64];
    assert!(matches!(prove(&params, &pk, &circuit, &too_many), Err(ProverError::TooManyInstances { got: 64, .. })));
}
