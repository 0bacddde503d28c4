//! Native verification of zkinfer proofs and the EVM-compatible Keccak transcript.
//!
//! Proofs are SHPLONK (KZG on BN254) made with [`transcript::EvmTranscript`], whose bytes and
//! challenges match snark-verifier's `EvmTranscript`, so the same proof verifies natively with
//! [`verify`] and on chain with a generated Solidity verifier.
//!
//! A proof is checked against a [`CircuitKey`]: halo2's verifying key plus the exact number of
//! public instances (halo2's key does not fix it; zkinfer's settings do).
//!
//! ```ignore
//! use zkinfer_verifier::{verify, CircuitKey};
//! let key = CircuitKey::new(&vk, settings.num_instances())?;
//! verify(&params, &key, &proof_bytes, &public_inputs)?;
//! ```

#![warn(missing_docs)]

pub mod evm;
mod key;
pub mod transcript;
mod verify;

#[cfg(feature = "testing")]
pub mod testing;

pub use key::{usable_rows, CircuitKey, Pinned};
pub use transcript::{EvmTranscript, EvmTranscriptReader, EvmTranscriptWriter};
pub use verify::{verify, VerifyError};
