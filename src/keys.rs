//! The keys of a compiled model, whatever its proof system: one variant per proof system, each
//! holding that system's own key types (`halo2.rs` for Halo2). The pipeline matches on them, so
//! a second proof system is a second variant here, not a second set of functions.

use std::path::Path;

use crate::artifacts::Settings;
use crate::{groth16_backend as groth16, halo2, Error, ProofSystem};

/// Proving and verifying keys of a compiled model (what `setup` makes; the prover holds them).
#[derive(Debug)]
#[allow(clippy::large_enum_variant, reason = "a few per process, built once and rarely moved")]
pub enum Keys {
    /// Halo2: the KZG parameters and the proving key.
    Halo2(halo2::Keys),
    /// Groth16: the proving key (it holds the verifying key).
    Groth16(groth16::Keys),
}

/// What a verifier holds: the verifying key and the public settings.
#[derive(Debug)]
#[allow(clippy::large_enum_variant, reason = "a few per process, built once and rarely moved")]
pub enum VerifierKeys {
    /// Halo2: the KZG parameters and the verifying key.
    Halo2(halo2::VerifierKeys),
    /// Groth16: the verifying key and the statement's packing.
    Groth16(groth16::VerifierKeys),
}

impl Keys {
    /// The compiled model's settings.
    pub fn settings(&self) -> &Settings {
        match self {
            Self::Halo2(k) => &k.settings,
            Self::Groth16(k) => &k.settings,
        }
    }

    /// The proof system these keys are for.
    pub fn proof_system(&self) -> ProofSystem {
        match self {
            Self::Halo2(_) => ProofSystem::Halo2,
            Self::Groth16(_) => ProofSystem::Groth16,
        }
    }

    /// Set when the setup is a development one (INSECURE: its generator knows the trapdoor, or
    /// for Groth16, one party drew its randomness).
    pub fn insecure_srs_warning(&self) -> Option<&str> {
        match self {
            Self::Halo2(k) => k.insecure_srs_warning.as_deref(),
            Self::Groth16(k) => k.insecure_setup_warning.as_deref(),
        }
    }

    /// The verifier's half.
    pub fn verifier(&self) -> VerifierKeys {
        match self {
            Self::Halo2(k) => VerifierKeys::Halo2(k.verifier()),
            Self::Groth16(k) => VerifierKeys::Groth16(k.verifier()),
        }
    }

    /// Writes the key files into `dir` (Halo2: `pk.bin`, `vk.bin` and `srs.bin`; Groth16:
    /// `pk.bin` and `vk.bin`).
    pub fn save(&self, dir: &Path) -> Result<(), Error> {
        match self {
            Self::Halo2(k) => k.save(dir),
            Self::Groth16(k) => k.save(dir),
        }
    }

    /// The names of the files [`Keys::save`] writes.
    pub fn files(&self) -> &'static [&'static str] {
        match self {
            Self::Halo2(_) => &["pk.bin", "vk.bin", "srs.bin"],
            Self::Groth16(_) => &["pk.bin", "vk.bin"],
        }
    }

    /// Reads the proving side of a `setup` directory, for the model `settings` describes.
    pub fn load(dir: &Path, settings: &Settings) -> Result<Self, Error> {
        match settings.proof_system() {
            ProofSystem::Halo2 => Ok(Self::Halo2(halo2::Keys::load(dir, settings)?)),
            ProofSystem::Groth16 => Ok(Self::Groth16(groth16::Keys::load(dir, settings)?)),
        }
    }

    /// The Halo2 keys, if the model is compiled for Halo2.
    pub fn halo2(&self) -> Option<&halo2::Keys> {
        match self {
            Self::Halo2(k) => Some(k),
            Self::Groth16(_) => None,
        }
    }
}

impl VerifierKeys {
    /// The compiled model's settings.
    pub fn settings(&self) -> &Settings {
        match self {
            Self::Halo2(k) => &k.settings,
            Self::Groth16(k) => &k.settings,
        }
    }

    /// Reads `settings.json` and the verifier's key files (for Halo2: `vk.bin` and `srs.bin`)
    /// from `dir`.
    pub fn load(dir: &Path) -> Result<Self, Error> {
        let settings = Settings::load(dir)?;
        match settings.proof_system() {
            ProofSystem::Halo2 => Ok(Self::Halo2(halo2::VerifierKeys::load(dir, settings)?)),
            ProofSystem::Groth16 => Ok(Self::Groth16(groth16::VerifierKeys::load(dir, settings)?)),
        }
    }

    /// The Halo2 verifier's keys, if the model is compiled for Halo2.
    pub fn halo2(&self) -> Option<&halo2::VerifierKeys> {
        match self {
            Self::Halo2(k) => Some(k),
            Self::Groth16(_) => None,
        }
    }
}
