//! `Mod`: the remainder of a division, with numpy broadcasting.
//!
//! It folds on constants: the shape arithmetic exporters write (an attention body's check that
//! the query heads are a multiple of the key heads). A computed value modulo constants is
//! `x - c·q` with the quotient `q` of the `floor_div` module (floor, or truncated for `fmod`),
//! exact on the fixed-point integers when `c` is a whole number of the dividend's steps (every
//! integer divisor of an integer tensor). A computed divisor is refused by name.

use super::broadcast::{broadcast_shape, expect_inputs, zip_broadcast};
use super::floor_div::{by_constants, remainder, Rounding};
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// ONNX `Mod`. With `fmod` (required for floats) the remainder takes the sign of the dividend,
/// as C's `fmod`; without it the sign of the divisor, as Python's `%` (integers only).
#[derive(Debug, Clone, Default)]
pub struct Mod {
    /// The `fmod` attribute.
    pub fmod: bool,
}

impl Mod {
    /// The remainder of `a / b` (`b != 0`).
    fn remainder(&self, a: f64, b: f64) -> f64 {
        let r = a % b; // truncated: the sign of `a`
        if self.fmod || r == 0.0 || (r < 0.0) == (b < 0.0) {
            r
        } else {
            r + b
        }
    }
}

impl Op for Mod {
    fn name(&self) -> &'static str {
        "Mod"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 2, 2)?;
        broadcast_shape(inputs[0], inputs[1])
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 2, 2)?;
        if inputs[1].iter().any(|&b| b == 0.0) {
            return Err(OpError::Invalid("Mod by 0".into()));
        }
        zip_broadcast(inputs[0], inputs[1], |a, b| self.remainder(f64::from(a), f64::from(b)) as f32)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let [LValue::Act { id, .. }, LValue::Const(c)] = inputs else {
            return Err(OpError::Unsupported(
                "Mod by a divisor computed from the model input (only by constants; constants fold)".into(),
            ));
        };
        // r = x - c·q with q = floor(x / c), or trunc(x / c) for fmod (the floor_div module).
        let rounding = if self.fmod { Rounding::Trunc } else { Rounding::Floor };
        let div = by_constants(ctx, *id, c, rounding)?;
        let r = remainder(ctx, div.x, div.index, div.q, div.m, &div.shape, div.scale)?;
        if div.scale == 0 {
            ctx.exact(r);
        }
        Ok(LValue::Act { id: r, exclusive: true })
    }
}

#[cfg(test)]
mod tests {
    use super::Mod;

    /// ONNX's examples: `fmod = 0` follows the divisor's sign, `fmod = 1` the dividend's.
    #[test]
    fn remainders_follow_the_sign_onnx_names() {
        let (a, b) = ([-4.0, 7.0, 5.0, 4.0, -7.0, 8.0], [2.0, -3.0, 8.0, -2.0, 3.0, 5.0]);
        let int: Vec<f64> = a.iter().zip(&b).map(|(&a, &b)| Mod { fmod: false }.remainder(a, b)).collect();
        assert_eq!(int, [0.0, -2.0, 5.0, 0.0, 2.0, 3.0]);
        let f: Vec<f64> = a.iter().zip(&b).map(|(&a, &b)| Mod { fmod: true }.remainder(a, b)).collect();
        assert_eq!(f, [-0.0, 1.0, 5.0, 0.0, -1.0, 3.0]);
    }
}
