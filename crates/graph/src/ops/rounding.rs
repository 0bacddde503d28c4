//! `Floor`, `Ceil` and `Round` of a computed value.
//!
//! A value at scale `s` is the integer `X` standing for `X / d`, `d = 2^s`; each result is a
//! whole number, held exactly at scale 0 (at scale 0 all three are the identity). `floor` is
//! the floor quotient of `X` by `d` (the `floor_div` module, pinned for every `X`), `ceil` is
//! `-floor(-X / d)`. `Round` rounds half to even, as ONNX and numpy do: with `X = 2d·a + b`,
//! `0 <= b < 2d` (a floor quotient by `2d` and its remainder), `X / d = 2a + b / d` and
//! `b / d` in `[0, 2)` rounds to 0 up to and including one half, to 1 strictly between one half
//! and three halves, and to 2 from three halves on (2 being even), so the result is
//! `2a + [b > d/2] + [b >= 3d/2]`, two comparison bits of [`super::compare::negative`].

use super::broadcast::{expect_inputs, identity_index};
use super::compare::negative;
use super::floor_div::{exact_sum, quotient, remainder, Divisors, Rounding};
use super::Identity;
use crate::error::OpResult;
use crate::{LValue, LowerCtx, Op, Tensor, TensorId};

/// Which whole number a value goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundTo {
    /// The largest whole number not above it (`Floor`).
    Floor,
    /// The smallest whole number not below it (`Ceil`).
    Ceil,
    /// The nearest, ties to the even one (`Round`).
    HalfEven,
}

impl RoundTo {
    /// `v` rounded.
    pub fn apply(self, v: f32) -> f32 {
        match self {
            Self::Floor => v.floor(),
            Self::Ceil => v.ceil(),
            Self::HalfEven => v.round_ties_even(),
        }
    }
}

/// Rounds each element to a whole number (the module docs).
#[derive(Debug, Clone)]
pub struct Round {
    /// The rounding.
    pub to: RoundTo,
}

impl Op for Round {
    fn name(&self) -> &'static str {
        match self.to {
            RoundTo::Floor => "Floor",
            RoundTo::Ceil => "Ceil",
            RoundTo::HalfEven => "Round",
        }
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 1)?;
        Ok(inputs[0].to_vec())
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 1)?;
        Ok(inputs[0].mapv(|v| self.to.apply(v)))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let LValue::Act { id, .. } = &inputs[0] else {
            return Identity.lower(ctx, &inputs[..1]);
        };
        let x = ctx.materialize(*id)?;
        let t = ctx.tensor(x).clone();
        if t.scale == 0 {
            return Identity.lower(ctx, &inputs[..1]);
        }
        let (n, d) = (t.len(), 1i64 << t.scale.min(40));
        let y = match self.to {
            RoundTo::Floor => {
                quotient(ctx, x, identity_index(n)?, &Divisors::plain(vec![d; n]), Rounding::Floor, t.shape)?
            }
            RoundTo::Ceil => {
                let by = Divisors { sign: vec![-1; n], offset: vec![0; n], d: vec![d; n] };
                let q = quotient(ctx, x, identity_index(n)?, &by, Rounding::Floor, t.shape.clone())?;
                exact_sum(ctx, &[(q, -1)], 0, &t.shape, 0)?
            }
            RoundTo::HalfEven => half_even(ctx, x, d, &t.shape)?,
        };
        ctx.exact(y);
        Ok(LValue::Act { id: y, exclusive: true })
    }
}

/// `round_half_even(X / d)` for `d = 2^s`, `s >= 1` (the module docs).
fn half_even(ctx: &mut LowerCtx, x: TensorId, d: i64, shape: &[usize]) -> OpResult<TensorId> {
    let n = shape.iter().product();
    let a = quotient(ctx, x, identity_index(n)?, &Divisors::plain(vec![2 * d; n]), Rounding::Floor, shape.to_vec())?;
    let scale = ctx.tensor(x).scale;
    let b = remainder(ctx, x, identity_index(n)?, a, vec![2 * d; n], shape, scale)?;
    ctx.exact(b);
    // [b > d/2] = [d/2 - b < 0]; [b >= 3d/2] = [3d/2 - 1 - b < 0].
    let past_half = exact_sum(ctx, &[(b, -1)], d / 2, shape, scale)?;
    let past_three_halves = exact_sum(ctx, &[(b, -1)], 3 * d / 2 - 1, shape, scale)?;
    let (up, up_again) = (negative(ctx, past_half)?, negative(ctx, past_three_halves)?);
    exact_sum(ctx, &[(a, 2), (up, 1), (up_again, 1)], 0, shape, 0)
}

#[cfg(test)]
mod tests {
    use super::RoundTo;

    #[test]
    fn round_goes_half_to_even() {
        let got: Vec<f32> =
            [0.5, 1.5, 2.5, -0.5, -1.5, 2.3, -2.7].iter().map(|&v| RoundTo::HalfEven.apply(v)).collect();
        assert_eq!(got, [0.0, 2.0, 2.0, -0.0, -2.0, 2.0, -3.0]);
        assert_eq!(RoundTo::Ceil.apply(-1.5), -1.0);
        assert_eq!(RoundTo::Floor.apply(-1.5), -2.0);
    }
}
