//! setup / prove / verify over a compiled model, whatever its proof system: the witness, the
//! checks of a proof file against the settings, and the dispatch to the proof system's back end
//! (`halo2.rs`).

use halo2_axiom::halo2curves::bn256::Fr;
use zkinfer_graph::{InstanceRole, Witness};
use zkinfer_prover::{Backend, ProvePhases};

use crate::artifacts::{Compiled, Settings};
use crate::halo2::{self, Srs};
use crate::proof::{fr_from_hex, fr_to_i64, ProofBundle};
use crate::{groth16_backend as groth16, CircuitSpec, Error, Keys, VerifierKeys};

/// Makes the keys of `compiled` under its proof system (for Halo2: generates or loads the SRS,
/// then runs key generation).
pub fn setup(compiled: &Compiled, srs: Srs) -> Result<Keys, Error> {
    match compiled.circuit() {
        CircuitSpec::Halo2(plan) => Ok(Keys::Halo2(halo2::setup(compiled, plan, srs)?)),
        CircuitSpec::Groth16(_) => Ok(Keys::Groth16(groth16::setup(compiled, srs)?)),
    }
}

impl Compiled {
    /// Exact integer evaluation of the model on real inputs (one flat vector per input, in
    /// order): the circuit's witness. Fails with a clear error on a wrong number of inputs, a
    /// wrong input length, a NaN, or a value outside the calibrated range.
    pub fn witness(&self, inputs: &[Vec<f32>]) -> Result<Witness, Error> {
        let inputs: Vec<&[f32]> = inputs.iter().map(|x| x.as_slice()).collect();
        let x = self.qgraph.quantize_inputs(&inputs)?;
        Ok(self.qgraph.eval_inputs(x)?)
    }

    /// The integers of every public output of `witness`, by output index: what a proof file
    /// lists.
    pub(crate) fn public_outputs(&self, witness: &Witness) -> Vec<(usize, Vec<i64>)> {
        let public = self.settings.instances.public(InstanceRole::Output);
        public.into_iter().map(|i| (i, witness.output(&self.qgraph, i).to_vec())).collect()
    }
}

/// Proves one run of the model on `inputs` (one flat vector per input, in order).
pub fn prove(compiled: &Compiled, keys: &Keys, inputs: &[Vec<f32>]) -> Result<ProofBundle, Error> {
    let witness = compiled.witness(inputs)?;
    prove_witness(compiled, keys, witness)
}

/// Proves a run whose witness was already computed with [`Compiled::witness`].
pub fn prove_witness(compiled: &Compiled, keys: &Keys, witness: Witness) -> Result<ProofBundle, Error> {
    prove_witness_on(compiled, keys, witness, Backend::Cpu)
}

/// [`prove_witness`] on `backend` ([`Backend::Cuda`] needs a `--features cuda` build and a GPU,
/// and is an error otherwise, never a silent fallback to the CPU).
pub fn prove_witness_on(
    compiled: &Compiled,
    keys: &Keys,
    witness: Witness,
    backend: Backend,
) -> Result<ProofBundle, Error> {
    match matching_keys(compiled, keys)? {
        Keys::Halo2(keys) => halo2::prove(compiled, keys, witness, backend),
        Keys::Groth16(keys) => groth16::prove(compiled, keys, witness, backend),
    }
}

/// [`prove_witness`] on `backend`, timing each phase of the prover (`zkinfer bench`).
pub fn prove_witness_profiled(
    compiled: &Compiled,
    keys: &Keys,
    witness: Witness,
    backend: Backend,
) -> Result<(ProofBundle, ProvePhases), Error> {
    match matching_keys(compiled, keys)? {
        Keys::Halo2(keys) => halo2::prove_profiled(compiled, keys, witness, backend),
        Keys::Groth16(_) => Err(Error::Config("the prover's phase profile is Halo2's".into())),
    }
}

/// `keys`, if they are for the proof system `compiled` is compiled for.
fn matching_keys<'k>(compiled: &Compiled, keys: &'k Keys) -> Result<&'k Keys, Error> {
    let (want, have) = (compiled.settings.proof_system(), keys.proof_system());
    if want != have {
        return Err(Error::Config(format!("{have} keys cannot prove a model compiled for {want}")));
    }
    Ok(keys)
}

/// Verifies a proof file's proof against its public instances, and checks that the outputs it
/// claims are the ones those instances encode.
pub fn verify(keys: &VerifierKeys, bundle: &ProofBundle) -> Result<(), Error> {
    let _span = tracing::info_span!("verify").entered();
    let settings = keys.settings();
    if bundle.proof_system != settings.proof_system() {
        return Err(Error::BadProof(format!(
            "a {} proof cannot be checked against a model compiled for {}",
            bundle.proof_system,
            settings.proof_system()
        )));
    }
    let instances = bundle.instances_for(settings)?;
    check_model_id(settings, bundle, &instances)?;
    check_outputs(settings, bundle, &instances)?;
    match keys {
        VerifierKeys::Halo2(keys) => halo2::verify(keys, bundle, &instances),
        VerifierKeys::Groth16(keys) => groth16::verify(keys, bundle, &instances),
    }
}

/// With hashed parameters, checks that the proof is about the settings' model: its model-id
/// instance is the settings' `model_id`. (The circuit binds the parameters to that instance; this
/// check binds the instance to the model the verifier means.)
fn check_model_id(settings: &Settings, bundle: &ProofBundle, instances: &[Fr]) -> Result<(), Error> {
    let (Some(id), Some(rows)) = (&settings.model_id, settings.instances.range(InstanceRole::Params, 0)) else {
        return Ok(());
    };
    let claimed = bundle.instances.get(rows.start).map(String::as_str).unwrap_or_default();
    if instances.get(rows.start) != fr_from_hex(id).as_ref() {
        return Err(Error::BadProof(format!(
            "the proof is for model id {claimed}, not this model's {id}: other weights ran"
        )));
    }
    Ok(())
}

/// Checks that the proof file lists exactly the public outputs, each with the integers its
/// instances encode and their real values.
fn check_outputs(settings: &Settings, bundle: &ProofBundle, instances: &[Fr]) -> Result<(), Error> {
    let public = settings.instances.public(InstanceRole::Output);
    let listed: Vec<usize> = bundle.outputs.iter().map(|o| o.index).collect();
    if listed != public {
        return Err(Error::BadProof(format!(
            "the proof file lists outputs {listed:?}; the model's public outputs are {public:?}"
        )));
    }
    // The public values the instances stand for, in the instance layout's order: the instances
    // themselves for Halo2, the words unpacked for Groth16.
    let values = match &settings.circuit {
        CircuitSpec::Halo2(_) => instances.iter().map(fr_to_i64).collect(),
        CircuitSpec::Groth16(_) => groth16::values(settings, instances)?,
    };
    for out in &bundle.outputs {
        let info = &settings.outputs[out.index];
        let rows = settings.instances.range(InstanceRole::Output, out.index).unwrap_or_default();
        let encoded: Vec<Option<i64>> =
            values.get(rows).ok_or_else(|| Error::BadProof("fewer instances than the outputs need".into()))?.to_vec();
        let claimed: Vec<Option<i64>> = out.quantized.iter().map(|&v| Some(v)).collect();
        if encoded != claimed {
            return Err(Error::BadProof(format!(
                "output '{}' in the proof file differs from its public instances",
                out.name
            )));
        }
        let consistent = out.values.len() == out.quantized.len()
            && out.values.iter().zip(&out.quantized).all(|(v, q)| *v == info.dequantize(*q))
            && (out.name.as_str(), out.shape.as_slice(), out.scale)
                == (info.name.as_str(), info.shape.as_slice(), info.scale);
        if !consistent {
            return Err(Error::BadProof(format!(
                "output '{}': the real values, name, shape or scale differ from the quantized outputs and the settings",
                out.name
            )));
        }
    }
    Ok(())
}

/// Integer value of each public instance (for display).
pub fn instance_integers(instances: &[Fr]) -> Vec<Option<i64>> {
    instances.iter().map(fr_to_i64).collect()
}
