//! The Groth16 back end of the facade's pipeline (as `halo2.rs` is Halo2's): the circuit a model
//! compiles to ([`R1csPlan`]), its key files, and proving and verifying proof files. The
//! proof-system independent pipeline (`pipeline.rs`) dispatches here on
//! [`crate::ProofSystem::Groth16`]; the library-level steps are in [`crate::groth16`].

use std::path::Path;

use halo2_axiom::halo2curves::bn256::Fr as HaloFr;
use serde::{Deserialize, Serialize};
use sha3::{Digest, Keccak256};
use zkinfer_graph::{QGraph, Witness};
use zkinfer_prover::artifact::{read_artifact, write_artifact, ArtifactKind};
use zkinfer_prover::Backend;
use zkinfer_r1cs::groth16 as g16;
use zkinfer_r1cs::{Fr, Packing, R1csError};

use crate::artifacts::{file, Compiled, Settings, PK_FILE, VK_FILE};
use crate::groth16::{Groth16Keys, VerifyingKey};
use crate::proof::{to_hex, ProofBundle};
use crate::{CircuitSpec, Error, Srs};

/// The warning every development (single-party) Groth16 setup prints.
pub const SETUP_WARNING: &str = "INSECURE for production: a single-party Groth16 setup. This machine drew the \
     setup's secret randomness and dropped it; whoever could read it (this process's memory) could forge proofs \
     for this circuit. A deployment makes its keys in a multi-party ceremony instead: `zkinfer ceremony` \
     (secure if any one participant drops their secret).";

/// The Groth16 circuit of a model, as `settings.json` records it (`"circuit": {"groth16":
/// ...}`): its size, the statement's packing, and the digest that ties keys to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct R1csPlan {
    /// Rows of the constraint system.
    pub constraints: usize,
    /// Witness variables.
    pub witness_variables: usize,
    /// Public inputs of the proof system: the statement's packed words.
    pub public_inputs: usize,
    /// How the public values sit in those words.
    pub packing: Packing,
    /// Keccak-256 of the compiled circuit: with fixed parameters `circuit.bin`'s quantized
    /// graph, weights included (they are the circuit's coefficients); with private or hashed
    /// parameters the graph with its parameters zeroed ([`crate::ModelIdentity::structure`]),
    /// since the circuit holds no weights and one key serves every model of that structure (a
    /// hashed model's id is then public input 0 of each proof). Both key files record it, and a
    /// key of any other circuit is refused by name.
    pub circuit_digest: String,
}

impl R1csPlan {
    /// The plan of `q` (an [`R1csError::Unsupported`] for what Groth16 does not prove yet).
    pub fn of(q: &QGraph) -> Result<Self, Error> {
        let lowered = zkinfer_r1cs::lower(q, None)?;
        Ok(Self {
            constraints: lowered.system.rows.len(),
            witness_variables: lowered.system.witness,
            public_inputs: lowered.system.public,
            packing: lowered.packing,
            circuit_digest: digest(q),
        })
    }

    /// `⌈log2⌉` of the rows: the size of the FFT domain the prover works over.
    pub fn k(&self) -> u32 {
        self.constraints.max(2).next_power_of_two().trailing_zeros()
    }

    /// One line for people.
    pub fn summary(&self) -> String {
        format!(
            "Groth16 R1CS: {} constraints, {} witness variables, {} public values in {} public input(s)",
            self.constraints,
            self.witness_variables,
            self.packing.values(),
            self.public_inputs
        )
    }
}

/// The circuit digest of `q` ([`R1csPlan::circuit_digest`]).
pub(crate) fn digest(q: &QGraph) -> String {
    if !q.params.is_fixed() {
        return crate::identity::structure_digest(q);
    }
    // Serializing a plain struct of vectors cannot fail.
    to_hex(&Keccak256::digest(serde_json::to_vec(q).unwrap_or_default()))
}

/// A compiled model's Groth16 keys (what `zkinfer setup` writes).
#[derive(Debug)]
pub struct Keys {
    /// The proving key, which holds the verifying key.
    pub keys: Groth16Keys,
    /// The compiled model's settings.
    pub settings: Settings,
    /// Set when the setup is a development one ([`SETUP_WARNING`]).
    pub insecure_setup_warning: Option<String>,
}

/// What a Groth16 verifier holds: the verifying key (with the packing) and the settings.
#[derive(Debug)]
pub struct VerifierKeys {
    /// The verifying key.
    pub vk: VerifyingKey,
    /// The compiled model's settings.
    pub settings: Settings,
}

/// The Groth16 plan of a model compiled for Groth16.
pub(crate) fn plan(settings: &Settings) -> Result<&R1csPlan, Error> {
    match &settings.circuit {
        CircuitSpec::Groth16(plan) => Ok(plan),
        other => Err(Error::Config(format!("the model is compiled for {}, not groth16", other.proof_system()))),
    }
}

/// Writes `payload` behind the circuit's digest.
fn write_key(path: &Path, kind: ArtifactKind, digest: &str, payload: &[u8]) -> Result<(), Error> {
    let mut bytes = digest.as_bytes().to_vec();
    bytes.extend_from_slice(payload);
    Ok(write_artifact(path, kind, &bytes)?)
}

/// Reads a key file, checking that it records `settings`' circuit digest, and decodes the key.
fn read_key<T>(
    dir: &Path,
    name: &str,
    kind: ArtifactKind,
    settings: &Settings,
    decode: impl FnOnce(&[u8]) -> Result<T, R1csError>,
) -> Result<T, Error> {
    let path = file(dir, name);
    let want = &plan(settings)?.circuit_digest;
    let bytes = read_artifact(&path, kind)?;
    let bad = |reason: String| Error::BadFile { path: path.clone(), reason };
    let (digest, key) = bytes.split_at_checked(want.len()).ok_or_else(|| bad("truncated before its key".into()))?;
    if digest != want.as_bytes() {
        return Err(bad(format!(
            "this {kind} belongs to the circuit {}, settings.json's is {want}: another model (run setup again)",
            String::from_utf8_lossy(digest)
        )));
    }
    decode(key).map_err(|e| bad(e.to_string()))
}

impl Keys {
    /// The verifier's half.
    pub fn verifier(&self) -> VerifierKeys {
        VerifierKeys { vk: self.keys.verifying_key(), settings: self.settings.clone() }
    }

    /// Writes `pk.bin` and `vk.bin` into `dir`.
    pub fn save(&self, dir: &Path) -> Result<(), Error> {
        let digest = &plan(&self.settings)?.circuit_digest;
        write_key(&file(dir, PK_FILE), ArtifactKind::Groth16ProvingKey, digest, &g16::to_bytes(&self.keys.proving))?;
        let vk = g16::to_bytes(&self.keys.proving.vk);
        write_key(&file(dir, VK_FILE), ArtifactKind::Groth16VerifyingKey, digest, &vk)
    }

    /// Reads the proving key of a `setup` directory, for the model `settings` describes.
    pub fn load(dir: &Path, settings: &Settings) -> Result<Self, Error> {
        let proving = read_key(dir, PK_FILE, ArtifactKind::Groth16ProvingKey, settings, |b| {
            // The artifact's checksum has caught corruption; the points are our own setup's.
            g16::from_bytes_unchecked::<g16::Groth16ProvingKey>(b, "proving key")
        })?;
        Self::of_key(proving, settings)
    }

    /// The keys of the model `settings` describes, around a proving key made elsewhere (read
    /// back, or from a ceremony): the sizes and the packing come from the settings' plan.
    pub(crate) fn of_key(proving: g16::Groth16ProvingKey, settings: &Settings) -> Result<Self, Error> {
        let plan = plan(settings)?;
        let keys = Groth16Keys {
            proving,
            packing: plan.packing.clone(),
            constraints: plan.constraints,
            witness_variables: plan.witness_variables,
            public_inputs: plan.public_inputs,
        };
        Ok(Self { keys, settings: settings.clone(), insecure_setup_warning: None })
    }
}

impl VerifierKeys {
    /// Reads `vk.bin` from `dir`, for the model `settings` describes.
    pub fn load(dir: &Path, settings: Settings) -> Result<Self, Error> {
        let key = read_key(dir, VK_FILE, ArtifactKind::Groth16VerifyingKey, &settings, |b| {
            g16::from_bytes::<g16::Groth16VerifyingKey>(b, "verifying key")
        })?;
        let vk = VerifyingKey { key, packing: plan(&settings)?.packing.clone() };
        Ok(Self { vk, settings })
    }
}

/// Circuit-specific key generation with fresh randomness. Groth16 takes no SRS file.
pub(crate) fn setup(compiled: &Compiled, srs: Srs) -> Result<Keys, Error> {
    if !matches!(srs, Srs::Dev) {
        return Err(Error::Config(
            "a Groth16 setup takes no SRS: it is circuit-specific; run setup without --srs (development \
             keys), or make the keys in a multi-party ceremony with `zkinfer ceremony`"
                .into(),
        ));
    }
    let _span = tracing::info_span!("setup", proof_system = "groth16").entered();
    let keys = crate::groth16::setup(&compiled.qgraph)?;
    Ok(Keys { keys, settings: compiled.settings.clone(), insecure_setup_warning: Some(SETUP_WARNING.into()) })
}

/// Proves `witness` (on the CPU: the GPU prover is Halo2's).
pub(crate) fn prove(
    compiled: &Compiled,
    keys: &Keys,
    witness: Witness,
    backend: Backend,
) -> Result<ProofBundle, Error> {
    if backend != Backend::Cpu {
        return Err(Error::Config(format!("the {backend} prover is Halo2's; Groth16 proves on the CPU")));
    }
    let _span = tracing::info_span!("prove", proof_system = "groth16").entered();
    let outputs = compiled.public_outputs(&witness);
    let (proof, words) = crate::groth16::prove_witness(&compiled.qgraph, &keys.keys, &witness)?;
    let instances: Vec<HaloFr> = words.iter().map(zkinfer_r1cs::to_halo2).collect();
    Ok(ProofBundle::new(&proof.bytes, &instances, &compiled.settings, outputs))
}

/// Checks the proof of `bundle` against its words `instances` (already counted against the
/// settings).
pub(crate) fn verify(keys: &VerifierKeys, bundle: &ProofBundle, instances: &[HaloFr]) -> Result<(), Error> {
    let words = words(instances);
    match g16::verify_bytes(&keys.vk.key, &words, &bundle.proof_bytes()?) {
        Ok(()) => Ok(()),
        Err(e @ (R1csError::Rejected | R1csError::Decode { .. })) => Err(Error::BadProof(e.to_string())),
        Err(e) => Err(e.into()),
    }
}

/// The public values `instances` (the packed words) stand for, in statement order.
pub(crate) fn values(settings: &Settings, instances: &[HaloFr]) -> Result<Vec<Option<i64>>, Error> {
    let words = words(instances);
    let values = plan(settings)?.packing.unpack(&words).map_err(|e| Error::BadProof(e.to_string()))?;
    // A hash reads as no integer (None), as it does for Halo2.
    Ok(values.into_iter().map(|v| zkinfer_r1cs::to_int(v).and_then(|v| i64::try_from(v).ok())).collect())
}

/// The calldata of `verifyProof` for a Groth16 proof file.
pub(crate) fn calldata(bundle: &ProofBundle, instances: &[HaloFr]) -> Result<Vec<u8>, Error> {
    let words = words(instances);
    Ok(g16::evm_calldata(&bundle.proof_bytes()?, &words)?)
}

/// A Groth16 proof file and the verifying key of `keys` in snarkjs's JSON forms,
/// `(verification_key, proof, public)`, for `snarkjs groth16 verify verification_key.json
/// public.json proof.json`; an error for a model compiled for another proof system.
pub fn snarkjs(keys: &crate::VerifierKeys, bundle: &ProofBundle) -> Result<[String; 3], Error> {
    let crate::VerifierKeys::Groth16(keys) = keys else {
        return Err(Error::Config(format!(
            "snarkjs checks Groth16 proofs; this model is compiled for {} (compile with --proof-system groth16)",
            keys.settings().proof_system()
        )));
    };
    if bundle.proof_system != keys.settings.proof_system() {
        return Err(Error::BadProof(format!("a {} proof file, not a groth16 one", bundle.proof_system)));
    }
    let words = words(&bundle.instances_for(&keys.settings)?);
    crate::groth16::snarkjs_files(&keys.vk.key, &bundle.proof_bytes()?, &words)
}

/// A proof file's instances (halo2's field elements) as the statement's words (arkworks').
fn words(instances: &[HaloFr]) -> Vec<Fr> {
    instances.iter().map(zkinfer_r1cs::from_halo2).collect()
}
