//! `Div`.

use super::broadcast::{broadcast_index, broadcast_shape, expect_inputs, zip_broadcast};
use super::floor_div::{by_constants, Rounding};
use super::mul::mul_const;
use crate::error::{OpError, OpResult};
use crate::{DivOp, LValue, LowerCtx, Op, QOp, Tensor, TensorId};

/// `a / b` with numpy broadcasting. Division by a constant is a multiplication by its
/// reciprocal (a linear op). Division by an activation is the `Div` primitive (an exact
/// rounded quotient with a proven remainder); its divisor must be positive on every input.
#[derive(Debug, Clone, Default)]
pub struct Div;

impl Op for Div {
    fn name(&self) -> &'static str {
        "Div"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 2, 2)?;
        broadcast_shape(inputs[0], inputs[1])
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 2, 2)?;
        zip_broadcast(inputs[0], inputs[1], |a, b| a / b)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        match inputs {
            [LValue::Act { id, .. }, LValue::Const(c)] => {
                if c.iter().any(|&v| v == 0.0 || !v.is_finite()) {
                    return Err(OpError::Invalid(
                        "division by a constant that contains 0 or a non-finite value".into(),
                    ));
                }
                let out = mul_const(ctx, *id, &c.mapv(|v| 1.0 / v))?;
                Ok(LValue::Act { id: out, exclusive: true })
            }
            [LValue::Act { id: a, .. }, LValue::Act { id: b, .. }] => {
                Ok(LValue::Act { id: div_acts(ctx, *a, *b)?, exclusive: true })
            }
            [LValue::Const(_), LValue::Act { .. }] => Err(OpError::Unsupported(
                "Div of a constant by an activation: only an activation divided by a constant or by a \
                 (positive) activation"
                    .into(),
            )),
            _ => Err(OpError::Invalid("expected two inputs, at least one of them an activation".into())),
        }
    }
}

/// ONNX `Div` of integer tensors: the quotient truncated toward zero (`-7 / 2 = -3`). It folds
/// on constants (the shape arithmetic exporters write); a computed value divided by constants is
/// the truncated quotient of the `floor_div` module; a computed divisor is refused.
#[derive(Debug, Clone, Default)]
pub struct IntDiv;

impl Op for IntDiv {
    fn name(&self) -> &'static str {
        "Div"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        Div.output_shape(inputs)
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 2, 2)?;
        if inputs[1].iter().any(|&b| b == 0.0) {
            return Err(OpError::Invalid("integer division by 0".into()));
        }
        zip_broadcast(inputs[0], inputs[1], |a, b| (f64::from(a) / f64::from(b)).trunc() as f32)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let [LValue::Act { id, .. }, LValue::Const(c)] = inputs else {
            return Err(OpError::Unsupported(
                "Div of integers by a divisor computed from the model input (only by constants; constants fold)".into(),
            ));
        };
        let div = by_constants(ctx, *id, c, Rounding::Trunc)?;
        Ok(LValue::Act { id: div.q, exclusive: true })
    }
}

/// `round(a / b)` at the current node's output scale (or finer when `a`'s scale demands it),
/// elementwise with broadcasting: the `Div` primitive. Its bounds are set by calibration.
pub(crate) fn div_acts(ctx: &mut LowerCtx, a: TensorId, b: TensorId) -> OpResult<TensorId> {
    let (a, b) = (ctx.materialize(a)?, ctx.materialize(b)?);
    let (sa, sb) = (ctx.tensor(a).shape.clone(), ctx.tensor(b).shape.clone());
    let shape = broadcast_shape(&sa, &sb)?;
    div_indexed(ctx, a, b, broadcast_index(&sa, &shape)?, broadcast_index(&sb, &shape)?, shape)
}

/// `out[i] = round(a[a_index[i]] / b[b_index[i]])` of two materialized activations, at the
/// current node's output scale (or finer when `a`'s scale demands it), shaped `shape`.
pub(crate) fn div_indexed(
    ctx: &mut LowerCtx,
    a: TensorId,
    b: TensorId,
    a_index: Vec<u32>,
    b_index: Vec<u32>,
    shape: Vec<usize>,
) -> OpResult<TensorId> {
    let (sa, sb) = (ctx.tensor(a).scale, ctx.tensor(b).scale);
    // The quotient of values at scales sa and sb has scale sa - sb; `shift` brings it up to
    // the output scale.
    let shift = (ctx.out_scale() + sb).saturating_sub(sa);
    let op = DivOp { a_index, b_index, shift, den_bits: 0, quot_bits: 0 };
    Ok(ctx.push(QOp::Div(op), vec![a, b], shape, sa + shift - sb))
}
