//! The Halo2 back end of the facade: KZG parameters (the SRS), proving and verifying keys, and
//! proving and verifying with them. Everything here is specific to Halo2; the proof-system
//! independent pipeline (`pipeline.rs`) dispatches to it on [`crate::ProofSystem::Halo2`]. A
//! second proof system is a second module like this one.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use halo2_axiom::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_axiom::plonk::{ProvingKey, VerifyingKey};
use halo2_axiom::poly::commitment::Params;
use halo2_axiom::poly::kzg::commitment::ParamsKZG;
use zkinfer_circuits::{public_instances, ModelCircuit};
use zkinfer_graph::{InstanceRole, Witness};
use zkinfer_prover::{artifact, Backend, ProvePhases};

pub use zkinfer_circuits::{CircuitPlan, Objective, PlanOptions};

use crate::artifacts::{file, Compiled, Settings, PK_FILE, SRS_FILE, VK_FILE};
use crate::proof::ProofBundle;
use crate::Error;

/// Where the KZG structured reference string comes from.
#[derive(Debug, Clone)]
pub enum Srs {
    /// A freshly generated development SRS: INSECURE (its generator knows the trapdoor), for testing only.
    Dev,
    /// A ceremony file in halo2's `ParamsKZG` format (e.g. EZKL's `kzg<k>.srs`), downsized as needed.
    File(PathBuf),
    /// Parameters already in memory (downsized to the circuit's k if larger).
    Loaded(Box<ParamsKZG<Bn256>>),
}

/// Halo2's proving and verifying keys with the SRS they were made for.
#[derive(Debug)]
pub struct Keys {
    /// The KZG parameters, at the circuit's `k`.
    pub params: ParamsKZG<Bn256>,
    /// The proving key (it holds the verifying key).
    pub pk: ProvingKey<G1Affine>,
    /// The compiled model's settings.
    pub settings: Settings,
    /// Set when the SRS is a development one.
    pub insecure_srs_warning: Option<String>,
}

/// What a Halo2 verifier holds: the verifying key, the SRS and the public settings.
#[derive(Debug)]
pub struct VerifierKeys {
    /// The KZG parameters, at the circuit's `k`.
    pub params: ParamsKZG<Bn256>,
    /// The verifying key.
    pub vk: VerifyingKey<G1Affine>,
    /// The compiled model's settings.
    pub settings: Settings,
}

impl Keys {
    /// The verifier's half.
    pub fn verifier(&self) -> VerifierKeys {
        VerifierKeys { params: self.params.clone(), vk: self.pk.get_vk().clone(), settings: self.settings.clone() }
    }

    /// Writes `pk.bin`, `vk.bin` and `srs.bin` into `dir`.
    pub fn save(&self, dir: &Path) -> Result<(), Error> {
        artifact::write_pk(&file(dir, PK_FILE), &self.pk)?;
        artifact::write_vk(&file(dir, VK_FILE), self.pk.get_vk())?;
        zkinfer_prover::save_srs(&file(dir, SRS_FILE), &self.params)?;
        Ok(())
    }

    /// Reads the proving side of a `setup` directory.
    pub fn load(dir: &Path, settings: &Settings) -> Result<Self, Error> {
        let plan = plan(settings)?;
        let params = zkinfer_prover::load_srs(&file(dir, SRS_FILE), plan.k)?;
        let pk = artifact::read_pk::<ModelCircuit>(&file(dir, PK_FILE), plan.k, plan.clone())?;
        check_key_k(&file(dir, PK_FILE), "proving", pk.get_vk(), settings)?;
        Ok(Self { params, pk, settings: settings.clone(), insecure_srs_warning: None })
    }
}

impl VerifierKeys {
    /// The key both verifiers check proofs against: the verifying key with the exact number of
    /// public instances the settings give (halo2's key alone does not fix it), and, with hashed
    /// parameters, the model id pinned at instance 0, so that a proof of other weights of the
    /// same architecture is rejected by the key itself.
    pub fn circuit_key(&self) -> Result<zkinfer_verifier::CircuitKey<'_>, Error> {
        let key = self.any_model_key()?;
        let Some(id) = &self.settings.model_id else { return Ok(key) };
        let rows = self.settings.instances.range(InstanceRole::Params, 0).unwrap_or_default();
        let value = crate::proof::fr_from_hex(id)
            .ok_or_else(|| Error::Config(format!("settings.json: model_id {id} is not a field element")))?;
        Ok(key.pin(rows.start, value)?)
    }

    /// [`VerifierKeys::circuit_key`] without the model id: it accepts a proof of any model of
    /// this architecture, so its caller checks instance 0 itself (`ModelRegistry.sol` does).
    pub fn any_model_key(&self) -> Result<zkinfer_verifier::CircuitKey<'_>, Error> {
        Ok(zkinfer_verifier::CircuitKey::new(&self.vk, self.settings.num_instances())?)
    }

    /// Runtime bytecode of the model's verifying-key contracts (`ZkinferVerifyingKey0..` of
    /// [`crate::evm::solidity`], each under EIP-170's limit), to deploy beside `ZkinferVerifier`.
    pub fn key_contracts(&self) -> Result<Vec<Vec<u8>>, Error> {
        zkinfer_verifier::evm::solidity::vk_runtime(&self.params, &self.circuit_key()?)
            .map_err(|e| Error::Config(e.to_string()))
    }

    /// Reads `vk.bin` and `srs.bin` from `dir`, for the model `settings` describes.
    pub fn load(dir: &Path, settings: Settings) -> Result<Self, Error> {
        let plan = plan(&settings)?;
        let params = zkinfer_prover::load_srs(&file(dir, SRS_FILE), plan.k)?;
        let vk = artifact::read_vk::<ModelCircuit>(&file(dir, VK_FILE), plan.k, plan.clone())?;
        check_key_k(&file(dir, VK_FILE), "verifying", &vk, &settings)?;
        Ok(Self { params, vk, settings })
    }
}

/// The Halo2 plan of a model compiled for Halo2.
pub(crate) fn plan(settings: &Settings) -> Result<&CircuitPlan, Error> {
    settings.circuit.halo2().ok_or_else(|| {
        Error::Config(format!("the model is compiled for {}, not halo2", settings.circuit.proof_system()))
    })
}

/// halo2's key readers take the key's size from the file, not from the settings: a key of
/// another model can parse. Its k at least must be the settings' k.
fn check_key_k(path: &Path, what: &str, vk: &VerifyingKey<G1Affine>, settings: &Settings) -> Result<(), Error> {
    let k = vk.get_domain().k();
    let expected = plan(settings)?.k;
    if k != expected {
        return Err(Error::BadFile {
            path: path.to_path_buf(),
            reason: format!(
                "this {what} key is for a circuit of k = {k} but settings.json says k = {}: \
                 it belongs to another model (run setup again)",
                expected
            ),
        });
    }
    Ok(())
}

/// Generates (or loads) the SRS and runs key generation.
pub(crate) fn setup(compiled: &Compiled, plan: &CircuitPlan, srs: Srs) -> Result<Keys, Error> {
    let _span = tracing::info_span!("setup", k = plan.k).entered();
    let k = plan.k;
    let (params, warning) = match srs {
        Srs::Dev => {
            let (params, warning) = zkinfer_prover::dev_srs(k);
            (params, Some(warning))
        }
        Srs::File(path) => (zkinfer_prover::load_srs(&path, k)?, None),
        Srs::Loaded(mut params) => {
            if params.k() < k {
                return Err(zkinfer_prover::ProverError::SrsTooSmall { have: params.k(), need: k }.into());
            }
            params.downsize(k);
            (*params, None)
        }
    };
    let circuit = ModelCircuit::new(compiled.qgraph.clone(), plan.clone(), None);
    let (pk, _vk) = zkinfer_prover::keygen(&params, &circuit)?;
    Ok(Keys { params, pk, settings: compiled.settings.clone(), insecure_srs_warning: warning })
}

/// Proves `witness` on `backend`.
pub(crate) fn prove(
    compiled: &Compiled,
    keys: &Keys,
    witness: Witness,
    backend: Backend,
) -> Result<ProofBundle, Error> {
    prove_with(compiled, witness, |circuit, instances| {
        Ok((zkinfer_prover::prove_on(backend, &keys.params, &keys.pk, circuit, instances)?, ()))
    })
    .map(|(bundle, ())| bundle)
}

/// Proves `witness` on `backend`, timing each phase of the prover.
pub(crate) fn prove_profiled(
    compiled: &Compiled,
    keys: &Keys,
    witness: Witness,
    backend: Backend,
) -> Result<(ProofBundle, ProvePhases), Error> {
    prove_with(compiled, witness, |circuit, instances| {
        Ok(zkinfer_prover::prove_profiled_on(backend, &keys.params, &keys.pk, circuit, instances)?)
    })
}

/// Builds the circuit and its public instances for `witness`, proves with `prover`, and wraps
/// the proof into a [`ProofBundle`].
fn prove_with<T>(
    compiled: &Compiled,
    witness: Witness,
    prover: impl FnOnce(&ModelCircuit, &[Fr]) -> Result<(Vec<u8>, T), Error>,
) -> Result<(ProofBundle, T), Error> {
    let plan = plan(&compiled.settings)?;
    let _span = tracing::info_span!("prove", k = plan.k).entered();
    let instances = public_instances(&compiled.qgraph, &witness);
    let outputs = compiled.public_outputs(&witness);
    let circuit = ModelCircuit::new(compiled.qgraph.clone(), plan.clone(), Some(Arc::new(witness)));
    let (proof, extra) = prover(&circuit, &instances)?;
    Ok((ProofBundle::new(&proof, &instances, &compiled.settings, outputs), extra))
}

/// Checks the proof of `bundle` against `instances` (already checked against the settings).
pub(crate) fn verify(keys: &VerifierKeys, bundle: &ProofBundle, instances: &[Fr]) -> Result<(), Error> {
    let proof = bundle.proof_bytes()?;
    zkinfer_verifier::verify(&keys.params, &keys.circuit_key()?, &proof, instances)?;
    Ok(())
}
