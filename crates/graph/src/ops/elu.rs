//! `Elu`.

use super::activation::Activation;
use crate::TableFn;

/// `x` for `x > 0`, `alpha * (e^x - 1)` otherwise, by lookup table.
#[derive(Debug, Clone, PartialEq)]
pub struct Elu {
    /// Scale of the negative branch.
    pub alpha: f32,
}

impl Activation for Elu {
    fn op_name(&self) -> &'static str {
        "Elu"
    }

    fn func(&self) -> TableFn {
        TableFn::Elu { alpha: f64::from(self.alpha) }
    }
}
