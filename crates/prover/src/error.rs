//! The prover crate's error type.

use std::path::PathBuf;

use halo2_axiom::plonk::Error as Halo2Error;

use crate::artifact::ArtifactError;

/// Everything that can go wrong while loading an SRS, generating keys, proving, or reading and
/// writing artifacts.
#[derive(Debug, thiserror::Error)]
pub enum ProverError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The requested k is outside what BN254 KZG supports.
    #[error("k = {k} is not supported: BN254's FFT domain allows 1 <= k <= {max}")]
    InvalidK {
        /// The requested k.
        k: u32,
        /// Largest supported k.
        max: u32,
    },
    /// The SRS file has fewer powers of tau than the circuit needs.
    #[error("the SRS has k = {have} but the circuit needs k = {need}: use a larger ceremony file")]
    SrsTooSmall {
        /// k of the SRS file.
        have: u32,
        /// k the circuit needs.
        need: u32,
    },
    /// The SRS file is shorter than its header promises.
    #[error("{path}: SRS file is truncated: {expected} bytes expected for its k, {got} found")]
    SrsTruncated {
        /// The file.
        path: PathBuf,
        /// Size implied by the file's k.
        expected: u64,
        /// Actual size.
        got: u64,
    },
    /// The SRS file is not a valid halo2 `ParamsKZG` file.
    #[error("{path}: not a valid halo2 KZG SRS file: {reason}")]
    SrsCorrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The SRS passed to the prover is not the one the proving key was made with.
    #[error("the SRS has k = {srs_k} but the proving key was generated for k = {key_k}")]
    SrsMismatch {
        /// k of the SRS.
        srs_k: u32,
        /// k of the proving key's domain.
        key_k: u32,
    },
    /// The circuit needs more rows than 2^k provides.
    #[error(
        "{stage}: k = {k} is too small for this circuit; recompile it with a larger k (every \
         region, lookup table and the blinding rows must fit in 2^k rows)"
    )]
    NotEnoughRows {
        /// Pipeline stage that noticed (keygen_vk, keygen_pk, prove).
        stage: &'static str,
        /// The k that was too small.
        k: u32,
    },
    /// The circuit does not have exactly one instance column.
    #[error("the circuit has {found} instance columns; zkinfer uses exactly 1")]
    InstanceColumns {
        /// Instance columns in the constraint system.
        found: usize,
    },
    /// More public inputs than the instance column can hold.
    #[error("{got} public inputs given but the circuit (k = {k}) holds at most {max}")]
    TooManyInstances {
        /// Number supplied.
        got: usize,
        /// Usable rows of the instance column.
        max: usize,
        /// The circuit's k.
        k: u32,
    },
    /// Circuit synthesis failed (a missing witness, or a chip reported an error).
    #[error("{stage}: circuit synthesis failed: a witness value is missing or a chip rejected it")]
    Synthesis {
        /// Pipeline stage.
        stage: &'static str,
    },
    /// Any other halo2 error.
    #[error("{stage}: {detail}")]
    Halo2 {
        /// Pipeline stage.
        stage: &'static str,
        /// halo2's message.
        detail: String,
    },
    /// The requested proving backend is not available in this build or on this machine.
    #[error("proving backend unavailable: {0}")]
    BackendUnavailable(String),
    /// The GPU prover failed: a CUDA error, too little GPU memory, or a fault inside
    /// `halo2-axiom-gpu` (its halo2 errors map to the variants above instead).
    #[error("{stage} on the GPU: {detail}")]
    Gpu {
        /// Pipeline stage.
        stage: &'static str,
        /// What failed, as the GPU prover reported it.
        detail: String,
    },
    /// An artifact file is missing, truncated, corrupted or of the wrong kind.
    #[error("{path}: {source}")]
    Artifact {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        source: ArtifactError,
    },
    /// An in-memory artifact could not be decoded.
    #[error(transparent)]
    ArtifactBytes(#[from] ArtifactError),
}

/// The error `prove` returns (the crate's one error type).
pub type ProveError = ProverError;

impl ProverError {
    /// Wraps a halo2 error from `stage` into a structured error with a hint.
    pub(crate) fn from_halo2(stage: &'static str, err: Halo2Error) -> Self {
        match err {
            Halo2Error::NotEnoughRowsAvailable { current_k } => Self::NotEnoughRows { stage, k: current_k },
            Halo2Error::Synthesis => Self::Synthesis { stage },
            other => Self::Halo2 { stage, detail: other.to_string() },
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}
