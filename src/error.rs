use std::path::PathBuf;

use thiserror::Error;

/// Errors of the high-level pipeline; each wraps the failing stage's own typed error.
#[derive(Debug, Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Import(#[from] zkinfer_onnx::ImportError),
    #[error(transparent)]
    Graph(#[from] zkinfer_graph::GraphError),
    #[error(transparent)]
    Circuit(#[from] zkinfer_circuits::CircuitError),
    #[error("audit: {0}")]
    Audit(#[from] zkinfer_circuits::audit::AuditError),
    #[error(transparent)]
    Prover(#[from] zkinfer_prover::ProverError),
    #[error("{0}")]
    Verify(#[from] zkinfer_verifier::VerifyError),
    #[error("{path}: {reason}")]
    BadFile { path: PathBuf, reason: String },
    #[error("{0}")]
    Config(String),
    #[error("proof file: {0}")]
    BadProof(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}
