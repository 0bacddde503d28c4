//! `ArgMax` and `ArgMin`.

use super::broadcast::expect_inputs;
use super::layout::axis;
use super::max_tree::{arg_reduce, groups_u32, Extremum, Occurrence};
use super::reduce::{Reduce, ReduceKind};
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// Index of the largest (or smallest) element along `axis`; ties go to the first occurrence, or
/// the last with `select_last_index`. The output is the integer index (ONNX int64, here an f32
/// holding an integer; quantized at scale 0, so it is exact).
///
/// Lowering: a scan along the axis carrying the running extremum and its index
/// (`arg_reduce`): per step two linear ops, one ReLU over two channels and one product.
#[derive(Debug, Clone, Default)]
pub struct ArgMax {
    /// ArgMax or ArgMin.
    pub kind: Extremum,
    /// The reduced axis, in `[-rank, rank)`.
    pub axis: i64,
    /// Keep the reduced axis as size 1.
    pub keepdims: bool,
    /// On ties, report the last occurrence instead of the first.
    pub select_last_index: bool,
}

impl ArgMax {
    /// Output shape and, per output element, the flat input indices along the axis, in order.
    fn map(&self, input: &[usize]) -> OpResult<(Vec<usize>, Vec<Vec<usize>>)> {
        let a = axis(self.axis, input.len())?;
        if input[a] == 0 {
            return Err(OpError::Unsupported(format!("{} over an empty axis (input {input:?})", self.name())));
        }
        let r =
            Reduce { kind: ReduceKind::Sum, axes: Some(vec![a as i64]), keepdims: self.keepdims, ..Reduce::default() };
        r.map(input)
    }

    fn occurrence(&self) -> Occurrence {
        if self.select_last_index {
            Occurrence::Last
        } else {
            Occurrence::First
        }
    }
}

impl Op for ArgMax {
    fn name(&self) -> &'static str {
        match self.kind {
            Extremum::Max => "ArgMax",
            Extremum::Min => "ArgMin",
        }
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 1)?;
        Ok(self.map(inputs[0])?.0)
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 1)?;
        let (shape, groups) = self.map(inputs[0].shape())?;
        let data: Vec<f32> = inputs[0].iter().copied().collect();
        let last = self.select_last_index;
        let out = groups
            .iter()
            .map(|g| {
                let mut best = 0usize;
                for (k, &i) in g.iter().enumerate().skip(1) {
                    let (v, m) = (data[i], data[g[best]]);
                    if self.kind.better(v, m) || (last && v == m) {
                        best = k;
                    }
                }
                best as f32
            })
            .collect();
        Tensor::from_shape_vec(shape, out).map_err(|e| OpError::Shape(e.to_string()))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let [LValue::Act { id, .. }] = inputs else {
            return Err(OpError::Invalid("expected one activation input".into()));
        };
        let x = ctx.materialize(*id)?;
        let (shape, groups) = self.map(&ctx.tensor(x).shape)?;
        let out = arg_reduce(ctx, x, &groups_u32(&groups)?, shape, self.kind, self.occurrence())?;
        Ok(LValue::Act { id: out, exclusive: true })
    }
}
