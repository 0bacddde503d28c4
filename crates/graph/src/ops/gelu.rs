//! `Gelu`.

use super::activation::Activation;
use crate::TableFn;

/// `x * Φ(x)` by lookup table; `tanh` selects ONNX's tanh approximation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gelu {
    /// Use the tanh approximation (ONNX `approximate = "tanh"`) instead of the exact `erf` form.
    pub tanh: bool,
}

impl Activation for Gelu {
    fn op_name(&self) -> &'static str {
        "Gelu"
    }

    fn func(&self) -> TableFn {
        TableFn::Gelu { tanh: self.tanh }
    }
}
