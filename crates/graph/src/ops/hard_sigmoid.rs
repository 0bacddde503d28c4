//! `HardSigmoid`.

use super::activation::Activation;
use crate::TableFn;

/// `max(0, min(1, alpha * x + beta))` by lookup table.
#[derive(Debug, Clone, PartialEq)]
pub struct HardSigmoid {
    /// Slope.
    pub alpha: f32,
    /// Offset.
    pub beta: f32,
}

impl Activation for HardSigmoid {
    fn op_name(&self) -> &'static str {
        "HardSigmoid"
    }

    fn func(&self) -> TableFn {
        TableFn::HardSigmoid { alpha: f64::from(self.alpha), beta: f64::from(self.beta) }
    }
}
