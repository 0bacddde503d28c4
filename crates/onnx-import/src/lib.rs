//! ONNX protobuf -> zkinfer's f32 graph IR ([`zkinfer_graph::Graph`]).
//!
//! ```no_run
//! let graph = zkinfer_onnx::load("examples/models/mlp_digits.onnx")?;
//! let y = graph.eval(&[0.0; 64])?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Every node is checked against one registry (op type + opset range -> typed op builder)
//! before anything is built, so an unsupported model fails fast with
//! [`ImportError::UnsupportedOp`] naming the node, op and opset.

#![warn(missing_docs)]

mod activations;
mod attention;
mod attrs;
mod bitwise;
mod branch;
mod builders;
mod composed;
mod convs;
mod dtypes;
mod einsum;
mod error;
mod flex;
mod grid_sample;
mod import;
mod legacy;
mod linear_attention;
mod loops;
mod losses;
mod misc;
mod ml;
mod narrow;
mod recurrent;
mod reductions;
mod registry;
mod resize;
mod rewire;
mod rotary;
mod scan;
mod scatter;
mod signal;
mod tensor;
#[cfg(feature = "testing")]
pub mod testing;
mod tfidf;
mod top_k;
mod versions;

/// Prost types for `onnx.proto` (ONNX 1.17), generated once and checked in.
#[allow(clippy::all, clippy::pedantic, missing_docs)]
#[path = "proto/onnx.rs"]
pub mod proto;
mod qconv;
mod quantize;

use std::path::Path;

use prost::Message;
use zkinfer_graph::{Graph, Tensor};

pub use dtypes::{is_float, is_integer};
pub use error::ImportError;
pub use registry::{version_in_force, MAX_OPSET};
pub use versions::ONNX_RELEASE;

/// Reads and imports an `.onnx` file.
pub fn load(path: impl AsRef<Path>) -> Result<Graph, ImportError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| ImportError::Io { path: path.display().to_string(), source })?;
    parse(&bytes)
}

/// Imports a serialized ONNX `ModelProto`.
pub fn parse(bytes: &[u8]) -> Result<Graph, ImportError> {
    import_model(&decode_model(bytes)?)
}

/// What an import may be told besides the model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Sizes of symbolic input dimensions (`dim_param`, as exporters write a dynamic batch
    /// axis), by name: the circuit's shapes are fixed, so each symbolic dimension of an input
    /// needs one. EZKL's `--variables batch_size=1` is the same thing.
    pub dims: std::collections::BTreeMap<String, usize>,
}

/// [`parse`] with [`ImportOptions`].
pub fn parse_with(bytes: &[u8], opts: &ImportOptions) -> Result<Graph, ImportError> {
    import::import(&decode_model(bytes)?, opts)
}

/// Decodes a serialized `ModelProto` without importing it (to edit it first, e.g. to turn a
/// graph input into an initializer).
pub fn decode_model(bytes: &[u8]) -> Result<proto::ModelProto, ImportError> {
    proto::ModelProto::decode(bytes).map_err(|e| ImportError::Malformed(e.to_string()))
}

/// Imports an already decoded `ModelProto`.
pub fn import_model(model: &proto::ModelProto) -> Result<Graph, ImportError> {
    import::import(model, &ImportOptions::default())
}

/// Decodes a serialized `TensorProto`: the `input_*.pb` / `output_*.pb` files of the ONNX
/// backend test data.
pub fn decode_tensor(bytes: &[u8]) -> Result<proto::TensorProto, ImportError> {
    proto::TensorProto::decode(bytes).map_err(|e| ImportError::MalformedTensor(e.to_string()))
}

/// The f32 value of a `TensorProto` (float, double, int64 and int32, in `raw_data` or in the
/// typed fields; integers convert exactly below 2^24).
pub fn tensor_value(t: &proto::TensorProto) -> Result<Tensor, ImportError> {
    tensor::to_tensor(t)
}

/// Op types the registry supports at `opset` (for `--help` texts and docs).
pub fn supported_ops(opset: i64) -> Vec<&'static str> {
    registry::REGISTRY.iter().filter(|e| (e.since..=e.until).contains(&opset)).map(|e| e.op_type).collect()
}
