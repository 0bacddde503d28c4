//! What goes wrong lowering a graph to R1CS or proving it with Groth16.

/// An R1CS or Groth16 failure, naming its cause.
#[derive(Debug, thiserror::Error)]
pub enum R1csError {
    /// The graph uses something this back end does not prove (yet); the text says what.
    #[error("the groth16 back end does not support {0}")]
    Unsupported(String),
    /// The graph is inconsistent with its primitives (a bug, or a corrupted file).
    #[error("invalid quantized graph: {0}")]
    Invalid(String),
    /// The honest values break a row: the evaluation and the gadgets disagree.
    #[error("the witness fails constraint '{gate}' of node {node}")]
    Unsatisfied {
        /// The gadget constraint.
        gate: &'static str,
        /// The node's name.
        node: String,
    },
    /// arkworks refused the system or a key.
    #[error("groth16: {0}")]
    Ark(String),
    /// A key or proof does not decode.
    #[error("corrupted {what}: {reason}")]
    Decode {
        /// "proving key", "verifying key" or "proof".
        what: &'static str,
        /// What the decoder said.
        reason: String,
    },
    /// The proof does not verify for these public values.
    #[error("the groth16 proof does not verify")]
    Rejected,
    /// A setup ceremony's file fails a check; the text names it.
    #[error("ceremony: {0}")]
    Ceremony(String),
    /// A proof was given the wrong number of public inputs.
    #[error("the verifying key takes {expected} public inputs, got {got}")]
    InstanceCount {
        /// Public inputs the key was made for.
        expected: usize,
        /// Public inputs given.
        got: usize,
    },
}
