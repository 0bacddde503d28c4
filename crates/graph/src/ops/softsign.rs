//! `Softsign`.

use super::activation::Activation;
use crate::TableFn;

/// `x / (1 + |x|)` by lookup table.
#[derive(Debug, Clone, Default)]
pub struct Softsign;

impl Activation for Softsign {
    fn op_name(&self) -> &'static str {
        "Softsign"
    }

    fn func(&self) -> TableFn {
        TableFn::Softsign
    }
}
