//! `Selu`.

use super::activation::Activation;
use crate::TableFn;

/// `gamma * x` for `x > 0`, `gamma * alpha * (e^x - 1)` otherwise, by lookup table.
#[derive(Debug, Clone, PartialEq)]
pub struct Selu {
    /// Scale of the negative branch's exponential (ONNX default 1.67326…).
    pub alpha: f32,
    /// Scale of both branches (ONNX default 1.05070…).
    pub gamma: f32,
}

impl Activation for Selu {
    fn op_name(&self) -> &'static str {
        "Selu"
    }

    fn func(&self) -> TableFn {
        TableFn::Selu { alpha: f64::from(self.alpha), gamma: f64::from(self.gamma) }
    }
}
