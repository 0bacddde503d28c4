//! zkinfer's intermediate representation, shared by every other crate.
//!
//! * [`Graph`]: the f32 model as imported from ONNX — typed [`Op`]s over statically shaped
//!   tensors, with every constant sub-expression folded at build time.
//! * [`calibrate`]: runs the f32 graph on sample inputs and records per-value ranges.
//! * [`quantize`]: lowers the graph to a [`QGraph`] of a handful of integer primitives
//!   ([`QOp`]) with power-of-two scales. Its exact integer evaluation ([`QGraph::eval`]) *is*
//!   the circuit witness: the circuit constrains exactly these integer relations.
//!
//! This crate has no halo2 dependency.

#![warn(missing_docs)]

mod calibrate;
mod error;
mod graph;
pub mod io;
mod mask;
pub mod ops;
mod quant;
mod reassociate;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use calibrate::{calibrate, one_input_samples, Calibration, Sample};
pub use error::{GraphError, OpError, OpResult};
pub use graph::{Graph, GraphBuilder, Node, Op, Tensor, ValueId, ValueInfo, MAX_VALUE_LEN};
pub use mask::{fold_masks, MASK_BELOW};
pub use quant::{
    distinct_table_rows, distinct_tables, erf, limb_widths, limbs_for,
    lower::{LValue, LowerCtx},
    packable, quantize, split_limbs, BoundFit, Bounded, DType, DivOp, DivWitness, Fault, GatherOp, InstanceLayout,
    InstanceRole, InstanceSegment, IoSpec, LinearOp, LinearParams, Magnitudes, MulOp, Operand, ParamMessage, ParamSalt,
    ParamVisibility, Primitive, QGraph, QNode, QOp, QTensor, QuantConfig, RequantOp, RequantWitness, TableFn, TableOp,
    TensorId, Visibilities, Visibility, VisibilityConfig, Witness, DEFAULT_TABLE_BITS, PACK_BITS, PACK_OFFSET,
    PACK_PER_ELEMENT,
};
pub use reassociate::{reassociate_scales, SMALL_SCALAR};

/// Result type of this crate.
pub type Result<T, E = GraphError> = std::result::Result<T, E>;
