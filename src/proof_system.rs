//! The proof system a model is compiled for: the seam where a second back end plugs in.
//!
//! Settings, proof files and the CLI name it, so that a proof of one system is never checked
//! as a proof of another, and a second system is a second variant here (and a second back end
//! of the same quantized graph), not a second pipeline.

use serde::{Deserialize, Serialize};
use zkinfer_circuits::CircuitPlan;

use crate::R1csPlan;

/// A proof system zkinfer can prove a model with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProofSystem {
    /// Halo2 (PLONKish arithmetization with lookups), KZG commitments on BN254, SHPLONK
    /// openings, a Keccak transcript. The setup is universal: one SRS serves every model.
    #[default]
    Halo2,
    /// Groth16 (R1CS), `ark-groth16` on BN254: a 256-byte proof and the cheapest on-chain check.
    /// The setup is circuit-specific: one per model with fixed parameters, one per
    /// architecture with private or hashed ones (the circuit then holds no weights).
    Groth16,
}

impl ProofSystem {
    /// One line for people: what it is and what its setup needs.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Halo2 => "halo2 (KZG on BN254, SHPLONK; universal setup: one SRS for every model)",
            Self::Groth16 => {
                "groth16 (ark-groth16 on BN254; circuit-specific setup: one per model with fixed parameters, one per \
                 architecture with private or hashed ones)"
            }
        }
    }
}

impl std::str::FromStr for ProofSystem {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "halo2" => Ok(Self::Halo2),
            "groth16" => Ok(Self::Groth16),
            other => Err(format!("unknown proof system '{other}': expected halo2 or groth16")),
        }
    }
}

impl std::fmt::Display for ProofSystem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Halo2 => "halo2",
            Self::Groth16 => "groth16",
        })
    }
}

/// The circuit a model is compiled to, under its proof system: what that system's key
/// generation, prover and verifier need to rebuild the circuit's shape (no weights). One variant
/// per proof system; `settings.json` writes it as `"circuit": {"halo2": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CircuitSpec {
    /// Halo2's layout plan: `k`, the chips' column counts, limbs, lanes and tables.
    Halo2(CircuitPlan),
    /// Groth16's constraint system: its size, the statement's packing, the circuit's digest.
    Groth16(R1csPlan),
}

impl CircuitSpec {
    /// The proof system this circuit is for.
    pub fn proof_system(&self) -> ProofSystem {
        match self {
            Self::Halo2(_) => ProofSystem::Halo2,
            Self::Groth16(_) => ProofSystem::Groth16,
        }
    }

    /// `log2` of the circuit's size (for Halo2, of its rows; for Groth16, of its constraints,
    /// rounded up): what the proving time grows with.
    pub fn k(&self) -> u32 {
        match self {
            Self::Halo2(plan) => plan.k,
            Self::Groth16(plan) => plan.k(),
        }
    }

    /// One line for people: the circuit's size and shape.
    pub fn summary(&self) -> String {
        match self {
            Self::Halo2(plan) => plan.summary(),
            Self::Groth16(plan) => plan.summary(),
        }
    }

    /// The Halo2 plan, if this is a Halo2 circuit.
    pub fn halo2(&self) -> Option<&CircuitPlan> {
        match self {
            Self::Halo2(plan) => Some(plan),
            Self::Groth16(_) => None,
        }
    }
}
