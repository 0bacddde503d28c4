//! `Abs`.

use super::activation::Activation;
use crate::TableFn;

/// `|x|` by lookup table.
#[derive(Debug, Clone, Default)]
pub struct Abs;

impl Activation for Abs {
    fn op_name(&self) -> &'static str {
        "Abs"
    }

    fn func(&self) -> TableFn {
        TableFn::Abs
    }
}
