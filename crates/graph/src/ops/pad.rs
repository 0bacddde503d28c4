//! `Pad`.

use super::broadcast::expect_inputs;
use super::layout::{const_tensor, copy_linear, lower_gather, rewire_f32, strides, unravel};
use crate::error::{OpError, OpResult};
use crate::{LValue, LinearParams, LowerCtx, Op, Tensor};

/// How `Pad` fills the new elements.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PadMode {
    /// A constant value.
    #[default]
    Constant,
    /// Mirror without repeating the edge (`[1 2 3]` -> `3 2 | 1 2 3 | 2 1`).
    Reflect,
    /// Repeat the edge element.
    Edge,
    /// Wrap around (opset 19).
    Wrap,
}

/// Pads (or, with negative pads, crops) every axis.
///
/// Lowering: `reflect`, `edge` and `wrap` only copy existing elements, so they are a free
/// gather. Constant padding creates elements a gather cannot produce: it is one linear op with
/// weight 1 whose padded positions read nothing (zero) — or, for a non-zero value, read one
/// extra element materialized as a constant (see `layout::const_tensor`).
#[derive(Debug, Clone, Default)]
pub struct Pad {
    /// `[x1_begin, x2_begin, ..., x1_end, x2_end, ...]`, one begin and one end per input axis.
    pub pads: Vec<i64>,
    /// Fill value of [`PadMode::Constant`].
    pub value: f32,
    /// Fill mode.
    pub mode: PadMode,
}

impl Pad {
    /// Output shape and, per output element, the flat input index it copies (`None`: the value).
    pub fn map(&self, input: &[usize]) -> OpResult<(Vec<usize>, Vec<Option<usize>>)> {
        let rank = input.len();
        if self.pads.len() != 2 * rank {
            return Err(OpError::Invalid(format!(
                "{} pads for a rank-{rank} input (need {})",
                self.pads.len(),
                2 * rank
            )));
        }
        let shape = (0..rank)
            .map(|i| {
                let d = input[i] as i64 + self.pads[i] + self.pads[rank + i];
                usize::try_from(d).map_err(|_| OpError::Shape(format!("pads {:?} crop axis {i} below 0", self.pads)))
            })
            .collect::<OpResult<Vec<usize>>>()?;
        if self.mode != PadMode::Constant && input.contains(&0) {
            return Err(OpError::Invalid("only constant mode can pad an empty axis".into()));
        }
        let in_strides = strides(input);
        let n: usize = shape.iter().product();
        let index = (0..n)
            .map(|e| {
                let mut flat = 0usize;
                for (i, c) in unravel(e, &shape).into_iter().enumerate() {
                    let d = input[i] as i64;
                    let src = c as i64 - self.pads[i];
                    let src = if (0..d).contains(&src) {
                        src
                    } else {
                        match self.mode {
                            PadMode::Constant => return None,
                            PadMode::Edge => src.clamp(0, d - 1),
                            PadMode::Wrap => src.rem_euclid(d),
                            PadMode::Reflect if d == 1 => 0,
                            PadMode::Reflect => {
                                let r = src.rem_euclid(2 * (d - 1));
                                if r < d {
                                    r
                                } else {
                                    2 * (d - 1) - r
                                }
                            }
                        }
                    };
                    flat += src as usize * in_strides[i];
                }
                Some(flat)
            })
            .collect();
        Ok((shape, index))
    }
}

impl Op for Pad {
    fn name(&self) -> &'static str {
        "Pad"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 1, 4)?;
        Ok(self.map(inputs[0])?.0)
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 1, 4)?;
        let (shape, index) = self.map(inputs[0].shape())?;
        rewire_f32(inputs[0], &index, self.value, shape)
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let Some(LValue::Act { id, .. }) = inputs.first() else {
            return Err(OpError::Invalid("expected an activation as first input".into()));
        };
        let id = *id;
        let t = ctx.tensor(id).clone();
        let (shape, index) = self.map(&t.shape)?;
        if index.iter().all(Option::is_some) {
            let index: Vec<usize> = index.into_iter().flatten().collect();
            return lower_gather(ctx, &inputs[0], &index, shape);
        }
        // Weight 1 keeps the input's scale (a raw accumulator stays one: consumers rescale it once).
        let slot = vec![0; index.len()];
        let out = if self.value == 0.0 {
            copy_linear(ctx, vec![id], &index, &slot, vec![1], shape, t.scale)?
        } else {
            let q = ctx.quantize_const(&Tensor::from_elem(vec![1], self.value), t.scale)?;
            let fill = const_tensor(ctx, id, q, LinearParams::BiasOnly, t.scale)?;
            let index: Vec<Option<usize>> = index.into_iter().map(|i| Some(i.unwrap_or(t.len()))).collect();
            copy_linear(ctx, vec![id, fill], &index, &slot, vec![1], shape, t.scale)?
        };
        Ok(LValue::Act { id: out, exclusive: true })
    }
}
