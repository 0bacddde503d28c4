//! `Softplus`.

use super::activation::Activation;
use crate::TableFn;

/// `ln(1 + e^x)` by lookup table.
#[derive(Debug, Clone, Default)]
pub struct Softplus;

impl Activation for Softplus {
    fn op_name(&self) -> &'static str {
        "Softplus"
    }

    fn func(&self) -> TableFn {
        TableFn::Softplus
    }
}
