//! The Groth16 column of the suite (`zkinfer bench --groth16`): the same quantized graph and
//! input as the Halo2 run, set up, proven and verified with the second proof system in the same
//! process, so that the two are compared side by side on one machine.

use serde::{Deserialize, Serialize};
use zkinfer_graph::QGraph;

use crate::metrics::measure;
use crate::{groth16, Error};

/// The Groth16 run of one model: its metrics, or why it could not run (as [`super::ModelBench`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Groth16Bench {
    /// Why it could not run, if it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What was measured, if it ran.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Groth16Metrics>,
}

/// What was measured of the Groth16 back end on one model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Groth16Metrics {
    /// Rows of the constraint system.
    pub constraints: usize,
    /// Witness variables.
    pub witness_variables: usize,
    /// Public inputs.
    pub public_inputs: usize,
    /// The (development) circuit-specific setup.
    pub setup_s: f64,
    /// Peak resident memory during setup, where the platform reports it.
    pub setup_peak_rss_bytes: Option<u64>,
    /// Proving, from the real input (quantization, evaluation and lowering included).
    pub prove_s: f64,
    /// Peak resident memory while proving, where the platform reports it.
    pub prove_peak_rss_bytes: Option<u64>,
    /// Native verification.
    pub verify_s: f64,
    /// Whether the proof verified.
    pub verified: bool,
    /// Size of the proof.
    pub proof_bytes: usize,
    /// Gas of the `verifyProof` transaction on the Solidity verifier (revm, the hard fork
    /// mainnet runs; 21,000 base and calldata included), or `None` without a Solidity compiler.
    #[serde(default)]
    pub gas: Option<u64>,
}

/// Sets up, proves and verifies `q` on `input` with Groth16.
pub(super) fn bench(q: &QGraph, input: &[Vec<f32>]) -> Groth16Bench {
    match measure_all(q, input) {
        Ok(m) => Groth16Bench { error: None, metrics: Some(m) },
        Err(e) => Groth16Bench { error: Some(e.to_string()), metrics: None },
    }
}

fn measure_all(q: &QGraph, input: &[Vec<f32>]) -> Result<Groth16Metrics, Error> {
    let (keys, setup) = measure(|| groth16::setup_dev(q, 0));
    let keys = keys?;
    let (proof, prove) = measure(|| groth16::prove(q, &keys, input));
    let proof = proof?;
    let vk = keys.verifying_key();
    let (verified, verify) = measure(|| groth16::verify(&vk, &proof));
    let gas = zkinfer_verifier::evm::find_solc(None).ok().map(|solc| -> Result<u64, Error> {
        let report = crate::evm::groth16_evm(&solc, &vk, groth16::model_id(q), groth16::calldata(&vk, &proof)?)?;
        match report.accepted {
            true => Ok(report.gas_used),
            false => Err(Error::Config("the Solidity verifier refused the honest proof".into())),
        }
    });
    Ok(Groth16Metrics {
        constraints: keys.constraints,
        witness_variables: keys.witness_variables,
        public_inputs: keys.public_inputs,
        setup_s: setup.wall.as_secs_f64(),
        setup_peak_rss_bytes: setup.peak_rss,
        prove_s: prove.wall.as_secs_f64(),
        prove_peak_rss_bytes: prove.peak_rss,
        verify_s: verify.wall.as_secs_f64(),
        verified: verified.is_ok(),
        proof_bytes: proof.bytes.len(),
        gas: gas.transpose()?,
    })
}
