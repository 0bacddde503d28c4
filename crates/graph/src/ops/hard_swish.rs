//! `HardSwish`.

use super::activation::Activation;
use crate::TableFn;

/// `x * max(0, min(1, x / 6 + 1/2))` by lookup table.
#[derive(Debug, Clone, Default)]
pub struct HardSwish;

impl Activation for HardSwish {
    fn op_name(&self) -> &'static str {
        "HardSwish"
    }

    fn func(&self) -> TableFn {
        TableFn::HardSwish
    }
}
