use thiserror::Error;

/// An op-level failure; [`crate::Graph`] wraps it with the node's name and op type.
#[derive(Debug, Error)]
pub enum OpError {
    #[error("shape mismatch: {0}")]
    Shape(String),
    #[error("{0}")]
    Invalid(String),
    #[error("unsupported: {0}")]
    Unsupported(String),
}

/// Everything that can go wrong between an imported graph and its integer witness.
#[derive(Debug, Error)]
pub enum GraphError {
    #[error("node '{node}' ({op}): {source}")]
    Node {
        node: String,
        op: String,
        #[source]
        source: OpError,
    },
    #[error("value '{0}' is used before it is defined (graph is not topologically sorted or has a cycle)")]
    UndefinedValue(String),
    #[error("graph has no input that is not a constant")]
    NoInput,
    #[error("the model has {expected} inputs but {got} were given")]
    InputCount { expected: usize, got: usize },
    #[error("this call reads {expected} model output(s) but the model has {got}")]
    OutputCount { expected: usize, got: usize },
    #[error("input has {got} values but the model expects {expected} (shape {shape:?})")]
    InputLength { expected: usize, got: usize, shape: Vec<usize> },
    #[error("input value #{index} is {value}: inputs must be finite numbers")]
    NonFiniteInput { index: usize, value: f32 },
    #[error(
        "value {value} at '{tensor}' is outside the calibrated range |v| < 2^{bits} \
         (real value ≈ {real:.4}); recalibrate with data that covers this input"
    )]
    OutOfRange { tensor: String, value: i64, bits: u32, real: f64 },
    #[error(
        "value {value} entering the lookup table of '{tensor}' (real value ≈ {real:.4}) is outside its \
         calibrated domain [{lo}, {hi}] or where the function is undefined; recalibrate with data that \
         covers this input"
    )]
    OutsideTable { tensor: String, value: i64, real: f64, lo: i64, hi: i64 },
    #[error(
        "divisor {value} at '{tensor}' (real value ≈ {real:.4}) is not positive: division by an activation \
         needs a divisor that is positive on every input"
    )]
    NonPositiveDivisor { tensor: String, value: i64, real: f64 },
    #[error("integer overflow evaluating '{node}': values exceed 64 bits")]
    Overflow { node: String },
    #[error("calibration: {0}")]
    Calibration(String),
    #[error("invalid quantized graph: {0}")]
    InvalidQGraph(String),
    #[error("input data: {0}")]
    InputData(String),
}

pub type OpResult<T> = std::result::Result<T, OpError>;
