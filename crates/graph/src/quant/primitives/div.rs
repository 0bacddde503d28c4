//! `Div`: division of two activations with round-half-up, proven by a product and three range
//! checks.

use serde::{Deserialize, Serialize};

use super::{
    index_pairs, max_abs, operands, BoundFit, Bounded, Fault, Magnitudes, Operand, Primitive, RequantOp, MAX_SHIFT,
};

/// Division of two activations with round-half-up:
/// `out[i] = floor((a * 2^(shift+1) + b) / (2 b))` for `a = a[a_index[i]]`, `b = b[b_index[i]]`,
/// which is `round(a * 2^shift / b)`. The divisor must be positive: the circuit proves
/// `q * b = c`, `r = a * 2^(shift+1) + b - 2c` and `0 <= r`, `0 <= 2b - 1 - r` (range checks of
/// `den_bits + 1` bits), and range-checks `q` to `quot_bits` bits.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DivOp {
    /// For each output, the index of its dividend in the first input.
    pub a_index: Vec<u32>,
    /// For each output, the index of its divisor in the second input.
    pub b_index: Vec<u32>,
    /// Extra fractional bits of the quotient: it is `round(a * 2^shift / b)`.
    pub shift: u32,
    /// Calibrated bound on the divisor: `0 < b < 2^den_bits`.
    pub den_bits: u32,
    /// Calibrated bound on the quotient: `-2^quot_bits <= q < 2^quot_bits`.
    pub quot_bits: u32,
}

/// Every value the proof of one quotient holds, for dividend `a` and divisor `b`:
/// `product = quotient · b`, `remainder = 2^(shift+1) a + b - 2 product` and
/// `slack = 2b - 1 - remainder`. Both `remainder` and `slack` are non-negative exactly when
/// `quotient` is the rounded quotient (and `b > 0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DivWitness {
    /// `round(a · 2^shift / b)`, half up.
    pub quotient: i128,
    /// `quotient · b`.
    pub product: i128,
    /// `2^(shift+1) a + b - 2 product`, in `[0, 2b)`.
    pub remainder: i128,
    /// `2b - 1 - remainder`, in `[0, 2b)`.
    pub slack: i128,
}

impl DivOp {
    /// `2^(shift+1)`, the dividend's weight in the remainder.
    pub fn dividend_weight(&self) -> i64 {
        1i64 << (self.shift + 1).min(62)
    }

    /// `round(a * 2^shift / b)` (half up), for `b > 0`.
    pub fn quotient(&self, a: i64, b: i64) -> Option<i64> {
        if b <= 0 || self.shift > 62 {
            return None;
        }
        let num = (a as i128) << (self.shift + 1);
        i64::try_from((num + b as i128).div_euclid(2 * b as i128)).ok()
    }

    /// The values of the proof of `a / b` (the one place this arithmetic is written). Without a
    /// quotient (a non-positive divisor) the quotient is 0, which the range checks then reject.
    pub fn witness(&self, a: i64, b: i64) -> DivWitness {
        let quotient = i128::from(self.quotient(a, b).unwrap_or(0));
        let product = quotient * i128::from(b);
        let remainder = i128::from(self.dividend_weight()) * i128::from(a) + i128::from(b) - 2 * product;
        DivWitness { quotient, product, remainder, slack: 2 * i128::from(b) - 1 - remainder }
    }

    /// The two range checks: `remainder, slack >= 0` (a ReLU of `den_bits + 1` bits whose output
    /// is its input) and the quotient's bound.
    pub fn checks(&self) -> (RequantOp, RequantOp) {
        (
            RequantOp { shift: 0, relu: true, bits: self.den_bits + 1 },
            RequantOp { shift: 0, relu: false, bits: self.quot_bits },
        )
    }
}

impl Primitive for DivOp {
    fn eval(&self, inputs: &[&[i64]]) -> Result<Vec<i64>, Fault> {
        let [a, b] = operands(inputs)?;
        self.a_index
            .iter()
            .zip(&self.b_index)
            .map(|(&ia, &ib)| {
                let (x, d) = (a[ia as usize], b[ib as usize]);
                if d <= 0 {
                    return Err(Fault::NonPositiveDivisor { input: 1, value: d });
                }
                self.quotient(x, d).ok_or(Fault::Overflow)
            })
            .collect()
    }

    fn macs(&self) -> usize {
        self.a_index.len()
    }

    fn validate(&self, input_lens: &[usize], output_len: usize) -> Result<(), String> {
        index_pairs("div", &self.a_index, &self.b_index, input_lens, output_len)?;
        if self.shift > MAX_SHIFT || self.den_bits > MAX_SHIFT || self.quot_bits > MAX_SHIFT {
            return Err(format!("div shift {} or its bounds too large", self.shift));
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

impl Bounded for DivOp {
    fn check(&self, inputs: &[&[i64]], output: &[i64]) -> Result<(), Fault> {
        let [_, b] = operands(inputs)?;
        let den = 1i64 << self.den_bits.min(62);
        if let Some(&d) = self.b_index.iter().map(|&j| &b[j as usize]).find(|&&d| d >= den) {
            return Err(Fault::OutOfRange { at: Operand::Input(1), value: d, bits: self.den_bits });
        }
        let quot = 1i64 << self.quot_bits.min(62);
        match output.iter().find(|&&q| q < -quot || q >= quot) {
            Some(&q) => Err(Fault::OutOfRange { at: Operand::Output, value: q, bits: self.quot_bits }),
            None => Ok(()),
        }
    }

    fn observe(&self, inputs: &[&[i64]], output: &[i64]) -> Magnitudes {
        let divisor = inputs.get(1).map_or(0, |b| self.b_index.iter().fold(0, |m, &j| m.max(b[j as usize])));
        Magnitudes { value: max_abs(output), divisor }
    }

    fn fit(&mut self, seen: Magnitudes, fit: &BoundFit) {
        self.den_bits = fit.bits(seen.divisor);
        self.quot_bits = fit.bits(seen.value);
    }

    fn range_checks(&self) -> Vec<RequantOp> {
        let (nonneg, quotient) = self.checks();
        vec![nonneg, quotient]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_witness_has_remainder_and_slack_in_range() {
        let op = DivOp { a_index: vec![], b_index: vec![], shift: 3, den_bits: 8, quot_bits: 8 };
        for a in [-50i64, -7, -1, 0, 1, 7, 50] {
            for b in [1i64, 2, 3, 7, 100] {
                let w = op.witness(a, b);
                assert_eq!(w.product, w.quotient * i128::from(b));
                assert!((0..2 * i128::from(b)).contains(&w.remainder), "a {a} b {b}");
                assert!((0..2 * i128::from(b)).contains(&w.slack));
                let exact = (a as f64 * 8.0 / b as f64 + 0.5).floor() as i128;
                assert_eq!(w.quotient, exact);
            }
        }
    }
}
