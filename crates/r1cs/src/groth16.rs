//! Groth16 (ark-groth16 on BN254) over a lowered [`R1cs`]: setup, prove, verify, and the byte
//! forms of keys and proofs.
//!
//! The system is replayed into arkworks' constraint system row by row (`Replay`), so the rows
//! arkworks proves are the rows the witness search reads. Setup is circuit-specific: its
//! randomness (the "toxic waste" `α, β, γ, δ, τ`) lets whoever knows it forge proofs for this
//! circuit, so a development setup from a known seed is for testing only.

use ark_bn254::{Bn254, Fr};
use ark_ec::CurveGroup;
use ark_ff::{BigInteger, PrimeField};
use ark_groth16::{Groth16, PreparedVerifyingKey, Proof, ProvingKey, VerifyingKey};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, LinearCombination, SynthesisError, Variable};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use ark_snark::SNARK;
use ark_std::rand::{CryptoRng, RngCore};
use rand::SeedableRng;
use zkinfer_verifier::evm::groth16::{Groth16Vk, Word};

use crate::system::{Assignment, Lc, R1cs, Var};
use crate::R1csError;

/// A Groth16 proving key on BN254 (it holds the verifying key, `pk.vk`).
pub type Groth16ProvingKey = ProvingKey<Bn254>;
/// A Groth16 verifying key on BN254.
pub type Groth16VerifyingKey = VerifyingKey<Bn254>;

/// Bytes of a proof in its uncompressed form (`A` in G1, `B` in G2, `C` in G1).
pub const PROOF_BYTES: usize = 256;

/// The system (and, when proving, its assignment) as an arkworks circuit.
pub(crate) struct Replay<'a> {
    pub(crate) system: &'a R1cs,
    pub(crate) assignment: Option<&'a Assignment>,
}

impl ConstraintSynthesizer<Fr> for Replay<'_> {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let value = |v: Var| -> Result<Fr, SynthesisError> {
            self.assignment.map(|a| a.get(v)).ok_or(SynthesisError::AssignmentMissing)
        };
        let public = (0..self.system.public)
            .map(|i| cs.new_input_variable(|| value(Var::Public(i as u32))))
            .collect::<Result<Vec<Variable>, _>>()?;
        let witness = (0..self.system.witness)
            .map(|i| cs.new_witness_variable(|| value(Var::Witness(i as u32))))
            .collect::<Result<Vec<Variable>, _>>()?;
        let map = |lc: &Lc| -> LinearCombination<Fr> {
            LinearCombination(
                lc.0.iter()
                    .map(|&(c, v)| {
                        let var = match v {
                            Var::One => Variable::One,
                            Var::Public(i) => public[i as usize],
                            Var::Witness(i) => witness[i as usize],
                        };
                        (c, var)
                    })
                    .collect(),
            )
        };
        for row in &self.system.rows {
            cs.enforce_r1cs_constraint(|| map(&row.a), || map(&row.b), || map(&row.c))?;
        }
        Ok(())
    }
}

pub(crate) fn ark(e: SynthesisError) -> R1csError {
    R1csError::Ark(e.to_string())
}

/// Generates the proving key (which holds the verifying key) of `system` from `rng`'s
/// randomness. Whoever knows that randomness can forge proofs: see the module docs.
pub fn setup<R: RngCore + CryptoRng>(system: &R1cs, rng: &mut R) -> Result<ProvingKey<Bn254>, R1csError> {
    let (pk, _) = Groth16::<Bn254>::circuit_specific_setup(Replay { system, assignment: None }, rng).map_err(ark)?;
    Ok(pk)
}

/// [`setup`] with randomness from `seed`: for development only, since anyone who knows the
/// seed can forge proofs for this circuit.
pub fn setup_dev(system: &R1cs, seed: u64) -> Result<ProvingKey<Bn254>, R1csError> {
    setup(system, &mut rand_chacha::ChaCha20Rng::seed_from_u64(seed))
}

/// [`setup`] with fresh randomness from the operating system, dropped when it returns: nobody
/// can forge proofs unless this process's memory was read while it ran.
pub fn setup_fresh(system: &R1cs) -> Result<ProvingKey<Bn254>, R1csError> {
    setup(system, &mut rand::rngs::OsRng)
}

/// [`prove`] with fresh randomness from the operating system.
pub fn prove_fresh(pk: &ProvingKey<Bn254>, system: &R1cs, assignment: &Assignment) -> Result<Vec<u8>, R1csError> {
    let proof = prove(pk, system, assignment, &mut rand::rngs::OsRng)?;
    Ok(to_bytes(&proof))
}

/// Decodes `proof` ([`to_bytes`]) and checks it against the statement's words `public`:
/// `Ok(())` when it verifies, [`R1csError::Rejected`] when it does not.
pub fn verify_bytes(vk: &VerifyingKey<Bn254>, public: &[Fr], proof: &[u8]) -> Result<(), R1csError> {
    let proof: Proof<Bn254> = from_bytes(proof, "proof")?;
    match verify(vk, public, &proof)? {
        true => Ok(()),
        false => Err(R1csError::Rejected),
    }
}

/// Proves that `assignment` satisfies `system` (made zero-knowledge with `rng`).
pub fn prove<R: RngCore + CryptoRng>(
    pk: &ProvingKey<Bn254>,
    system: &R1cs,
    assignment: &Assignment,
    rng: &mut R,
) -> Result<Proof<Bn254>, R1csError> {
    if assignment.public.len() != system.public || assignment.witness.len() != system.witness {
        return Err(R1csError::Invalid("the assignment does not match the system".into()));
    }
    Groth16::<Bn254>::prove(pk, Replay { system, assignment: Some(assignment) }, rng).map_err(ark)
}

/// Checks `proof` against the public inputs `public` (as field elements, in statement order).
/// A wrong number of public inputs is an error, not a rejection, so that a caller that mixes
/// up models hears why.
pub fn verify(vk: &VerifyingKey<Bn254>, public: &[Fr], proof: &Proof<Bn254>) -> Result<bool, R1csError> {
    let expected = vk.gamma_abc_g1.len().saturating_sub(1);
    if public.len() != expected {
        return Err(R1csError::InstanceCount { expected, got: public.len() });
    }
    let pvk: PreparedVerifyingKey<Bn254> = ark_groth16::prepare_verifying_key(vk);
    Groth16::<Bn254>::verify_with_processed_vk(&pvk, public, proof).map_err(ark)
}

/// The uncompressed bytes of `value` (arkworks' canonical form).
pub fn to_bytes<T: CanonicalSerialize>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.uncompressed_size());
    // Writing into a Vec cannot fail.
    let _ = value.serialize_uncompressed(&mut out);
    out
}

/// Reads `bytes` written by [`to_bytes`], checking that every point is on its curve and in its
/// subgroup, and that nothing trails.
pub fn from_bytes<T: CanonicalDeserialize>(bytes: &[u8], what: &'static str) -> Result<T, R1csError> {
    let mut reader = bytes;
    let value =
        T::deserialize_uncompressed(&mut reader).map_err(|e| R1csError::Decode { what, reason: e.to_string() })?;
    if !reader.is_empty() {
        return Err(R1csError::Decode { what, reason: format!("{} bytes trail the value", reader.len()) });
    }
    Ok(value)
}

/// [`from_bytes`] without the curve and subgroup checks, for a proving key read back from a
/// file whose checksum already caught any corruption (`zkinfer_prover::artifact`): the checks
/// cost more than proving (5.5 s for a 67k-row key), and a proving key only ever harms its own
/// prover. Never for a verifying key or a proof, whose points come from someone else.
pub fn from_bytes_unchecked<T: CanonicalDeserialize>(bytes: &[u8], what: &'static str) -> Result<T, R1csError> {
    let mut reader = bytes;
    let value = T::deserialize_uncompressed_unchecked(&mut reader)
        .map_err(|e| R1csError::Decode { what, reason: e.to_string() })?;
    if !reader.is_empty() {
        return Err(R1csError::Decode { what, reason: format!("{} bytes trail the value", reader.len()) });
    }
    Ok(value)
}

/// A field element (a base-field coordinate or a scalar) as a big-endian 32-byte word.
fn word<F: PrimeField>(x: &F) -> Word {
    let mut w = [0u8; 32];
    w.copy_from_slice(&x.into_bigint().to_bytes_be());
    w
}

fn g1(p: &ark_bn254::G1Affine) -> [Word; 2] {
    [word(&p.x), word(&p.y)]
}

/// A G2 point as the pairing precompile reads it: `x1, x0, y1, y0`.
fn g2(p: &ark_bn254::G2Affine) -> [Word; 4] {
    [word(&p.x.c1), word(&p.x.c0), word(&p.y.c1), word(&p.y.c0)]
}

/// The verifying key as the Solidity verifier holds it. With `pinned` (the model id of hashed
/// parameters), the verifier accepts only proofs whose instance 0 is that value, and instance
/// 0's term is folded into the constant: `IC_0 + pinned · IC_1` (one `ecMul` and `ecAdd` fewer
/// per verification).
pub fn evm_vk(vk: &VerifyingKey<Bn254>, pinned: Option<Fr>) -> Result<Groth16Vk, R1csError> {
    let mut ic: Vec<[Word; 2]> = vk.gamma_abc_g1.iter().map(g1).collect();
    if let Some(id) = pinned {
        let [ic0, ic1, ..] = vk.gamma_abc_g1.as_slice() else {
            return Err(R1csError::Invalid("a key without public inputs pins no model id".into()));
        };
        ic[0] = g1(&(*ic0 + *ic1 * id).into_affine());
    }
    Ok(Groth16Vk {
        alpha: g1(&vk.alpha_g1),
        beta: g2(&vk.beta_g2),
        gamma: g2(&vk.gamma_g2),
        delta: g2(&vk.delta_g2),
        ic,
        pinned: pinned.map(|id| word(&id)),
    })
}

/// The calldata of `verifyProof(proof, instances)` for a proof in [`to_bytes`] form and its
/// statement's words: the proof as the 256 bytes `A, B, C` the Solidity verifier reads.
pub fn evm_calldata(proof: &[u8], public: &[Fr]) -> Result<Vec<u8>, R1csError> {
    let proof: Proof<Bn254> = from_bytes(proof, "proof")?;
    let words: Vec<Word> = [g1(&proof.a).as_slice(), g2(&proof.b).as_slice(), g1(&proof.c).as_slice()].concat();
    let instances: Vec<Word> = public.iter().map(word).collect();
    Ok(zkinfer_verifier::evm::encode_calldata_words(&words.concat(), &instances))
}
