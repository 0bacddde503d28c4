//! Byte compatibility with snark-verifier's native `EvmTranscript` (the transcript its Solidity
//! verifier replays), plus end-to-end accept/reject checks of `verify`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use halo2_axiom::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_axiom::halo2curves::ff::Field;
use halo2_axiom::halo2curves::group::Curve;
use halo2_axiom::plonk::{create_proof, keygen_pk, keygen_vk, verify_proof, ProvingKey};
use halo2_axiom::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_axiom::poly::kzg::multiopen::{ProverSHPLONK, VerifierSHPLONK};
use halo2_axiom::poly::kzg::strategy::SingleStrategy;
use halo2_axiom::transcript::{Challenge255, Transcript, TranscriptWrite, TranscriptWriterBuffer};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use snark_verifier::halo2_base::halo2_proofs::transcript::EncodedChallenge;
use snark_verifier::loader::native::NativeLoader;
use snark_verifier::system::halo2::transcript::evm::{ChallengeEvm, EvmTranscript as RefTranscript};
use zkinfer_verifier::testing::ToyCircuit;
use zkinfer_verifier::{verify, CircuitKey, EvmTranscript, VerifyError};

type Ref<W> = RefTranscript<G1Affine, NativeLoader, W, Vec<u8>>;
const K: u32 = 6;

/// Absorbs the same points and scalars in both transcripts, squeezing between them in every
/// pattern that matters (after 32 bytes, twice in a row, after nothing), and compares both the
/// written bytes and the challenges.
#[test]
fn same_bytes_and_challenges_as_snark_verifier() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let mut ours = EvmTranscript::new(Vec::new());
    let mut theirs = <Ref<Vec<u8>>>::new(Vec::new());
    let check = |ours: &mut EvmTranscript<Vec<u8>>, theirs: &mut Ref<Vec<u8>>| {
        let a = Transcript::<G1Affine, Challenge255<G1Affine>>::squeeze_challenge(ours);
        let b = Transcript::<G1Affine, ChallengeEvm<G1Affine>>::squeeze_challenge(theirs);
        assert_eq!(
            <Challenge255<G1Affine> as halo2_axiom::transcript::EncodedChallenge<G1Affine>>::get_scalar(&a),
            b.get_scalar()
        );
    };
    check(&mut ours, &mut theirs); // squeeze on an empty buffer
    check(&mut ours, &mut theirs); // squeeze right after a squeeze: the 0x01 rule
    for round in 0..6 {
        let p = (G1Affine::generator() * Fr::random(&mut rng)).to_affine();
        let s = Fr::random(&mut rng);
        TranscriptWrite::<G1Affine, Challenge255<G1Affine>>::write_point(&mut ours, p).unwrap();
        TranscriptWrite::<G1Affine, ChallengeEvm<G1Affine>>::write_point(&mut theirs, p).unwrap();
        if round % 2 == 0 {
            TranscriptWrite::<G1Affine, Challenge255<G1Affine>>::write_scalar(&mut ours, s).unwrap();
            TranscriptWrite::<G1Affine, ChallengeEvm<G1Affine>>::write_scalar(&mut theirs, s).unwrap();
        }
        check(&mut ours, &mut theirs);
    }
    // One lone scalar (exactly 32 bytes after the hash was replaced) then squeeze.
    let s = Fr::random(&mut rng);
    TranscriptWrite::<G1Affine, Challenge255<G1Affine>>::write_scalar(&mut ours, s).unwrap();
    TranscriptWrite::<G1Affine, ChallengeEvm<G1Affine>>::write_scalar(&mut theirs, s).unwrap();
    check(&mut ours, &mut theirs);
    let ours = TranscriptWriterBuffer::<_, G1Affine, Challenge255<G1Affine>>::finalize(ours);
    assert_eq!(ours, theirs.finalize());
}

fn setup(rows: usize) -> (ParamsKZG<Bn256>, ProvingKey<G1Affine>, ToyCircuit) {
    let params = ParamsKZG::<Bn256>::setup(K, ChaCha20Rng::seed_from_u64(7));
    let circuit = ToyCircuit::new(rows);
    let vk = keygen_vk(&params, &circuit).unwrap();
    let pk = keygen_pk(&params, vk, &circuit).unwrap();
    (params, pk, circuit)
}

fn prove_with<T>(params: &ParamsKZG<Bn256>, pk: &ProvingKey<G1Affine>, c: &ToyCircuit, seed: u64) -> Vec<u8>
where
    T: TranscriptWriterBuffer<Vec<u8>, G1Affine, <T as ChallengeOf>::E>,
    T: ChallengeOf,
{
    let instances = c.instances();
    let mut transcript = T::init(Vec::new());
    create_proof::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _, _>(
        params,
        pk,
        std::slice::from_ref(c),
        &[&[&instances]],
        ChaCha20Rng::seed_from_u64(seed),
        &mut transcript,
    )
    .unwrap();
    transcript.finalize()
}

/// Names the challenge type each transcript uses, so one helper proves with both.
trait ChallengeOf {
    type E: halo2_axiom::transcript::EncodedChallenge<G1Affine>;
}
impl ChallengeOf for EvmTranscript<Vec<u8>> {
    type E = Challenge255<G1Affine>;
}
impl ChallengeOf for Ref<Vec<u8>> {
    type E = ChallengeEvm<G1Affine>;
}

/// A proof made with our transcript verifies with snark-verifier's reader, and a proof made
/// with snark-verifier's writer verifies with ours. (halo2-axiom's prover draws some blinding
/// from its own thread-local randomness, so two proofs are never byte-equal even under one seed;
/// byte equality of the encoding itself is checked by the test above.)
#[test]
fn proofs_cross_verify_with_snark_verifier() {
    let (params, pk, circuit) = setup(3);
    let instances = circuit.instances();
    let ours = prove_with::<EvmTranscript<Vec<u8>>>(&params, &pk, &circuit, 42);
    let theirs = prove_with::<Ref<Vec<u8>>>(&params, &pk, &circuit, 42);
    assert_eq!(ours.len(), theirs.len());

    let mut reader = <Ref<&[u8]>>::new(&ours[..]);
    verify_proof::<KZGCommitmentScheme<Bn256>, VerifierSHPLONK<'_, Bn256>, _, _, _>(
        &params,
        pk.get_vk(),
        SingleStrategy::new(&params),
        &[&[&instances]],
        &mut reader,
    )
    .expect("snark-verifier's transcript accepts our proof");
    let key = CircuitKey::new(pk.get_vk(), 3).unwrap();
    verify(&params, &key, &ours, &instances).unwrap();
    verify(&params, &key, &theirs, &instances).expect("we accept snark-verifier's proof");
}

#[test]
fn verify_rejects_tampering() {
    let (params, pk, circuit) = setup(2);
    let vk = &CircuitKey::new(pk.get_vk(), 2).unwrap();
    let instances = circuit.instances();
    let proof = prove_with::<EvmTranscript<Vec<u8>>>(&params, &pk, &circuit, 3);
    verify(&params, vk, &proof, &instances).unwrap();

    for pos in [0, 31, 32, 63, 64, proof.len() / 2, proof.len() - 33, proof.len() - 1] {
        let mut bad = proof.clone();
        bad[pos] ^= 0x01;
        let err = verify(&params, vk, &bad, &instances).unwrap_err();
        assert!(matches!(err, VerifyError::Rejected | VerifyError::Malformed(_)), "byte {pos}: {err}");
    }
    let mut changed = instances.clone();
    changed[1] += Fr::ONE;
    assert!(matches!(verify(&params, vk, &proof, &changed), Err(VerifyError::Rejected)));
    let short = verify(&params, vk, &proof, &instances[..1]);
    assert!(matches!(short, Err(VerifyError::InstanceCount { expected: 2, got: 1 })), "{short:?}");
    assert!(matches!(verify(&params, vk, &proof[..proof.len() - 1], &instances), Err(VerifyError::Truncated(_))));
    assert!(matches!(verify(&params, vk, &[], &instances), Err(VerifyError::Truncated(_))));
    let mut long = proof.clone();
    long.push(0);
    assert!(matches!(verify(&params, vk, &long, &instances), Err(VerifyError::TrailingBytes { extra: 1 })));
    // The proof starts with an advice commitment: an x coordinate of all 0xff is >= p.
    let mut noncanon = proof.clone();
    noncanon[..32].fill(0xff);
    assert!(matches!(verify(&params, vk, &noncanon, &instances), Err(VerifyError::Malformed(_))));
}
