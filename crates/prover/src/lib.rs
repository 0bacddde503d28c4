//! Proving for zkinfer: KZG SRS handling, key generation, SHPLONK proving with the Keccak EVM
//! transcript, and the versioned artifact container.
//!
//! Everything is generic over the circuit type (`C: Circuit<Fr>`), passing `C::Params` (for
//! zkinfer's `ModelCircuit`, its `CircuitPlan`) where halo2 needs the circuit shape.
//!
//! ```ignore
//! let (params, warning) = zkinfer_prover::dev_srs(k); // or load_srs(path, k)?
//! let (pk, vk) = zkinfer_prover::keygen(&params, &circuit)?;
//! let proof = zkinfer_prover::prove(&params, &pk, &circuit, &instances)?;
//! let key = zkinfer_verifier::CircuitKey::new(&vk, instances.len())?;
//! zkinfer_verifier::verify(&params, &key, &proof, &instances)?;
//! zkinfer_prover::artifact::write_vk(path, &vk)?;
//! ```
#![warn(missing_docs)]

pub mod artifact;
pub mod backend;
mod error;
#[cfg(feature = "cuda")]
mod gpu;
#[cfg(not(feature = "cuda"))]
#[path = "gpu_stub.rs"]
mod gpu;
pub mod kernels;
mod keys;
pub mod profile;
mod prove;
mod srs;

pub use artifact::{ArtifactError, ArtifactKind};
pub use backend::Backend;
pub use error::{ProveError, ProverError};
pub use keys::keygen;
pub use profile::{prove_profiled, prove_profiled_on, ProvePhases};
pub use prove::{prove, prove_on};
pub use srs::{dev_srs, load_srs, save_srs, srs_file_len, try_dev_srs, INSECURE_SRS_WARNING, MAX_K};
