//! # zkinfer
//!
//! Zero-knowledge proofs that an ONNX model, run on an input, produced an output — without
//! revealing the weights or the input. A quantized model graph is compiled to a Halo2 circuit
//! (KZG on BN254, SHPLONK, Keccak transcript), proven on the CPU, and verified natively.
//!
//! ```no_run
//! use zkinfer::{CompileOptions, Model, Srs};
//!
//! # fn main() -> Result<(), zkinfer::Error> {
//! let model = Model::load("examples/models/mlp_digits.onnx")?;
//! let samples = zkinfer::read_samples("examples/models/mlp_digits.calibration.json", &model)?;
//! let compiled = model.compile(&samples, &CompileOptions::default())?;
//! let keys = zkinfer::setup(&compiled, Srs::Dev)?;
//! let input = zkinfer::read_samples("examples/models/mlp_digits.input.json", &model)?.remove(0);
//! let proof = zkinfer::prove(&compiled, &keys, &input)?;
//! zkinfer::verify(&keys.verifier(), &proof)?;
//! println!("logits: {:?}", proof.outputs[0].values);
//! # Ok(())
//! # }
//! ```
//!
//! `cargo run --release --example prove_digits` runs the same steps (`examples/prove_digits.rs`).
//! Each artifact can be saved and loaded ([`Compiled::save`], [`Keys::save`], [`ProofBundle::save`],
//! [`VerifierKeys::load`]), so a service compiles and sets up once and proves many times.
//!
//! The same pipeline is the `zkinfer` command line:
//!
//! ```text
//! zkinfer compile model.onnx --out model/       # calibrates on model.calibration.json
//! zkinfer setup model/
//! zkinfer prove model/ --input input.json --out proof.json
//! zkinfer verify model/ --proof proof.json
//! zkinfer solidity model/ --out Verifier.sol    # the on-chain verifier
//! ```
//!
//! The README is the front page; the book in `docs/` (`mdbook build docs`) is the reference:
//! the CLI, fixed point and calibration, what each visibility mode hides, on-chain verification,
//! the benchmark suite, errors and troubleshooting.

#![warn(missing_docs)]

mod artifacts;
mod audit;
pub mod bench;
pub mod ceremony;
pub mod conformance;
mod error;
pub mod evm;
pub mod groth16;
mod groth16_backend;
pub mod halo2;
mod identity;
mod keys;
pub mod metrics;
mod model;
mod pipeline;
mod proof;
mod proof_system;

pub use artifacts::{Compiled, IoInfo, Settings, SETTINGS_VERSION};
pub use audit::{audit, mock_check};
pub use error::Error;
pub use groth16_backend::{snarkjs, R1csPlan, SETUP_WARNING as GROTH16_SETUP_WARNING};
pub use halo2::Srs;
pub use identity::ModelIdentity;
pub use keys::{Keys, VerifierKeys};
pub use model::{read_input, read_samples, sibling_calibration, CompileOptions, Model};
pub use pipeline::{instance_integers, prove, prove_witness, prove_witness_on, prove_witness_profiled, setup, verify};
pub use proof::{
    encode_instance, hash_instance, new_param_salt, param_salt_from_hex, param_salt_to_hex, ProofBundle, ProofOutput,
    PROOF_FORMAT_VERSION,
};
pub use proof_system::{CircuitSpec, ProofSystem};
pub use zkinfer_circuits::audit::{AcceptedMutation, AuditOptions, AuditReport, MutationKind};
pub use zkinfer_onnx::ImportOptions;
pub use zkinfer_prover::{Backend, ProvePhases};

pub use zkinfer_graph::{
    DType, ParamSalt, ParamVisibility, QGraph, QuantConfig, Sample, Visibilities, Visibility, VisibilityConfig,
};
