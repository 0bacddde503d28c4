//! Elementwise nonlinearities as data: a [`TableFn`] names the real function and its
//! parameters, a [`TableOp`] fixes the input and output scales and the input domain.
//!
//! [`TableOp::value`] is the one integer function: the circuit's lookup table is
//! `{(x, value(x)) : x in domain}` and the integer evaluation calls the same `value`, so table
//! and reference cannot drift. Inputs outside the calibrated domain are an error before any
//! proving work ([`crate::GraphError::OutsideTable`]); nothing is clamped.

use serde::{Deserialize, Serialize};

use super::{
    max_abs, one_input_of_output_len, operands, BoundFit, Bounded, Fault, Magnitudes, Primitive, RequantOp, MAX_SHIFT,
    MAX_TABLE_BITS,
};

/// A real function of one variable, with its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "fn", rename_all = "snake_case")]
pub enum TableFn {
    /// `1 / (1 + e^-x)`.
    Sigmoid,
    /// `tanh(x)`.
    Tanh,
    /// `e^x`.
    Exp,
    /// The error function.
    Erf,
    /// `ln(1 + e^x)`.
    Softplus,
    /// `x / (1 + |x|)`.
    Softsign,
    /// `x * tanh(ln(1 + e^x))`.
    Mish,
    /// `gamma * x` for `x > 0`, `gamma * alpha * (e^x - 1)` otherwise.
    Selu {
        /// Scale of the negative branch's exponential.
        alpha: f64,
        /// Scale of both branches.
        gamma: f64,
    },
    /// `x` for `x > 0`, `alpha * (e^x - 1)` otherwise.
    Elu {
        /// Scale of the negative branch.
        alpha: f64,
    },
    /// `max(0, min(1, alpha * x + beta))`.
    HardSigmoid {
        /// Slope.
        alpha: f64,
        /// Offset.
        beta: f64,
    },
    /// `x * max(0, min(1, x / 6 + 1/2))`.
    HardSwish,
    /// `x` for `x >= 0`, `alpha * x` otherwise.
    LeakyRelu {
        /// Slope for negative inputs.
        alpha: f64,
    },
    /// `min(max(x, min), max)`.
    Clip {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// `|x|`.
    Abs,
    /// `sqrt(x)` (undefined below zero: those inputs are not in the table).
    Sqrt,
    /// `x * Φ(x)` (`tanh`: the tanh approximation of ONNX `Gelu`).
    Gelu {
        /// Use the tanh approximation instead of the exact `erf` form.
        tanh: bool,
    },
    /// `ln(x)` (undefined at and below zero: those inputs are not in the table).
    Ln,
    /// `e^min(x, 0)`: softmax's `e^(x - max)`, whose input is never positive; bounded by 1, so
    /// its table never overflows however wide the input range.
    ExpNonPos,
    /// `x^exponent` (undefined where `x < 0` and the exponent is fractional, or `x = 0` and it is
    /// negative: those inputs are not in the table). `Reciprocal` is exponent -1.
    Pow {
        /// The exponent.
        exponent: f64,
    },
    /// A trigonometric or hyperbolic function or an inverse ([`crate::ops::TrigFn`]; undefined
    /// outside its domain).
    Trig(crate::ops::TrigFn),
    /// `(mul * x + add)^(-1/2)` (LayerNormalization's `1 / sqrt(var + eps)`; undefined where
    /// `mul * x + add <= 0`).
    InvSqrt {
        /// Factor applied to `x`.
        mul: f64,
        /// Added after the factor.
        add: f64,
    },
}

impl TableFn {
    /// The real function (f64). The f32 reference evaluation of each op calls this too.
    pub fn real(&self, x: f64) -> f64 {
        match *self {
            Self::Sigmoid => {
                // Stable for large |x|.
                if x >= 0.0 {
                    1.0 / (1.0 + (-x).exp())
                } else {
                    let e = x.exp();
                    e / (1.0 + e)
                }
            }
            Self::Tanh => x.tanh(),
            Self::Exp => x.exp(),
            Self::Erf => erf(x),
            Self::Softplus => softplus(x),
            Self::Softsign => x / (1.0 + x.abs()),
            Self::Mish => x * softplus(x).tanh(),
            Self::Selu { alpha, gamma } => gamma * Self::Elu { alpha }.real(x),
            Self::Elu { alpha } => {
                if x > 0.0 {
                    x
                } else {
                    alpha * x.exp_m1()
                }
            }
            Self::HardSigmoid { alpha, beta } => (alpha * x + beta).clamp(0.0, 1.0),
            Self::HardSwish => x * (x / 6.0 + 0.5).clamp(0.0, 1.0),
            Self::LeakyRelu { alpha } => {
                if x >= 0.0 {
                    x
                } else {
                    alpha * x
                }
            }
            Self::Clip { min, max } => x.max(min).min(max),
            Self::Abs => x.abs(),
            Self::Sqrt => x.sqrt(),
            Self::Ln => x.ln(),
            Self::ExpNonPos => x.min(0.0).exp(),
            Self::Pow { exponent } => x.powf(exponent),
            Self::Trig(f) => f.real(x),
            Self::InvSqrt { mul, add } => {
                let v = mul * x + add;
                if v > 0.0 {
                    1.0 / v.sqrt()
                } else {
                    f64::NAN
                }
            }
            Self::Gelu { tanh: false } => 0.5 * x * (1.0 + erf(x / std::f64::consts::SQRT_2)),
            Self::Gelu { tanh: true } => {
                let c = (2.0 / std::f64::consts::PI).sqrt();
                0.5 * x * (1.0 + (c * (x + 0.044715 * x * x * x)).tanh())
            }
        }
    }

    /// Where each tail is monotone towards a finite limit: `(lo, hi)` with `f` monotone on
    /// `(-∞, lo]` (and on `[hi, ∞)`) and converging there; `None` for a tail without a finite
    /// limit. [`TableOp::saturation`] relies on this to know that once the rounded function
    /// reaches its limit it stays there.
    pub fn tails(&self) -> (Option<f64>, Option<f64>) {
        const EVERYWHERE: (Option<f64>, Option<f64>) = (Some(f64::INFINITY), Some(f64::NEG_INFINITY));
        match *self {
            Self::Sigmoid | Self::Tanh | Self::Erf | Self::Softsign | Self::HardSigmoid { .. } | Self::Clip { .. } => {
                EVERYWHERE
            }
            // `e^min(x, 0)` is 1 from 0 on.
            Self::ExpNonPos => EVERYWHERE,
            Self::Exp | Self::Softplus | Self::Selu { .. } | Self::Elu { .. } => (Some(f64::INFINITY), None),
            // Mish has its minimum near -1.19, GELU near -0.75, HardSwish is 0 below -3.
            Self::Mish => (Some(-2.0), None),
            Self::Gelu { .. } => (Some(-1.0), None),
            Self::HardSwish => (Some(-3.0), None),
            // Atan converges to ±π/2, monotone everywhere.
            Self::Trig(crate::ops::TrigFn::Atan) => EVERYWHERE,
            Self::LeakyRelu { .. }
            | Self::Abs
            | Self::Sqrt
            | Self::Ln
            | Self::Pow { .. }
            | Self::InvSqrt { .. }
            | Self::Trig(_) => (None, None),
        }
    }

    /// A bound on `|f'|` over `|x| <= bound` (for error tolerances in tests and docs).
    pub fn lipschitz(&self, bound: f64) -> f64 {
        match *self {
            Self::Sigmoid => 0.25,
            Self::Tanh | Self::Softplus | Self::Softsign | Self::Abs | Self::Clip { .. } | Self::ExpNonPos => 1.0,
            // Mish' peaks at about 1.0886 (near x = 1.2).
            Self::Mish => 1.09,
            Self::Selu { alpha, gamma } => gamma.abs() * Self::Elu { alpha }.lipschitz(bound),
            Self::Exp => bound.exp(),
            Self::Erf => std::f64::consts::FRAC_2_SQRT_PI,
            Self::Elu { alpha } | Self::LeakyRelu { alpha } => alpha.abs().max(1.0),
            Self::HardSigmoid { alpha, .. } => alpha.abs(),
            Self::HardSwish => 1.5,
            Self::Pow { exponent } if exponent >= 1.0 => exponent * bound.powf(exponent - 1.0),
            Self::Sqrt | Self::Ln | Self::InvSqrt { .. } | Self::Pow { .. } => f64::INFINITY,
            Self::Gelu { .. } => 1.2,
            Self::Trig(f) => f.lipschitz(bound),
        }
    }
}

/// `ln(1 + e^x)`, stable for large `|x|`.
fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// The error function (std has none): the Maclaurin series below 2.5, Lentz's continued
/// fraction for `erfc` up to 6, and 1 beyond; |error| < 1e-12, far below any table quantum.
pub fn erf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let a = x.abs();
    let r = if a < 2.5 {
        // Maclaurin series: erf(a) = 2/√π Σ (-1)^n a^(2n+1) / (n! (2n+1)).
        let mut term = a;
        let mut sum = a;
        let a2 = a * a;
        let mut n = 0.0;
        while term.abs() > 1e-17 * sum.abs() {
            n += 1.0;
            term *= -a2 / n;
            sum += term / (2.0 * n + 1.0);
            if n > 200.0 {
                break;
            }
        }
        std::f64::consts::FRAC_2_SQRT_PI * sum
    } else if a < 6.0 {
        // erfc by Lentz's continued fraction: erfc(a) = e^-a² / √π · 1/(a + 1/2/(a + 1/(a + 3/2/(a + ...)))).
        let mut f = a;
        let tiny = 1e-300;
        let (mut c, mut d) = (a, 0.0);
        for k in 1..200 {
            let an = k as f64 / 2.0;
            d = a + an * d;
            d = if d.abs() < tiny { tiny } else { d };
            c = a + an / c;
            c = if c.abs() < tiny { tiny } else { c };
            d = 1.0 / d;
            let delta = c * d;
            f *= delta;
            if (delta - 1.0).abs() < 1e-16 {
                break;
            }
        }
        1.0 - (-a * a).exp() / (f * std::f64::consts::PI.sqrt())
    } else {
        1.0
    };
    if x < 0.0 {
        -r
    } else {
        r
    }
}

/// The distinct tables among `ops`, in first-use order (a table shared by several lookups once).
pub fn distinct_tables<'a>(ops: impl IntoIterator<Item = &'a TableOp>) -> Vec<&'a TableOp> {
    let mut distinct: Vec<&TableOp> = Vec::new();
    for t in ops {
        if !distinct.contains(&t) {
            distinct.push(t);
        }
    }
    distinct
}

/// Rows of the distinct tables among `ops`.
pub fn distinct_table_rows<'a>(ops: impl IntoIterator<Item = &'a TableOp>) -> usize {
    distinct_tables(ops).iter().map(|t| t.table().len()).sum()
}

/// Largest table input bits allowed by default: a table has `2^table_bits` entries.
pub const DEFAULT_TABLE_BITS: u32 = 12;

/// Elementwise `out = round(f(x / 2^in_scale) * 2^out_scale)` for `x` in the domain
/// `-2^bits <= x < 2^bits`, proven by a lookup in the table of all `(x, out)` pairs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableOp {
    /// The real function tabulated.
    pub func: TableFn,
    /// Fractional bits of the input: `x` stands for `x / 2^in_scale`.
    pub in_scale: u32,
    /// Fractional bits of the output: entries are `round(f * 2^out_scale)`.
    pub out_scale: u32,
    /// Calibrated domain bound (set by integer calibration; the table has `2^(bits+1)` rows).
    pub bits: u32,
}

/// Largest `|value|` a table entry may have (keeps every later sum far from overflow).
const MAX_ENTRY: f64 = (1u64 << 52) as f64;

impl TableOp {
    /// The integer function: `round(f(x / 2^in_scale) * 2^out_scale)`, or `None` where `f`
    /// is undefined (e.g. `sqrt` of a negative) or the result exceeds 2^52 in magnitude.
    pub fn value(&self, x: i64) -> Option<i64> {
        if self.in_scale > 62 || self.out_scale > 62 {
            return None;
        }
        let real = x as f64 / (1u64 << self.in_scale) as f64;
        let y = (self.func.real(real) * (1u64 << self.out_scale) as f64).round();
        (y.is_finite() && y.abs() < MAX_ENTRY).then_some(y as i64)
    }

    /// The domain `[-2^bits, 2^bits)` as `(lo, hi)` inclusive.
    pub fn domain(&self) -> (i64, i64) {
        let b = 1i64 << self.bits.min(40);
        (-b, b - 1)
    }

    /// Whether `x` lies in the domain.
    pub fn contains(&self, x: i64) -> bool {
        let (lo, hi) = self.domain();
        (lo..=hi).contains(&x)
    }

    /// The integer inputs beyond which [`TableOp::value`] is constant: `(lo, hi)` with
    /// `value(x) = value(lo)` for every `x <= lo` and `value(x) = value(hi)` for every `x >= hi`;
    /// `None` for a side where the function has no finite limit or does not reach its rounded
    /// limit within `2^50`. `lo` is the largest such input and `hi` the smallest.
    ///
    /// On a monotone tail `f` lies between its limit `c` and `f(lo)`, so the rounded value lies
    /// between `round(c·2^out)` and `value(lo)`; the search finds the last point where the two
    /// are equal (a binary search: on a monotone tail the equality holds on a prefix).
    pub fn saturation(&self) -> (Option<i64>, Option<i64>) {
        const FAR: i64 = 1 << 50;
        let (lo_tail, hi_tail) = self.func.tails();
        let unit = (1u64 << self.in_scale.min(62)) as f64;
        let limit = |x: f64| {
            let y = (self.func.real(x) * (1u64 << self.out_scale.min(62)) as f64).round();
            (y.is_finite() && y.abs() < MAX_ENTRY).then_some(y as i64)
        };
        // The last point from `far` towards `near` where `value` equals the limit.
        let search = |far: i64, near: i64, c: i64| -> Option<i64> {
            let at_limit = |x: i64| self.value(x) == Some(c);
            if !at_limit(far) {
                return None;
            }
            let (mut inside, mut outside) = (far, near);
            if at_limit(near) {
                return Some(near);
            }
            while (outside - inside).abs() > 1 {
                let mid = inside + (outside - inside) / 2;
                if at_limit(mid) {
                    inside = mid;
                } else {
                    outside = mid;
                }
            }
            Some(inside)
        };
        let lo = lo_tail.and_then(|m| {
            let near = (m * unit).floor().clamp(-FAR as f64, FAR as f64) as i64;
            search(-FAR, near, limit(-1e300)?)
        });
        let hi = hi_tail.and_then(|m| {
            let near = (m * unit).ceil().clamp(-FAR as f64, FAR as f64) as i64;
            search(FAR, near, limit(1e300)?)
        });
        (lo, hi)
    }

    /// Every `(x, value(x))` of the domain where the function is defined: the lookup table.
    pub fn table(&self) -> Vec<(i64, i64)> {
        let (lo, hi) = self.domain();
        (lo..=hi).filter_map(|x| self.value(x).map(|y| (x, y))).collect()
    }
}

/// A lookup: its calibrated bound is the table's domain, so an input outside it (or where the
/// function is undefined) has no row to match.
impl Primitive for TableOp {
    fn eval(&self, inputs: &[&[i64]]) -> Result<Vec<i64>, Fault> {
        let [x] = operands(inputs)?;
        // Unchecked, the function is evaluated wherever it is defined (calibration finds the
        // domain this way); an undefined point reads as 0 and `check` refuses it.
        Ok(x.iter().map(|&v| self.value(v).unwrap_or(0)).collect())
    }

    fn macs(&self) -> usize {
        0
    }

    fn validate(&self, input_lens: &[usize], output_len: usize) -> Result<(), String> {
        one_input_of_output_len("table", input_lens, output_len)?;
        if self.bits > MAX_TABLE_BITS || self.in_scale > MAX_SHIFT || self.out_scale > MAX_SHIFT {
            return Err(format!("table domain 2^{} or its scales too large", self.bits));
        }
        Ok(())
    }

    fn bounds(&self) -> Option<&dyn Bounded> {
        Some(self)
    }

    fn bounds_mut(&mut self) -> Option<&mut dyn Bounded> {
        Some(self)
    }
}

impl Bounded for TableOp {
    fn check(&self, inputs: &[&[i64]], _output: &[i64]) -> Result<(), Fault> {
        let [x] = operands(inputs)?;
        match x.iter().find(|&&v| self.value(v).is_none() || !self.contains(v)) {
            Some(&value) => {
                let (lo, hi) = self.domain();
                let real = value as f64 / (1u64 << self.in_scale.min(62)) as f64;
                Err(Fault::OutsideTable { value, real, lo, hi })
            }
            None => Ok(()),
        }
    }

    fn observe(&self, inputs: &[&[i64]], _output: &[i64]) -> Magnitudes {
        Magnitudes { value: inputs.first().map_or(0, |x| max_abs(x)), divisor: 0 }
    }

    fn fit(&mut self, seen: Magnitudes, fit: &BoundFit) {
        self.bits = fit.bits(seen.value).min(fit.table_bits.max(2) - 1);
    }

    fn range_checks(&self) -> Vec<RequantOp> {
        Vec::new()
    }
}
