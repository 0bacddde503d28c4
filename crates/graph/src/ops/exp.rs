//! `Exp`.

use super::activation::Activation;
use crate::TableFn;

/// `e^x` by lookup table (the calibrated domain bounds the output).
#[derive(Debug, Clone, Default)]
pub struct Exp;

impl Activation for Exp {
    fn op_name(&self) -> &'static str {
        "Exp"
    }

    fn func(&self) -> TableFn {
        TableFn::Exp
    }
}
