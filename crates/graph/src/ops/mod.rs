//! One file per op: shape inference, f32 evaluation and lowering to integer primitives.
//!
//! Op-type strings live only in the ONNX importer's registry, which builds these structs from
//! typed attributes.

pub mod broadcast;
mod elementwise;
mod layout;

mod add;
mod avg_pool;
mod batch_norm;
mod concat;
mod conv;
mod div;
mod flatten;
mod gather;
mod gemm;
mod global_avg_pool;
mod identity;
mod matmul;
mod mul;
mod neg;
mod pad;
mod reduce;
mod relu;
mod reshape;
mod shape;
mod slice;
mod squeeze;
mod sub;
mod transpose;
mod unsqueeze;

pub use add::Add;
pub use avg_pool::AveragePool;
pub use batch_norm::BatchNorm;
pub use concat::Concat;
pub use conv::{Conv, Padding};
pub use div::Div;
pub use flatten::Flatten;
pub use gather::Gather;
pub use gemm::Gemm;
pub use global_avg_pool::GlobalAveragePool;
pub use identity::Identity;
pub use matmul::MatMul;
pub use mul::Mul;
pub use neg::Neg;
pub use pad::{Pad, PadMode};
pub use reduce::{Reduce, ReduceKind};
pub use relu::Relu;
pub use reshape::Reshape;
pub use shape::Shape;
pub use slice::Slice;
pub use squeeze::Squeeze;
pub use sub::Sub;
pub use transpose::Transpose;
pub use unsqueeze::Unsqueeze;

#[cfg(test)]
mod tests;
