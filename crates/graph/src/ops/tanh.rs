//! `Tanh`.

use super::activation::Activation;
use crate::TableFn;

/// `tanh(x)` by lookup table.
#[derive(Debug, Clone, Default)]
pub struct Tanh;

impl Activation for Tanh {
    fn op_name(&self) -> &'static str {
        "Tanh"
    }

    fn func(&self) -> TableFn {
        TableFn::Tanh
    }
}
