use thiserror::Error;
use zkinfer_graph::GraphError;

/// Everything that can go wrong turning an `.onnx` file into a [`zkinfer_graph::Graph`].
#[derive(Debug, Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("cannot read '{path}': {source}")]
    Io {
        /// The file's path, as given.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The bytes are not a protobuf `ModelProto`; holds the decoder's message.
    #[error("not a valid ONNX model (protobuf decode failed): {0}")]
    Malformed(String),
    /// The bytes are not a protobuf `TensorProto`; holds the decoder's message.
    #[error("not a valid ONNX TensorProto (protobuf decode failed): {0}")]
    MalformedTensor(String),
    /// The model has no `graph`.
    #[error("model has no graph")]
    NoGraph,
    /// The registry has no op of this type at this opset (or the op is in another domain).
    #[error("node '{node}': op '{op}' is not supported at opset {opset}{reason}")]
    UnsupportedOp {
        /// The node's name (its first output when it has none).
        node: String,
        /// The op type, prefixed with its domain outside the default one.
        op: String,
        /// The opset of the node's domain (0 when the model declares none).
        opset: i64,
        /// For an op the registry has at other versions: which version is in force at this
        /// opset and which ones are implemented (empty otherwise), starting with ": ".
        reason: String,
    },
    /// An attribute is missing, mistyped, has an unsupported value, or is not supported at all.
    #[error("node '{node}' ({op}): attribute '{attribute}': {message}")]
    Attribute {
        /// The node's name (its first output when it has none).
        node: String,
        /// The node's op type.
        op: String,
        /// The attribute's name.
        attribute: String,
        /// What is wrong with it.
        message: String,
    },
    /// A node is malformed or uses an unsupported feature (e.g. several outputs).
    #[error("node '{node}' ({op}): {message}")]
    Node {
        /// The node's name (its first output when it has none).
        node: String,
        /// The node's op type.
        op: String,
        /// What is wrong with it.
        message: String,
    },
    /// Every graph input is overridden by an initializer: the model has nothing to prove about.
    #[error("the model has no input that is not a constant (every graph input has an initializer)")]
    NoInput,
    /// The graph declares no output.
    #[error("the model declares no output")]
    NoOutput,
    /// An input dimension is symbolic (`dim_param`) with no size in [`crate::ImportOptions`],
    /// missing or not positive.
    #[error("input '{input}': dimension {dim} is not static ({reason}); export the model with a fixed shape")]
    DynamicDim {
        /// The input's name.
        input: String,
        /// The dimension's index in the input's shape.
        dim: usize,
        /// What the dimension holds instead of a positive size.
        reason: String,
    },
    /// An input is not a float tensor with a shape.
    #[error("input '{input}': {message}")]
    Input {
        /// The input's name.
        input: String,
        /// What is wrong with it.
        message: String,
    },
    /// An initializer or constant cannot be converted (data type, external data, size).
    #[error("tensor '{name}': {message}")]
    Tensor {
        /// The tensor's name.
        name: String,
        /// What is wrong with it.
        message: String,
    },
    /// A node reads a value that no earlier node, initializer or input defines.
    #[error(
        "value '{0}' is used but no input, initializer or earlier node defines it \
         (nodes must be in topological order, so a cycle is never valid)"
    )]
    UndefinedValue(String),
    /// Shape inference or constant folding failed while building the graph.
    #[error(transparent)]
    Graph(#[from] GraphError),
}
