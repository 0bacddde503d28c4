use thiserror::Error;
use zkinfer_graph::GraphError;

/// Everything that can go wrong turning an `.onnx` file into a [`zkinfer_graph::Graph`].
#[derive(Debug, Error)]
pub enum ImportError {
    #[error("cannot read '{path}': {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("not a valid ONNX model (protobuf decode failed): {0}")]
    Malformed(String),
    #[error("model has no graph")]
    NoGraph,
    #[error("node '{node}': op '{op}' is not supported at opset {opset}")]
    UnsupportedOp { node: String, op: String, opset: i64 },
    #[error("node '{node}' ({op}): attribute '{attribute}': {message}")]
    Attribute { node: String, op: String, attribute: String, message: String },
    #[error("node '{node}' ({op}): {message}")]
    Node { node: String, op: String, message: String },
    #[error("model must have exactly one non-constant input, found {found:?}")]
    InputCount { found: Vec<String> },
    #[error("model must have exactly one output, found {found:?}")]
    OutputCount { found: Vec<String> },
    #[error("input '{input}': dimension {dim} is not static ({reason}); export the model with a fixed shape")]
    DynamicDim { input: String, dim: usize, reason: String },
    #[error("input '{input}': {message}")]
    Input { input: String, message: String },
    #[error("tensor '{name}': {message}")]
    Tensor { name: String, message: String },
    #[error("value '{0}' is used but never defined")]
    UndefinedValue(String),
    #[error(transparent)]
    Graph(#[from] GraphError),
}
