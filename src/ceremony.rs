//! The multi-party Groth16 setup of a compiled model ([`zkinfer_r1cs::ceremony`]) as files:
//! start the powers, contribute to either phase, derive a circuit's key from the powers, verify
//! the whole ceremony, and write its keys where `zkinfer setup` would.
//!
//! ```no_run
//! # fn main() -> Result<(), zkinfer::Error> {
//! use std::path::Path;
//! use zkinfer::{ceremony, Compiled};
//! let compiled = Compiled::load(Path::new("out"))?;
//! let mut powers = ceremony::start(&compiled, None)?;
//! powers.contribute("alice", &mut rand::rngs::OsRng); // each participant, on their machine
//! let mut key = ceremony::phase2(&compiled, &powers)?;
//! key.contribute("bob", &mut rand::rngs::OsRng);
//! ceremony::keys(&compiled, &powers, &key)?.save(Path::new("out"))?;
//! # Ok(())
//! # }
//! ```

use std::path::Path;

use zkinfer_prover::artifact::{decode_artifact, write_artifact, ArtifactError, ArtifactKind};
pub use zkinfer_r1cs::ceremony::{domain_size, Phase2, Powers};
use zkinfer_r1cs::groth16::{from_bytes, to_bytes};

use crate::artifacts::Compiled;
use crate::groth16_backend::{plan, Keys};
use crate::{Error, Keys as AnyKeys};

/// The largest domain `start` makes powers for: `2^24` points (about 3 GiB of points).
pub const MAX_POWER: u32 = 24;

/// A ceremony file: phase-1 powers or a circuit's phase-2 key.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant, reason = "one per process, read once")]
pub enum CeremonyFile {
    /// Phase 1 ([`Powers`]).
    Powers(Powers),
    /// Phase 2 ([`Phase2`]).
    Key(Phase2),
}

impl CeremonyFile {
    /// Reads either kind of ceremony file, checking every point (the file comes from someone
    /// else).
    pub fn read(path: &Path) -> Result<Self, Error> {
        let bytes = std::fs::read(path).map_err(Error::io(path))?;
        let bad = |reason: String| Error::BadFile { path: path.to_path_buf(), reason };
        let (kind, payload) = match decode_artifact(ArtifactKind::CeremonyPowers, &bytes) {
            Ok(p) => (ArtifactKind::CeremonyPowers, p),
            Err(ArtifactError::WrongKind { found, .. }) if found.0 == ArtifactKind::CeremonyKey.tag() => {
                let p = decode_artifact(ArtifactKind::CeremonyKey, &bytes).map_err(|e| bad(e.to_string()))?;
                (ArtifactKind::CeremonyKey, p)
            }
            Err(e) => return Err(bad(format!("not a ceremony file: {e}"))),
        };
        let file = match kind {
            ArtifactKind::CeremonyPowers => Self::Powers(from_bytes(payload, "ceremony phase-1 powers")?),
            _ => Self::Key(from_bytes(payload, "ceremony phase-2 key")?),
        };
        Ok(file)
    }

    /// Writes the file to `path`.
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        let (kind, bytes) = match self {
            Self::Powers(p) => (ArtifactKind::CeremonyPowers, to_bytes(p)),
            Self::Key(k) => (ArtifactKind::CeremonyKey, to_bytes(k)),
        };
        Ok(write_artifact(path, kind, &bytes)?)
    }

    /// The names of the contributions so far, oldest first.
    pub fn contributors(&self) -> Vec<&str> {
        match self {
            Self::Powers(p) => p.contributions.iter().map(|c| c.name.as_str()).collect(),
            Self::Key(k) => k.contributions.iter().map(|c| c.name.as_str()).collect(),
        }
    }
}

/// The system a Groth16 model's keys are for, with its circuit digest.
fn system(compiled: &Compiled) -> Result<(zkinfer_r1cs::R1cs, String), Error> {
    let digest = plan(&compiled.settings)?.circuit_digest.clone();
    Ok((zkinfer_r1cs::lower(&compiled.qgraph, None)?.system, digest))
}

/// Untouched phase-1 powers for `compiled`'s circuit (a model compiled for Groth16), or for any
/// circuit of a QAP domain up to `2^power` points.
pub fn start(compiled: &Compiled, power: Option<u32>) -> Result<Powers, Error> {
    let p = plan(&compiled.settings)?;
    let needed = domain_size(p.constraints, p.public_inputs);
    let m = match power {
        Some(power) if power > MAX_POWER => {
            return Err(Error::Config(format!("--power {power} is above the largest, {MAX_POWER}")))
        }
        Some(power) if 1usize << power < needed => {
            return Err(Error::Config(format!(
                "--power {power} serves domains of up to {} points; this circuit needs {needed}",
                1usize << power
            )))
        }
        Some(power) => 1usize << power,
        None => needed,
    };
    Ok(Powers::new(m)?)
}

/// The circuit's phase-2 key from `powers`, once they verify.
pub fn phase2(compiled: &Compiled, powers: &Powers) -> Result<Phase2, Error> {
    powers.verify()?;
    let (system, digest) = system(compiled)?;
    Ok(Phase2::new(&system, powers, &digest)?)
}

/// Checks a phase-2 key against its powers and `compiled`'s circuit ([`Phase2::verify`]), and
/// that it is this circuit's.
pub fn verify(compiled: &Compiled, powers: &Powers, key: &Phase2) -> Result<(), Error> {
    let (system, digest) = system(compiled)?;
    if key.circuit != digest {
        return Err(Error::Config(format!(
            "this ceremony key is for the circuit {}; the compiled model's is {digest}",
            key.circuit
        )));
    }
    Ok(key.verify(&system, powers)?)
}

/// The keys of a finished ceremony, once it verifies and has at least one contribution in each
/// phase, ready to [`AnyKeys::save`] where `zkinfer setup` would write them.
pub fn keys(compiled: &Compiled, powers: &Powers, key: &Phase2) -> Result<AnyKeys, Error> {
    if powers.contributions.is_empty() || key.contributions.is_empty() {
        return Err(Error::Config(format!(
            "a ceremony needs at least one contribution in each phase (phase 1 has {}, phase 2 {}): \
             with none, its secrets are the public value 1",
            powers.contributions.len(),
            key.contributions.len()
        )));
    }
    verify(compiled, powers, key)?;
    Ok(AnyKeys::Groth16(Keys::of_key(key.key.clone(), &compiled.settings)?))
}
