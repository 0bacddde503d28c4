//! `Sqrt`.

use super::activation::Activation;
use crate::TableFn;

/// `sqrt(x)` by lookup table; a negative input is outside the table (an error before proving).
#[derive(Debug, Clone, Default)]
pub struct Sqrt;

impl Activation for Sqrt {
    fn op_name(&self) -> &'static str {
        "Sqrt"
    }

    fn func(&self) -> TableFn {
        TableFn::Sqrt
    }
}
