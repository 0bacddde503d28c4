//! Groth16 on BN254, the second proof system, at the library level: the same quantized graph
//! and the same integer evaluation as the Halo2 pipeline, lowered to R1CS
//! ([`zkinfer_r1cs`]) and proven with `ark-groth16`.
//!
//! What is built: lowering of every primitive (fixed, private or hashed parameters; public,
//! private or hashed inputs and outputs, a hash being the same Poseidon element as Halo2's), a development setup,
//! proving, native verification, the 256-byte proof, the Solidity verifier with its calldata
//! ([`solidity`], [`calldata`]), the statement packed (several bounded public values per field
//! element, [`Packing`]), and snarkjs's JSON forms ([`snarkjs`]); the CLI runs it all with
//! `--proof-system groth16`. Private and hashed parameters are witnesses, and a hashed model's
//! id is public input 0, the same element as Halo2's instance 0.
//!
//! ```no_run
//! # fn main() -> Result<(), zkinfer::Error> {
//! use zkinfer::{groth16, CompileOptions, Model};
//! let model = Model::load("examples/models/mlp_digits.onnx")?;
//! let samples = zkinfer::read_samples("examples/models/mlp_digits.calibration.json", &model)?;
//! let q = model.quantize(&samples, &CompileOptions::default())?;
//! let keys = groth16::setup_dev(&q, 0)?;
//! let proof = groth16::prove(&q, &keys, &samples[0])?;
//! groth16::verify(&keys.verifying_key(), &proof)?;
//! # Ok(())
//! # }
//! ```

use zkinfer_graph::{QGraph, Witness};
use zkinfer_r1cs::groth16 as g16;
pub use zkinfer_r1cs::groth16::PROOF_BYTES;
pub use zkinfer_r1cs::{int, to_int, Fr, PackedSegment, Packing, R1csError};

use crate::Error;

/// A model's Groth16 proving key, with the size of its constraint system.
#[derive(Debug)]
pub struct Groth16Keys {
    pub(crate) proving: g16::Groth16ProvingKey,
    pub(crate) packing: Packing,
    /// Rows of the constraint system.
    pub constraints: usize,
    /// Witness variables.
    pub witness_variables: usize,
    /// Public inputs of the proof system: the statement's words, after packing.
    pub public_inputs: usize,
}

impl Groth16Keys {
    /// The verifying key.
    pub fn verifying_key(&self) -> VerifyingKey {
        VerifyingKey { key: self.proving.vk.clone(), packing: self.packing.clone() }
    }
}

/// What a verifier needs: the Groth16 key, and how the public values are packed into its
/// public inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifyingKey {
    /// The Groth16 verifying key.
    pub key: g16::Groth16VerifyingKey,
    /// The statement's packing.
    pub packing: Packing,
}

impl VerifyingKey {
    /// The public inputs (field elements, in statement order) that `proof`'s values pack to.
    pub fn statement(&self, proof: &Groth16Proof) -> Result<Vec<Fr>, Error> {
        Ok(self.packing.pack(&proof.public)?)
    }
}

/// One Groth16 proof and the public values it proves (in the instance order of
/// [`zkinfer_graph::InstanceLayout`]: the model id with hashed parameters, public inputs, then
/// public outputs), before packing: an
/// integer `v` as the field element `v mod p` ([`zkinfer_r1cs::to_int`] reads it back), a
/// hashed input's or output's Poseidon hash as itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Groth16Proof {
    /// `A`, `B`, `C` uncompressed ([`PROOF_BYTES`] bytes, arkworks' canonical encoding).
    pub bytes: Vec<u8>,
    /// The public values.
    pub public: Vec<Fr>,
}

/// A development setup from a known `seed`.
///
/// **Not for production:** Groth16's setup is circuit-specific, and whoever knows its
/// randomness can prove anything for this circuit; a seed anyone can read is such knowledge. A
/// real deployment needs a multi-party ceremony for this model's circuit (with fixed parameters
/// the circuit contains the weights, so only parties who know them can take part; with private
/// or hashed ones it holds none, so anyone can).
pub fn setup_dev(q: &QGraph, seed: u64) -> Result<Groth16Keys, Error> {
    keys(q, |system| g16::setup_dev(system, seed))
}

/// A single-party setup with fresh randomness from the operating system, dropped when it
/// returns (what `zkinfer setup` runs). Still not a ceremony: whoever could read this process's
/// memory while it ran could forge proofs for this circuit.
pub fn setup(q: &QGraph) -> Result<Groth16Keys, Error> {
    keys(q, g16::setup_fresh)
}

fn keys(
    q: &QGraph,
    setup: impl FnOnce(&zkinfer_r1cs::R1cs) -> Result<g16::Groth16ProvingKey, R1csError>,
) -> Result<Groth16Keys, Error> {
    let lowered = zkinfer_r1cs::lower(q, None)?;
    let proving = setup(&lowered.system)?;
    Ok(Groth16Keys {
        proving,
        packing: lowered.packing,
        constraints: lowered.system.rows.len(),
        witness_variables: lowered.system.witness,
        public_inputs: lowered.system.public,
    })
}

/// Proves one run of `q` on `inputs` (one flat vector of real values per input).
pub fn prove(q: &QGraph, keys: &Groth16Keys, inputs: &[Vec<f32>]) -> Result<Groth16Proof, Error> {
    let refs: Vec<&[f32]> = inputs.iter().map(Vec::as_slice).collect();
    let witness = q.eval_inputs(q.quantize_inputs(&refs)?)?;
    Ok(prove_witness(q, keys, &witness)?.0)
}

/// Proves the run whose exact evaluation is `witness`; also returns the statement's words.
pub fn prove_witness(q: &QGraph, keys: &Groth16Keys, witness: &Witness) -> Result<(Groth16Proof, Vec<Fr>), Error> {
    let lowered = zkinfer_r1cs::lower(q, Some(witness))?;
    let assignment = lowered.assignment.ok_or_else(|| Error::Config("lowering kept no assignment".into()))?;
    if lowered.system.rows.len() != keys.constraints || lowered.packing != keys.packing {
        return Err(Error::Config("these Groth16 keys were made for another model".into()));
    }
    let bytes = g16::prove_fresh(&keys.proving, &lowered.system, &assignment)?;
    let public = lowered.packing.unpack(&assignment.public)?;
    Ok((Groth16Proof { bytes, public }, assignment.public))
}

/// Checks `proof` under `vk`: `Ok` only when it verifies for exactly its public values.
pub fn verify(vk: &VerifyingKey, proof: &Groth16Proof) -> Result<(), Error> {
    Ok(g16::verify_bytes(&vk.key, &vk.statement(proof)?, &proof.bytes)?)
}

/// The model id of `q` (hashed parameters): Poseidon of its packed weights, biases and salt,
/// public input 0 of its proofs, the same element as Halo2's instance 0. `None` for other
/// parameter visibilities.
pub fn model_id(q: &QGraph) -> Option<Fr> {
    zkinfer_circuits::model_id(q).map(|id| zkinfer_r1cs::from_halo2(&id))
}

/// The Solidity source of the Groth16 verifier for `vk` (contract `ZkinferGroth16Verifier`,
/// same ABI as the Halo2 verifier: `verifyProof(bytes, uint256[])`, whose instances are the
/// packed words, [`VerifyingKey::statement`]). With `model_id` (hashed parameters: the model's
/// [`zkinfer_circuits::model_id`]) it accepts proofs of that model only, and `modelId()`
/// returns it; without, proofs of any weights of the architecture, whose callers check
/// instance 0 themselves.
pub fn solidity(vk: &VerifyingKey, model_id: Option<Fr>) -> Result<String, Error> {
    Ok(zkinfer_verifier::evm::groth16::groth16_solidity(&g16::evm_vk(&vk.key, model_id)?))
}

/// `proof` and `vk` in snarkjs's JSON forms, for `snarkjs groth16 verify verification_key.json
/// public.json proof.json`: `(verification_key, proof, public)`, each pretty-printed. The
/// public inputs are the packed words ([`VerifyingKey::statement`]).
pub fn snarkjs(vk: &VerifyingKey, proof: &Groth16Proof) -> Result<[String; 3], Error> {
    snarkjs_files(&vk.key, &proof.bytes, &vk.statement(proof)?)
}

/// `(verification_key, proof, public)` of a key, a proof in arkworks' form, and its words.
pub(crate) fn snarkjs_files(key: &g16::Groth16VerifyingKey, proof: &[u8], words: &[Fr]) -> Result<[String; 3], Error> {
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    Ok([
        pretty(&zkinfer_r1cs::snarkjs::verification_key(key)),
        pretty(&zkinfer_r1cs::snarkjs::proof(proof)?),
        pretty(&zkinfer_r1cs::snarkjs::public(words)),
    ])
}

/// The calldata of `verifyProof` for `proof` on the Groth16 Solidity verifier (its values
/// packed as `vk` says).
pub fn calldata(vk: &VerifyingKey, proof: &Groth16Proof) -> Result<Vec<u8>, Error> {
    Ok(g16::evm_calldata(&proof.bytes, &vk.statement(proof)?)?)
}
