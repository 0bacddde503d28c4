use thiserror::Error;

/// An op-level failure; [`crate::Graph`] wraps it with the node's name and op type.
#[derive(Debug, Error)]
pub enum OpError {
    /// The input shapes do not fit the op (or a tensor could not be reshaped); the message says how.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// The op's attributes or inputs are invalid (e.g. an axis out of range, a wrong input count).
    #[error("{0}")]
    Invalid(String),
    /// A valid op that zkinfer cannot evaluate or lower (e.g. a non-constant weight, a tensor too
    /// large to index).
    #[error("unsupported: {0}")]
    Unsupported(String),
}

/// Everything that can go wrong between an imported graph and its integer witness.
#[derive(Debug, Error)]
pub enum GraphError {
    /// An op failed on one node (shape inference, evaluation or lowering).
    #[error("node '{node}' ({op}): {source}")]
    Node {
        /// The node's name.
        node: String,
        /// The node's op type (e.g. `"Gemm"`).
        op: String,
        /// What went wrong in the op.
        #[source]
        source: OpError,
    },
    /// A node reads a value that no earlier node, input or constant defines (the value's name).
    #[error("value '{0}' is used before it is defined (graph is not topologically sorted or has a cycle)")]
    UndefinedValue(String),
    /// The graph has no model input: every value is a constant.
    #[error("graph has no input that is not a constant")]
    NoInput,
    /// The number of inputs given differs from the number of model inputs.
    #[error("the model has {expected} inputs but {got} were given")]
    InputCount {
        /// The number of model inputs.
        expected: usize,
        /// The number of inputs given.
        got: usize,
    },
    /// A list of visibilities, one per input (or output), has the wrong length.
    #[error("the model has {expected} {what}(s) but {got} {what} visibilities were given")]
    VisibilityCount {
        /// `input` or `output`.
        what: &'static str,
        /// The number of model inputs (or outputs).
        expected: usize,
        /// The number of visibilities given.
        got: usize,
    },
    /// The call reads a different number of outputs than the model has.
    #[error("this call reads {expected} model output(s) but the model has {got}")]
    OutputCount {
        /// The number of outputs the call reads.
        expected: usize,
        /// The number of model outputs.
        got: usize,
    },
    /// An input (or calibration row) has the wrong number of values for its shape.
    #[error("input has {got} values but the model expects {expected} (shape {shape:?})")]
    InputLength {
        /// The number of values the input's shape holds.
        expected: usize,
        /// The number of values given.
        got: usize,
        /// The input's shape.
        shape: Vec<usize>,
    },
    /// An input value is NaN or infinite.
    #[error("input value #{index} is {value}: inputs must be finite numbers")]
    NonFiniteInput {
        /// The value's position in the flat input.
        index: usize,
        /// The offending value.
        value: f32,
    },
    /// A range-checked value (a quantized input, a rescale's result, a quotient or divisor) lies
    /// outside its calibrated bound.
    #[error(
        "value {value} at '{tensor}' is outside the calibrated range |v| < 2^{bits} \
         (real value ≈ {real:.4}); recalibrate with data that covers this input"
    )]
    OutOfRange {
        /// The name of the tensor holding the value.
        tensor: String,
        /// The quantized (integer) value.
        value: i64,
        /// The calibrated bound: values must satisfy `|v| < 2^bits`.
        bits: u32,
        /// The real value it represents (`value / 2^scale` at the tensor's scale).
        real: f64,
    },
    /// A lookup's input lies outside its table's calibrated domain or where the function is
    /// undefined.
    #[error(
        "value {value} entering the lookup table of '{tensor}' (real value ≈ {real:.4}) is outside its \
         calibrated domain [{lo}, {hi}] or where the function is undefined; recalibrate with data that \
         covers this input"
    )]
    OutsideTable {
        /// The name of the lookup's output tensor.
        tensor: String,
        /// The quantized (integer) input to the table.
        value: i64,
        /// The real value of that input, `value / 2^in_scale`.
        real: f64,
        /// The smallest input in the table's domain.
        lo: i64,
        /// The largest input in the table's domain.
        hi: i64,
    },
    /// A division by an activation meets a divisor that is zero or negative.
    #[error(
        "divisor {value} at '{tensor}' (real value ≈ {real:.4}) is not positive: division by an activation \
         needs a divisor that is positive on every input"
    )]
    NonPositiveDivisor {
        /// The name of the divisor tensor.
        tensor: String,
        /// The quantized (integer) divisor.
        value: i64,
        /// The divisor's real value, `value / 2^scale` at the tensor's scale.
        real: f64,
    },
    /// An intermediate integer of a node does not fit in 64 bits.
    #[error("integer overflow evaluating '{node}': values exceed 64 bits")]
    Overflow {
        /// The name of the quantized node.
        node: String,
    },
    /// Calibration cannot run (no samples, a sample of the wrong size, an output that does not
    /// depend on the input); the message says which.
    #[error("calibration: {0}")]
    Calibration(String),
    /// A quantized graph fails its consistency checks (e.g. one read from a crafted file).
    #[error("invalid quantized graph: {0}")]
    InvalidQGraph(String),
    /// Input data cannot be read or used (malformed JSON, an empty file, a non-integer value
    /// for an integer input).
    #[error("input data: {0}")]
    InputData(String),
}

/// The result of an [`Op`](crate::Op) method.
pub type OpResult<T> = std::result::Result<T, OpError>;
