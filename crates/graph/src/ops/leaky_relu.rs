//! `LeakyRelu`.

use super::activation::Activation;
use crate::TableFn;

/// `x` for `x >= 0`, `alpha * x` otherwise, by lookup table.
#[derive(Debug, Clone, PartialEq)]
pub struct LeakyRelu {
    /// Slope for negative inputs.
    pub alpha: f32,
}

impl Activation for LeakyRelu {
    fn op_name(&self) -> &'static str {
        "LeakyRelu"
    }

    fn func(&self) -> TableFn {
        TableFn::LeakyRelu { alpha: f64::from(self.alpha) }
    }
}
