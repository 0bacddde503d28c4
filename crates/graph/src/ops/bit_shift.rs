//! `BitShift` of an unsigned integer tensor by constant amounts.
//!
//! A right shift by `y` is the floor quotient by `2^y` (the `floor_div` module); a left shift
//! is the exact product by `2^y`, wrapped into the type's range as [`super::Cast`] wraps (for
//! types of 16 bits or fewer). Shift amounts computed from the model input are refused by name.

use super::broadcast::{broadcast_index, broadcast_shape, broadcast_to, expect_inputs, zip_broadcast};
use super::cast::to_int;
use super::elementwise::Operand;
use super::floor_div::{by_constants, exact_affine, Rounding};
use super::CastTo;
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// ONNX `BitShift` on `bits`-bit unsigned integers.
#[derive(Debug, Clone)]
pub struct BitShift {
    /// `direction = "LEFT"` (toward the most significant bit).
    pub left: bool,
    /// Width of the element type.
    pub bits: u32,
}

impl BitShift {
    /// `x` shifted by `y` places.
    fn shift(&self, x: f64, y: f64) -> f64 {
        let p = 2f64.powf(y);
        if self.left {
            CastTo::Int { bits: self.bits, signed: false }.apply(x * p)
        } else {
            (x / p).floor()
        }
    }
}

impl Op for BitShift {
    fn name(&self) -> &'static str {
        "BitShift"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 2, 2)?;
        broadcast_shape(inputs[0], inputs[1])
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 2, 2)?;
        zip_broadcast(inputs[0], inputs[1], |x, y| self.shift(f64::from(x), f64::from(y)) as f32)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let [LValue::Act { id, .. }, LValue::Const(y)] = inputs else {
            return Err(OpError::Unsupported(
                "BitShift by amounts computed from the model input (only by constants; constants fold)".into(),
            ));
        };
        if let Some(bad) = y.iter().find(|&&v| !(0.0..40.0).contains(&v) || v.fract() != 0.0) {
            return Err(OpError::Unsupported(format!("a shift by {bad} places (0 to 39 are supported)")));
        }
        let powers = y.mapv(|v| 2f32.powf(v));
        let out = if self.left {
            let x = ctx.materialize(*id)?;
            let t = ctx.tensor(x).clone();
            let shape = broadcast_shape(&t.shape, y.shape())?;
            let index = broadcast_index(&t.shape, &shape)?;
            let weight = broadcast_to(&powers, &shape)?.iter().map(|&p| p as i64).collect::<Vec<_>>();
            let product = exact_affine(
                ctx,
                &[Operand { id: x, index, weight: weight.clone() }],
                &vec![0; weight.len()],
                &shape,
                t.scale,
            )?;
            to_int(ctx, product, self.bits, false)?
        } else {
            by_constants(ctx, *id, &powers, Rounding::Floor)?.q
        };
        Ok(LValue::Act { id: out, exclusive: true })
    }
}

#[cfg(test)]
mod tests {
    use super::BitShift;

    #[test]
    fn shifts_wrap_and_floor_like_onnx() {
        let left = BitShift { left: true, bits: 8 };
        assert_eq!(left.shift(16.0, 1.0), 32.0);
        assert_eq!(left.shift(200.0, 1.0), 144.0);
        let right = BitShift { left: false, bits: 8 };
        assert_eq!(right.shift(16.0, 1.0), 8.0);
        assert_eq!(right.shift(1.0, 3.0), 0.0);
    }
}
