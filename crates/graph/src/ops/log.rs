//! `Log`.

use super::activation::Activation;
use crate::TableFn;

/// `ln(x)` by lookup table; an input at or below zero is outside the table (an error before
/// proving).
#[derive(Debug, Clone, Default)]
pub struct Log;

impl Activation for Log {
    fn op_name(&self) -> &'static str {
        "Log"
    }

    fn func(&self) -> TableFn {
        TableFn::Ln
    }
}
