//! One file per op: shape inference, f32 evaluation and lowering to integer primitives.
//!
//! Op-type strings live only in the ONNX importer's registry, which builds these structs from
//! typed attributes.

pub mod activation;
pub mod broadcast;
mod elementwise;
mod layout;

mod abs;
mod add;
mod avg_pool;
mod batch_norm;
mod clip;
mod concat;
mod conv;
mod div;
mod elu;
mod erf;
mod exp;
mod flatten;
mod gather;
mod gelu;
mod gemm;
mod global_avg_pool;
mod hard_sigmoid;
mod hard_swish;
mod identity;
mod leaky_relu;
mod log_softmax;
mod matmul;
mod mul;
mod neg;
mod pad;
mod reduce;
mod relu;
mod reshape;
mod shape;
mod sigmoid;
mod slice;
mod softmax;
mod softplus;
mod sqrt;
mod squeeze;
mod sub;
mod tanh;
mod transpose;
mod unsqueeze;

pub use abs::Abs;
pub use add::Add;
pub use avg_pool::AveragePool;
pub use batch_norm::BatchNorm;
pub use clip::Clip;
pub use concat::Concat;
pub use conv::{Conv, Padding};
pub use div::Div;
pub use elu::Elu;
pub use erf::Erf;
pub use exp::Exp;
pub use flatten::Flatten;
pub use gather::Gather;
pub use gelu::Gelu;
pub use gemm::Gemm;
pub use global_avg_pool::GlobalAveragePool;
pub use hard_sigmoid::HardSigmoid;
pub use hard_swish::HardSwish;
pub use identity::Identity;
pub use leaky_relu::LeakyRelu;
pub use log_softmax::LogSoftmax;
pub use matmul::MatMul;
pub use mul::Mul;
pub use neg::Neg;
pub use pad::{Pad, PadMode};
pub use reduce::{Reduce, ReduceKind};
pub use relu::Relu;
pub use reshape::Reshape;
pub use shape::Shape;
pub use sigmoid::Sigmoid;
pub use slice::Slice;
pub use softmax::Softmax;
pub use softplus::Softplus;
pub use sqrt::Sqrt;
pub use squeeze::Squeeze;
pub use sub::Sub;
pub use tanh::Tanh;
pub use transpose::Transpose;
pub use unsqueeze::Unsqueeze;

#[cfg(test)]
mod tests;
