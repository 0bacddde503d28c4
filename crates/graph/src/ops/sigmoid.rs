//! `Sigmoid`.

use super::activation::Activation;
use crate::TableFn;

/// `1 / (1 + e^-x)` by lookup table.
#[derive(Debug, Clone, Default)]
pub struct Sigmoid;

impl Activation for Sigmoid {
    fn op_name(&self) -> &'static str {
        "Sigmoid"
    }

    fn func(&self) -> TableFn {
        TableFn::Sigmoid
    }
}
