//! `Mish`.

use super::activation::Activation;
use crate::TableFn;

/// `x * tanh(ln(1 + e^x))` by lookup table.
#[derive(Debug, Clone, Default)]
pub struct Mish;

impl Activation for Mish {
    fn op_name(&self) -> &'static str {
        "Mish"
    }

    fn func(&self) -> TableFn {
        TableFn::Mish
    }
}
