//! Native verification of zkinfer proofs and the EVM-compatible Keccak transcript.
//!
//! Proofs are SHPLONK (KZG on BN254) made with [`transcript::EvmTranscript`], whose bytes and
//! challenges match snark-verifier's `EvmTranscript`, so the same proof verifies natively with
//! [`verify`] and on chain with a generated Solidity verifier.
//!
//! ```ignore
//! use zkinfer_verifier::verify;
//! verify(&params, &vk, &proof_bytes, &public_inputs)?;
//! ```

pub mod evm;
pub mod transcript;
mod verify;

#[cfg(feature = "testing")]
pub mod testing;

pub use transcript::{EvmTranscript, EvmTranscriptReader, EvmTranscriptWriter};
pub use verify::{verify, VerifyError};
