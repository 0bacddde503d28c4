//! `Clip` (and `Relu6`-style clips).

use super::activation::Activation;
use crate::TableFn;

/// `min(max(x, min), max)` by lookup table. The bounds come from attributes (opset < 11) or
/// constant inputs (opset 11+), read by the importer; an absent bound is infinite.
#[derive(Debug, Clone, PartialEq)]
pub struct Clip {
    /// Lower bound (`-inf` when absent).
    pub min: f32,
    /// Upper bound (`+inf` when absent).
    pub max: f32,
}

impl Default for Clip {
    fn default() -> Self {
        Self { min: f32::NEG_INFINITY, max: f32::INFINITY }
    }
}

impl Activation for Clip {
    fn op_name(&self) -> &'static str {
        "Clip"
    }

    fn func(&self) -> TableFn {
        TableFn::Clip { min: f64::from(self.min), max: f64::from(self.max) }
    }

    fn max_inputs(&self) -> usize {
        3
    }
}
