//! Proving backend selection: CPU always; CUDA only in a `--features cuda` build.
//!
//! The GPU prover (`halo2-axiom-gpu`) lives in one module, `gpu.rs`, compiled only with the
//! `cuda` feature; other builds compile `gpu_stub.rs` in its place, whose functions report
//! "built without CUDA". The CPU prover is the default and is unchanged by the feature, except
//! that such a binary needs the CUDA runtime and driver libraries to start at all.

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
            Self::Cuda => crate::gpu::device_check().map(|()| self),
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
    fn cpu_always_and_names_parse() {
        assert_eq!(Backend::Cpu.select().ok(), Some(Backend::Cpu));
        assert_eq!("GPU".parse::<Backend>().ok(), Some(Backend::Cuda));
        assert!("tpu".parse::<Backend>().is_err());
    }

    #[cfg(not(feature = "cuda"))]
    #[test]
    fn cuda_without_the_feature_says_how_to_get_it() {
        let err = Backend::Cuda.select().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("built without CUDA: rebuild with --features cuda on a machine with nvcc"), "{err}");
    }

    /// With the feature, selecting CUDA either finds a device or says why not: never a panic.
    /// (Such a test binary only starts where the CUDA driver library is installed.)
    #[cfg(feature = "cuda")]
    #[test]
    fn cuda_with_the_feature_finds_a_device_or_explains() {
        match Backend::Cuda.select() {
            Ok(backend) => assert_eq!(backend, Backend::Cuda),
            Err(e) => assert!(e.to_string().contains("no usable CUDA device"), "{e}"),
        }
    }
}
