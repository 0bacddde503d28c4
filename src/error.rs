use std::path::PathBuf;

use thiserror::Error;

/// Errors of the high-level pipeline; each wraps the failing stage's own typed error.
#[derive(Debug, Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The ONNX file cannot be imported.
    #[error(transparent)]
    Import(#[from] zkinfer_onnx::ImportError),
    /// Calibration, quantization or evaluation failed (an input out of range, say).
    #[error(transparent)]
    Graph(#[from] zkinfer_graph::GraphError),
    /// No circuit layout fits, or the graph cannot be laid out.
    #[error(transparent)]
    Circuit(#[from] zkinfer_circuits::CircuitError),
    /// The mutation audit could not run.
    #[error("audit: {0}")]
    Audit(#[from] zkinfer_circuits::audit::AuditError),
    /// Key generation, proving or a key or SRS file failed.
    #[error(transparent)]
    Prover(#[from] zkinfer_prover::ProverError),
    /// The proof does not verify.
    #[error("{0}")]
    Verify(#[from] zkinfer_verifier::VerifyError),
    /// Lowering to R1CS, a Groth16 key or proof, or a Groth16 verification failed.
    #[error(transparent)]
    Groth16(#[from] zkinfer_r1cs::R1csError),
    /// A file is there but is not what it should be (corrupt, another model's, an old format).
    #[error("{path}: {reason}")]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The options do not make sense together.
    #[error("{0}")]
    Config(String),
    /// The proof file is inconsistent with itself or the settings (before any proof check).
    #[error("proof file: {0}")]
    BadProof(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}
