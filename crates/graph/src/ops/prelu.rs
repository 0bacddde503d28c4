//! `PRelu`.

use super::broadcast::{broadcast_index, broadcast_shape, broadcast_to, expect_inputs, zip_broadcast};
use super::elementwise::{affine, Operand};
use crate::error::{OpError, OpResult};
use crate::{LValue, LinearParams, LowerCtx, Op, Tensor};

/// `x` for `x >= 0`, `slope * x` otherwise, with a constant `slope` that broadcasts to `x`
/// (ONNX unidirectional broadcasting: the output has the shape of `x`).
///
/// Lowering, exact up to the rounding of the slope: `prelu(x) = relu(x) - slope * relu(-x)` and
/// `relu(-x) = relu(x) - x`, so `prelu(x) = (1 - slope) * relu(x) + slope * x`: one ReLU (fused
/// with the rescale of `x`) and one linear op with per-element weights `2^w - q` and `q`
/// (`q = round(slope * 2^w)`), so a non-negative `x` comes out exactly as `2^w * x`.
#[derive(Debug, Clone, Default)]
pub struct PRelu {
    /// Opset 6 (before unidirectional broadcasting): a 1-D slope of `C > 1` values, `C` the
    /// input's axis-1 size, applies per channel (axis 1), as Caffe2 and PyTorch exports mean it.
    pub channel_slope: bool,
}

impl PRelu {
    /// The shape the slope is read with: its own, or `[C, 1, ...]` for a legacy channel slope.
    fn slope_shape(&self, x: &[usize], slope: &[usize]) -> OpResult<Vec<usize>> {
        let s = match slope {
            &[c] if self.channel_slope && c > 1 && x.len() >= 2 && x[1] == c => {
                std::iter::once(c).chain(std::iter::repeat_n(1, x.len() - 2)).collect()
            }
            _ => slope.to_vec(),
        };
        match broadcast_shape(x, &s) {
            Ok(b) if b == x => Ok(s),
            _ => Err(OpError::Shape(format!("slope {slope:?} does not broadcast to the input {x:?}"))),
        }
    }

    /// The slope, reshaped as [`PRelu::slope_shape`] says.
    fn slope(&self, x: &[usize], slope: &Tensor) -> OpResult<Tensor> {
        let shape = self.slope_shape(x, slope.shape())?;
        slope.to_shape(shape).map(|v| v.to_owned()).map_err(|e| OpError::Shape(e.to_string()))
    }
}

impl Op for PRelu {
    fn name(&self) -> &'static str {
        "PRelu"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 2, 2)?;
        self.slope_shape(inputs[0], inputs[1])?;
        Ok(inputs[0].to_vec())
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 2, 2)?;
        let slope = self.slope(inputs[0].shape(), inputs[1])?;
        zip_broadcast(inputs[0], &slope, |x, a| if x < 0.0 { a * x } else { x })
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let [LValue::Act { id, .. }, slope] = inputs else {
            return Err(OpError::Invalid("expected an activation and a slope".into()));
        };
        let LValue::Const(slope) = slope else {
            return Err(OpError::Unsupported("PRelu needs a constant slope (one computed from the input)".into()));
        };
        let shape = ctx.tensor(*id).shape.clone();
        let slope = self.slope(&shape, slope)?;
        let x = ctx.materialize(*id)?;
        let s = ctx.tensor(x).scale;
        // relu(x) straight from the raw value: the ReLU is fused with its rescale.
        let r = ctx.rescale(*id, s, true)?;
        let a = broadcast_to(&slope, &shape)?;
        let one_minus = a.mapv(|v| 1.0 - v);
        let sw = ctx.const_scale(&a).min(ctx.const_scale(&one_minus));
        let q = ctx.quantize_const(&a, sw)?;
        let unit = 1i64 << sw;
        let index = broadcast_index(&shape, &shape)?;
        let operands = [
            Operand { id: r, index: index.clone(), weight: q.iter().map(|&q| unit - q).collect() },
            Operand { id: x, index, weight: q },
        ];
        let n = shape.iter().product();
        let out = affine(ctx, &operands, &vec![0; n], LinearParams::All, shape, s + sw)?;
        Ok(LValue::Act { id: out, exclusive: true })
    }
}
