//! `Cast` and `CastLike`.
//!
//! To a float type a cast is the identity. To an integer type it truncates toward zero and, for
//! types of 16 bits or fewer, wraps around in two's complement as numpy's conversions do (ONNX's
//! reference for `INT4`: `-9 → 7`); to `bool` it is `x != 0`. On a computed value these are
//! proven on the fixed-point integers: the truncation is the quotient by `2^s` of the
//! `floor_div` module, the wrap-around a floor quotient by `2^bits` and its remainder, and
//! `x != 0` the sum of the two comparison bits `[x < 0]` and `[-x < 0]`. A cast of an integer
//! type to one that holds all its values changes nothing and is the identity.

use super::broadcast::{expect_inputs, identity_index};
use super::compare::negative;
use super::floor_div::{exact_sum, quotient, remainder, Divisors, Rounding};
use super::Identity;
use crate::error::OpResult;
use crate::{LValue, LowerCtx, Op, Tensor, TensorId};

/// The kinds of element type a `Cast` converts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CastTo {
    /// A float type, or an integer type that holds every value of the input's integer type:
    /// every value is unchanged.
    Float,
    /// An integer type of `bits` bits: truncation toward zero, then (16 bits or fewer) the
    /// two's-complement wrap-around into the type's range.
    Int {
        /// Width of the type.
        bits: u32,
        /// Signed (`INT*`) or unsigned (`UINT*`).
        signed: bool,
    },
    /// `bool`: nonzero becomes 1.
    Bool,
}

impl CastTo {
    /// The value of `v` after the cast.
    pub fn apply(self, v: f64) -> f64 {
        match self {
            Self::Float => v,
            Self::Bool => f64::from(u8::from(v != 0.0)),
            Self::Int { bits, signed } => {
                let t = v.trunc();
                if bits > 16 {
                    return t;
                }
                let (span, low) = (2f64.powi(bits as i32), if signed { -(2f64.powi(bits as i32 - 1)) } else { 0.0 });
                (t - low).rem_euclid(span) + low
            }
        }
    }
}

/// Converts its input's element type (the module docs).
#[derive(Debug, Clone)]
pub struct Cast {
    /// The target kind.
    pub to: CastTo,
    /// `CastLike`: a second input gives the target type and is otherwise not read.
    pub like: bool,
}

impl Cast {
    /// The number of inputs: the value, and for `CastLike` the type template.
    fn arity(&self) -> usize {
        1 + usize::from(self.like)
    }
}

impl Op for Cast {
    fn name(&self) -> &'static str {
        if self.like {
            "CastLike"
        } else {
            "Cast"
        }
    }

    fn passes_through(&self) -> bool {
        self.to == CastTo::Float
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, self.arity(), self.arity())?;
        Ok(inputs[0].to_vec())
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, self.arity(), self.arity())?;
        Ok(inputs[0].mapv(|v| self.to.apply(f64::from(v)) as f32))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let LValue::Act { id, .. } = &inputs[0] else {
            return Identity.lower(ctx, &inputs[..1]);
        };
        let out = match self.to {
            CastTo::Float => return Identity.lower(ctx, &inputs[..1]),
            CastTo::Bool => nonzero(ctx, *id)?,
            CastTo::Int { bits, signed } => to_int(ctx, *id, bits, signed)?,
        };
        Ok(LValue::Act { id: out, exclusive: true })
    }
}

/// `trunc(x)`, wrapped into the range of a `bits`-bit integer type when `bits <= 16`.
pub(crate) fn to_int(ctx: &mut LowerCtx, x: TensorId, bits: u32, signed: bool) -> OpResult<TensorId> {
    let x = ctx.materialize(x)?;
    let t = ctx.tensor(x).clone();
    let n = t.len();
    // The integer part: the quotient by 2^s toward zero (nothing to do at scale 0).
    let int = if t.scale == 0 {
        x
    } else {
        let unit = Divisors::plain(vec![1i64 << t.scale.min(40); n]);
        quotient(ctx, x, identity_index(n)?, &unit, Rounding::Trunc, t.shape.clone())?
    };
    if bits > 16 {
        ctx.exact(int);
        return Ok(int);
    }
    // v - 2^bits · floor((v - low) / 2^bits), with low the type's smallest value.
    let low = if signed { -(1i64 << (bits - 1)) } else { 0 };
    let span = Divisors { sign: vec![1; n], offset: vec![-low; n], d: vec![1i64 << bits; n] };
    let q = quotient(ctx, int, identity_index(n)?, &span, Rounding::Floor, t.shape.clone())?;
    let wrapped = remainder(ctx, int, identity_index(n)?, q, span.d, &t.shape, 0)?;
    ctx.exact(wrapped);
    Ok(wrapped)
}

/// `[x != 0]` as a scale-0 bit: `[x < 0] + [-x < 0]`.
fn nonzero(ctx: &mut LowerCtx, x: TensorId) -> OpResult<TensorId> {
    let x = ctx.materialize(x)?;
    let t = ctx.tensor(x).clone();
    let negated = exact_sum(ctx, &[(x, -1)], 0, &t.shape, t.scale)?;
    let (below, above) = (negative(ctx, x)?, negative(ctx, negated)?);
    exact_sum(ctx, &[(below, 1), (above, 1)], 0, &t.shape, 0)
}

#[cfg(test)]
mod tests {
    use super::CastTo;

    #[test]
    fn integer_casts_truncate_and_wrap_like_numpy() {
        let int4 = CastTo::Int { bits: 4, signed: true };
        let got: Vec<f64> = [-9.0, -8.0, 7.0, 8.0, 15.0, -2.7, 2.7].iter().map(|&v| int4.apply(v)).collect();
        assert_eq!(got, [7.0, -8.0, 7.0, -8.0, -1.0, -2.0, 2.0]);
        let uint2 = CastTo::Int { bits: 2, signed: false };
        let got: Vec<f64> = [-3.0, -1.0, 0.0, 3.0, 4.0].iter().map(|&v| uint2.apply(v)).collect();
        assert_eq!(got, [1.0, 3.0, 0.0, 3.0, 0.0]);
        assert_eq!(CastTo::Int { bits: 64, signed: true }.apply(-1e6 - 0.5), -1e6);
        assert_eq!(CastTo::Bool.apply(-0.25), 1.0);
    }
}
