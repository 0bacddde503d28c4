//! `Erf`.

use super::activation::Activation;
use crate::TableFn;

/// The error function by lookup table.
#[derive(Debug, Clone, Default)]
pub struct Erf;

impl Activation for Erf {
    fn op_name(&self) -> &'static str {
        "Erf"
    }

    fn func(&self) -> TableFn {
        TableFn::Erf
    }
}
