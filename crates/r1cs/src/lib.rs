//! `QGraph` → R1CS → Groth16 on BN254: zkinfer's second proof system.
//!
//! * [`lower`] writes the rank-1 constraint system of a quantized graph ([`R1cs`]), with the
//!   assignment taken from the graph's exact integer evaluation (the same
//!   [`zkinfer_graph::Witness`] the Halo2 circuit is filled from). One gadget per primitive, in
//!   `gadgets/`; the arithmetic behind each (a rescale's quotient and remainder, a division's
//!   product, a table's entries) comes from the primitive itself.
//! * [`groth16`] sets up, proves and verifies with `ark-groth16`.
//! * [`ceremony`] makes the Groth16 keys in a multi-party setup, safe if one participant is honest.
//! * `zkinfer_circuits::witness_search::r1cs` searches the same rows for a second accepted
//!   witness (the soundness harness both back ends share).
//!
//! ```ignore
//! let w = q.eval(input)?;
//! let lowered = zkinfer_r1cs::lower(&q, Some(&w))?;
//! let assignment = lowered.assignment.as_ref().unwrap();
//! let pk = zkinfer_r1cs::groth16::setup(&lowered.system, &mut rng)?;
//! let proof = zkinfer_r1cs::groth16::prove_fresh(&pk, &lowered.system, assignment)?;
//! zkinfer_r1cs::groth16::verify_bytes(&pk.vk, &assignment.public, &proof)?;
//! ```

#![warn(missing_docs)]

mod builder;
pub mod ceremony;
mod error;
mod gadgets;
pub mod groth16;
mod lower;
mod packing;
mod params;
mod poseidon;
pub mod snarkjs;
mod system;

pub use ark_bn254::Fr;
pub use error::R1csError;
pub use lower::{lower, Lowered};
pub use packing::{PackedSegment, Packing, WORD_BITS};
pub use system::{from_halo2, from_le_bytes, int, le_bytes, to_halo2, to_int, Assignment, Lc, R1cs, Row, Var};
