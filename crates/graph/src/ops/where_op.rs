//! `Where`: `condition ? x : y` elementwise, with numpy broadcasting of all three.
//!
//! On a computed condition (a comparison's scale-0 bit `c`) it is `y + c · (x - y)`: the
//! difference aligned to one scale (a `Linear`), one product per element (`Mul`, exact: `c` is
//! 0 or 1 and its scale is 0) and the sum with `y` (a `Linear`). On a constant condition (a
//! mask) the product is by a constant, a `Linear`. Nothing rounds: the output is `x` or `y` as
//! the circuit holds them.

use super::broadcast::{broadcast_all, broadcast_to, expect_inputs, zip_broadcast};
use super::elementwise::lower_add;
use super::Mul;
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// `Where(condition, x, y)`.
#[derive(Debug, Clone, Default)]
pub struct Where;

impl Op for Where {
    fn name(&self) -> &'static str {
        "Where"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 3, 3)?;
        broadcast_all(inputs)
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 3, 3)?;
        let shape = broadcast_all(&[inputs[0].shape(), inputs[1].shape(), inputs[2].shape()])?;
        let [c, x, y] = [0, 1, 2].map(|i| broadcast_to(inputs[i], &shape));
        let (c, x, y) = (c?, x?, y?);
        // Take x where the condition holds, y elsewhere (no arithmetic, so infinities pass).
        let picked = c.iter().zip(x.iter()).zip(y.iter()).map(|((&c, &x), &y)| if c != 0.0 { x } else { y });
        Tensor::from_shape_vec(shape, picked.collect()).map_err(|e| OpError::Invalid(e.to_string()))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        expect_inputs(inputs, 3, 3)?;
        let (c, x, y) = (&inputs[0], &inputs[1], &inputs[2]);
        let diff = match (x, y) {
            (LValue::Const(x), LValue::Const(y)) => LValue::Const(zip_broadcast(x, y, |x, y| x - y)?),
            _ => lower_add(ctx, &[x.clone(), y.clone()], true)?,
        };
        if matches!((c, &diff), (LValue::Const(_), LValue::Const(_))) {
            return Err(OpError::Invalid("a Where of constants folds at import".into()));
        }
        let picked = Mul.lower(ctx, &[c.clone(), diff])?;
        lower_add(ctx, &[picked, y.clone()], false)
    }
}
