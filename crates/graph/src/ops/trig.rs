//! The trigonometric and hyperbolic functions and their inverses (`Sin` … `Atanh`), one lookup
//! table each. Outside its domain (`Asin`, `Acos` and `Atanh` beyond `[-1, 1]`, `Acosh` below
//! one) a function is undefined and those inputs are not in its table: an input there is an
//! error naming the tensor before proving, as for `Sqrt`.

use serde::{Deserialize, Serialize};

use super::activation::Activation;
use crate::TableFn;

/// Which function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrigFn {
    /// `sin(x)`.
    Sin,
    /// `cos(x)`.
    Cos,
    /// `tan(x)`.
    Tan,
    /// `asin(x)`, on `[-1, 1]`.
    Asin,
    /// `acos(x)`, on `[-1, 1]`.
    Acos,
    /// `atan(x)`.
    Atan,
    /// `sinh(x)`.
    Sinh,
    /// `cosh(x)`.
    Cosh,
    /// `asinh(x)`.
    Asinh,
    /// `acosh(x)`, from 1.
    Acosh,
    /// `atanh(x)`, on `(-1, 1)`.
    Atanh,
}

impl TrigFn {
    /// The ONNX op type.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sin => "Sin",
            Self::Cos => "Cos",
            Self::Tan => "Tan",
            Self::Asin => "Asin",
            Self::Acos => "Acos",
            Self::Atan => "Atan",
            Self::Sinh => "Sinh",
            Self::Cosh => "Cosh",
            Self::Asinh => "Asinh",
            Self::Acosh => "Acosh",
            Self::Atanh => "Atanh",
        }
    }

    /// The real function (NaN outside its domain).
    pub fn real(self, x: f64) -> f64 {
        match self {
            Self::Sin => x.sin(),
            Self::Cos => x.cos(),
            Self::Tan => x.tan(),
            Self::Asin => x.asin(),
            Self::Acos => x.acos(),
            Self::Atan => x.atan(),
            Self::Sinh => x.sinh(),
            Self::Cosh => x.cosh(),
            Self::Asinh => x.asinh(),
            Self::Acosh => x.acosh(),
            Self::Atanh => x.atanh(),
        }
    }

    /// A bound on `|f'|` over `|x| <= bound` (infinite where the derivative is unbounded).
    pub fn lipschitz(self, bound: f64) -> f64 {
        match self {
            Self::Sin | Self::Cos | Self::Atan | Self::Asinh => 1.0,
            Self::Sinh | Self::Cosh => bound.cosh(),
            Self::Tan | Self::Asin | Self::Acos | Self::Acosh | Self::Atanh => f64::INFINITY,
        }
    }
}

/// One of [`TrigFn`] by lookup table.
#[derive(Debug, Clone)]
pub struct Trig {
    /// The function.
    pub func: TrigFn,
}

impl Activation for Trig {
    fn op_name(&self) -> &'static str {
        self.func.name()
    }

    fn func(&self) -> TableFn {
        TableFn::Trig(self.func)
    }
}
