//! The quantized graph: a few integer primitives with power-of-two scales.
//!
//! Every ONNX op lowers to these primitives (one file each in `primitives/`, read through the
//! [`Primitive`] trait); the circuit crate lays each out in its chips.
//! A value `v` at scale `s` is the integer `round(v * 2^s)`.

mod eval;
mod instance;
mod interp;
pub mod lower;
mod params;
mod primitives;
mod refine;
mod saturate;
mod spec;
mod validate;
mod visibility;

use serde::{Deserialize, Serialize};

pub use eval::Witness;
pub use instance::{InstanceLayout, InstanceRole, InstanceSegment};
pub use lower::quantize;
pub use params::{packable, ParamMessage, PACK_BITS, PACK_OFFSET, PACK_PER_ELEMENT};
pub use primitives::table::{distinct_table_rows, distinct_tables, erf, TableFn, DEFAULT_TABLE_BITS};
pub use primitives::{
    limb_widths, limbs_for, split_limbs, BoundFit, Bounded, DivOp, DivWitness, Fault, GatherOp, LinearOp, LinearParams,
    Magnitudes, MulOp, Operand, Primitive, RequantOp, RequantWitness, TableOp,
};
pub use spec::{DType, IoSpec};
pub use visibility::{ParamVisibility, Visibilities, Visibility, VisibilityConfig};

/// Index of a tensor in a [`QGraph`].
pub type TensorId = usize;

/// Quantization knobs. The defaults were picked on the bundled models: 3-6x smaller output error
/// than EZKL 23 at the same k (mlp_digits 1.3e-4, cnn_digits 6.1e-4, mlp_wide 1.7e-4 max abs vs f32).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QuantConfig {
    /// Activations get the largest scale whose calibrated range (times `margin`) fits in this many bits (sign included).
    pub activation_bits: u32,
    /// Upper bound on any activation scale.
    pub max_activation_scale: u32,
    /// Constants get the largest scale whose max magnitude fits in this many bits (sign included).
    pub weight_bits: u32,
    /// Upper bound on any constant's scale.
    pub max_weight_scale: u32,
    /// Head-room factor over the calibrated maximum magnitude.
    pub margin: f64,
    /// Lookup tables (nonlinear activations) have at most `2^table_bits` entries: a wider input
    /// is first requantized down (a rescale with a proven remainder).
    #[serde(default = "default_table_bits")]
    pub table_bits: u32,
    /// When a table's input is requantized down by `L > 0` bits, interpolate linearly between
    /// the two neighbouring entries instead of taking the nearest (see
    /// [`lower::LowerCtx::lookup`]): the error drops from `|f'|·h/2` (table step `h`) to
    /// `|f''|·h²/8`, for one more lookup, two products, three Linear positions and one more
    /// rescale per element. Settings written before this knob existed were built without it,
    /// so a missing field reads as `false`.
    #[serde(default)]
    pub table_interpolation: bool,
}

fn default_table_bits() -> u32 {
    DEFAULT_TABLE_BITS
}

impl Default for QuantConfig {
    fn default() -> Self {
        Self {
            activation_bits: 20,
            max_activation_scale: 14,
            weight_bits: 18,
            max_weight_scale: 16,
            margin: 2.0,
            table_bits: DEFAULT_TABLE_BITS,
            table_interpolation: true,
        }
    }
}

/// A tensor of the quantized graph.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QTensor {
    /// Name of the ONNX value it represents (for messages).
    pub name: String,
    /// Static shape (row-major).
    pub shape: Vec<usize>,
    /// Fractional bits: the real value is `v / 2^scale`.
    pub scale: u32,
}

impl QTensor {
    /// Number of elements (the product of the shape).
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }
    /// Whether it has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The integer primitives.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum QOp {
    /// A dense affine map with constant weights.
    Linear(LinearOp),
    /// A rescale with round-half-up, an optional ReLU and a range check.
    Requant(RequantOp),
    /// The elementwise product of two activations.
    Mul(MulOp),
    /// The rounded quotient of two activations.
    Div(DivOp),
    /// Pure re-wiring of one input's values.
    Gather(GatherOp),
    /// An elementwise nonlinearity proven by a lookup table.
    Table(TableOp),
}

/// One primitive application.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QNode {
    /// The ONNX node it came from (for messages).
    pub name: String,
    /// The primitive it applies.
    pub op: QOp,
    /// The tensors it reads, in the order the primitive takes them.
    pub inputs: Vec<TensorId>,
    /// The tensor it defines.
    pub output: TensorId,
}

/// The quantized model: its tensors, its nodes in evaluation order, and its inputs and outputs.
/// The first nodes range-check the inputs, one each, in input order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QGraph {
    /// Every tensor, indexed by [`TensorId`].
    pub tensors: Vec<QTensor>,
    /// The nodes, in evaluation order.
    pub nodes: Vec<QNode>,
    /// The model inputs, in order.
    pub inputs: Vec<IoSpec>,
    /// The model outputs, in order.
    pub outputs: Vec<IoSpec>,
    /// Who sees the parameters.
    pub params: ParamVisibility,
    /// With hashed parameters, an optional secret salt hashed after them (a 248-bit integer,
    /// big-endian): as secret as the weights, and kept with them (`circuit.bin`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param_salt: Option<ParamSalt>,
}

/// A parameter salt: 31 random bytes, big-endian, so that it is always a field element.
pub type ParamSalt = [u8; 31];

impl QGraph {
    /// Every lookup's table, in node order (shared tables repeat: see [`distinct_tables`]).
    pub fn tables(&self) -> impl Iterator<Item = &TableOp> {
        self.nodes.iter().filter_map(|n| match &n.op {
            QOp::Table(t) => Some(t),
            _ => None,
        })
    }

    /// Total multiply-accumulates (for reporting).
    pub fn macs(&self) -> usize {
        self.nodes.iter().map(|n| n.op.primitive().macs()).sum()
    }

    /// Every model parameter, node by node ([`QGraph::param_slices`]): each linear op's
    /// parameter weights (channel-major), then its parameter biases.
    pub fn param_values(&self) -> Vec<i64> {
        self.param_slices().flat_map(|(_, _, values)| values.iter().copied()).collect()
    }
}
