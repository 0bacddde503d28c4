//! Proving backend selection: CPU always; CUDA only in a `--features cuda` build.
//!
//! The GPU prover (`halo2-axiom-gpu`) has its own `ParamsKZG` and prover types; it is meant to
//! be swapped in here behind a cfg-gated import alias, so nothing else changes. It is not wired
//! in yet, so selecting [`Backend::Cuda`] reports why instead of silently using the CPU.

use std::fmt;
use std::str::FromStr;

use crate::ProverError;

/// Where proving runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// Multi-threaded CPU prover (the default).
    #[default]
    Cpu,
    /// NVIDIA GPU prover.
    Cuda,
}

impl Backend {
    /// Returns `self` if it can be used by this build, or why not.
    pub fn select(self) -> Result<Self, ProverError> {
        match self {
            Self::Cpu => cpu_check().map(|()| self),
            Self::Cuda => Err(ProverError::BackendUnavailable(cuda_unavailable_reason().into())),
        }
    }

    /// Whether [`Backend::select`] would succeed.
    pub fn is_available(self) -> bool {
        self.select().is_ok()
    }

    /// Lower-case name, as accepted by [`FromStr`].
    pub fn name(self) -> &'static str {
        match self {
            Self::Cpu => "cpu",
            Self::Cuda => "cuda",
        }
    }
}

/// A build with the `asm` feature executes BMI2/ADX instructions (mulx, adcx, adox): refuse to
/// start on a CPU without them rather than die with SIGILL mid-proof.
#[cfg(all(feature = "asm", target_arch = "x86_64"))]
fn cpu_check() -> Result<(), ProverError> {
    if std::arch::is_x86_feature_detected!("bmi2") && std::arch::is_x86_feature_detected!("adx") {
        Ok(())
    } else {
        Err(ProverError::BackendUnavailable(
            "this build uses BMI2/ADX assembly, which this CPU lacks: rebuild with --no-default-features".into(),
        ))
    }
}

#[cfg(not(all(feature = "asm", target_arch = "x86_64")))]
fn cpu_check() -> Result<(), ProverError> {
    Ok(())
}

#[cfg(not(feature = "cuda"))]
fn cuda_unavailable_reason() -> &'static str {
    "built without CUDA: rebuild with --features cuda on a machine with nvcc"
}

#[cfg(feature = "cuda")]
fn cuda_unavailable_reason() -> &'static str {
    "built with --features cuda, but the GPU prover (halo2-axiom-gpu) is not wired in yet"
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Backend {
    type Err = ProverError;

    fn from_str(s: &str) -> Result<Self, ProverError> {
        match s.to_ascii_lowercase().as_str() {
            "cpu" => Ok(Self::Cpu),
            "cuda" | "gpu" => Ok(Self::Cuda),
            other => {
                Err(ProverError::BackendUnavailable(format!("unknown backend {other:?}; expected \"cpu\" or \"cuda\"")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_always_cuda_explains() {
        assert_eq!(Backend::Cpu.select().ok(), Some(Backend::Cpu));
        let err = Backend::Cuda.select().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("CUDA") || err.contains("cuda"), "{err}");
        #[cfg(not(feature = "cuda"))]
        assert!(err.contains("rebuild with --features cuda on a machine with nvcc"));
        assert_eq!("GPU".parse::<Backend>().ok(), Some(Backend::Cuda));
        assert!("tpu".parse::<Backend>().is_err());
    }
}
