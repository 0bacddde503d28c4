//! One file per op: shape inference, f32 evaluation and lowering to integer primitives.
//!
//! Op-type strings live only in the ONNX importer's registry, which builds these structs from
//! typed attributes.

pub mod broadcast;
mod elementwise;

mod add;
mod conv;
mod flatten;
mod gemm;
mod identity;
mod matmul;
mod mul;
mod relu;
mod reshape;
mod sub;

pub use add::Add;
pub use conv::{Conv, Padding};
pub use flatten::Flatten;
pub use gemm::Gemm;
pub use identity::Identity;
pub use matmul::MatMul;
pub use mul::Mul;
pub use relu::Relu;
pub use reshape::Reshape;
pub use sub::Sub;

#[cfg(test)]
mod tests;
