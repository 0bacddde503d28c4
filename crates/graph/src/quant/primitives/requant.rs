//! `Requant`: rescale by `2^shift` with round-half-up, an optional ReLU, and a range check of
//! the result. Also the range check every other primitive's proof uses (shift 0).

use serde::{Deserialize, Serialize};

use super::limbs::limb_widths;
use super::{
    max_abs, one_input_of_output_len, operands, BoundFit, Bounded, Fault, Magnitudes, Operand, Primitive, MAX_SHIFT,
};

/// Rescale by `2^shift` with round-half-up, optionally followed by ReLU, with a range check:
/// `z = floor((x + 2^(shift-1)) / 2^shift)` (`z = x` when `shift == 0`), `-2^bits <= z < 2^bits`,
/// `out = relu ? max(z, 0) : z`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequantOp {
    /// The input is divided by `2^shift`, rounding half up (0: no rescale, only a range check).
    pub shift: u32,
    /// Whether a ReLU follows the rescale.
    pub relu: bool,
    /// Calibrated bound on `|z|` (set by integer calibration; the circuit range-checks it).
    pub bits: u32,
}

/// Every value the proof of one rescaled element holds, for input `x`:
/// `x + half = quotient · 2^shift + remainder` with `remainder` in `[0, 2^shift)`;
/// `folded` is `quotient` when `sign = 1` (non-negative) and `-quotient - 1` when `sign = 0`, so
/// `folded` in `[0, 2^bits)` is exactly `-2^bits <= quotient < 2^bits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequantWitness {
    /// `z`, the rounded rescaled value before the ReLU.
    pub quotient: i128,
    /// `x + half - z · 2^shift`.
    pub remainder: i128,
    /// `1` when `z >= 0`, else `0`.
    pub sign: i128,
    /// `z` or `-z - 1`: the value whose limbs are range-checked.
    pub folded: i128,
    /// The output: `max(z, 0)` with ReLU, else `z`.
    pub out: i128,
}

impl RequantOp {
    /// `2^shift`.
    pub fn pow(&self) -> i128 {
        1i128 << self.shift.min(126)
    }

    /// `2^(shift-1)`, the rounding offset (0 when `shift` is 0).
    pub fn half(&self) -> i128 {
        match self.shift {
            0 => 0,
            s => 1i128 << (s - 1).min(125),
        }
    }

    /// The values of the rescale of `x` (the one place this arithmetic is written).
    pub fn witness(&self, x: i128) -> RequantWitness {
        let pow = self.pow();
        let quotient = (x + self.half()).div_euclid(pow);
        let remainder = x + self.half() - quotient * pow;
        let sign = i128::from(quotient >= 0);
        let folded = if quotient >= 0 { quotient } else { -quotient - 1 };
        let out = if self.relu { quotient.max(0) } else { quotient };
        RequantWitness { quotient, remainder, sign, folded, out }
    }

    /// The rounded, rescaled value before the optional ReLU.
    pub fn pre_activation(&self, x: i64) -> i64 {
        // |z| <= |x| + 1 for every shift, so it fits.
        self.witness(x.into()).quotient as i64
    }

    /// Full primitive: rescale, then ReLU if enabled.
    pub fn apply(&self, x: i64) -> i64 {
        self.witness(x.into()).out as i64
    }

    /// Widths of the range check's `b`-bit limbs: the remainder's (`shift` bits) and the folded
    /// value's (`bits`).
    pub fn limb_widths(&self, b: u32) -> (Vec<u32>, Vec<u32>) {
        (limb_widths(self.shift, b), limb_widths(self.bits, b))
    }

    /// Limbs of one element with `b`-bit limbs (remainder and value).
    pub fn limbs(&self, b: u32) -> usize {
        let (r, w) = self.limb_widths(b);
        r.len() + w.len()
    }
}

impl Primitive for RequantOp {
    fn eval(&self, inputs: &[&[i64]]) -> Result<Vec<i64>, Fault> {
        let [x] = operands(inputs)?;
        Ok(x.iter().map(|&v| self.apply(v)).collect())
    }

    fn macs(&self) -> usize {
        0
    }

    fn validate(&self, input_lens: &[usize], output_len: usize) -> Result<(), String> {
        one_input_of_output_len("requant", input_lens, output_len)?;
        if self.shift > MAX_SHIFT || self.bits > MAX_SHIFT {
            return Err(format!("shift {} / bound 2^{} too large", self.shift, self.bits));
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

impl Bounded for RequantOp {
    fn check(&self, inputs: &[&[i64]], _output: &[i64]) -> Result<(), Fault> {
        let [x] = operands(inputs)?;
        let bound = 1i64 << self.bits.min(62);
        match x.iter().map(|&v| self.pre_activation(v)).find(|z| *z < -bound || *z >= bound) {
            Some(z) => Err(Fault::OutOfRange { at: Operand::Output, value: z, bits: self.bits }),
            None => Ok(()),
        }
    }

    fn observe(&self, inputs: &[&[i64]], _output: &[i64]) -> Magnitudes {
        let z: Vec<i64> = inputs.first().map_or(&[][..], |x| x).iter().map(|&v| self.pre_activation(v)).collect();
        Magnitudes { value: max_abs(&z), divisor: 0 }
    }

    fn fit(&mut self, seen: Magnitudes, fit: &BoundFit) {
        self.bits = fit.bits(seen.value);
    }

    fn range_checks(&self) -> Vec<RequantOp> {
        vec![self.clone()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_witness_satisfies_the_rescale_equations() {
        for shift in [0, 1, 3, 8] {
            for relu in [false, true] {
                let op = RequantOp { shift, relu, bits: 20 };
                for x in [-1000i128, -129, -128, -1, 0, 1, 127, 128, 999] {
                    let w = op.witness(x);
                    assert_eq!(x + op.half(), w.quotient * op.pow() + w.remainder);
                    assert!((0..op.pow()).contains(&w.remainder));
                    assert_eq!(w.folded, if w.sign == 1 { w.quotient } else { -w.quotient - 1 });
                    assert!(w.folded >= 0);
                    assert_eq!(w.out, if relu { w.quotient.max(0) } else { w.quotient });
                }
            }
        }
    }
}
