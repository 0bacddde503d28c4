//! The proof system a model is compiled for: the seam where a second back end plugs in.
//!
//! Settings, proof files and the CLI name it, so that a proof of one system is never checked
//! as a proof of another, and a second system is a second variant here (and a second back end
//! of the same quantized graph), not a second pipeline.

use serde::{Deserialize, Serialize};

/// A proof system zkinfer can prove a model with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProofSystem {
    /// Halo2 (PLONKish arithmetization with lookups), KZG commitments on BN254, SHPLONK
    /// openings, a Keccak transcript. The setup is universal: one SRS serves every model.
    #[default]
    Halo2,
}

impl ProofSystem {
    /// One line for people: what it is and what its setup needs.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Halo2 => "halo2 (KZG on BN254, SHPLONK; universal setup: one SRS for every model)",
        }
    }
}

impl std::str::FromStr for ProofSystem {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "halo2" => Ok(Self::Halo2),
            "groth16" => Err("proof system 'groth16' is not implemented yet; use halo2".into()),
            other => Err(format!("unknown proof system '{other}': expected halo2")),
        }
    }
}

impl std::fmt::Display for ProofSystem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Halo2 => "halo2",
        })
    }
}
