//! `ConvTranspose`: the transposed 2-D convolution (NCHW), grouped or not.
//!
//! Input pixel `(iy, ix)` at kernel tap `(ky, kx)` lands on output pixel `(iy·s + ky·d − pad_top,
//! ix·s + kx·d − pad_left)`. Read the other way, output pixel `(oy, ox)` at tap `(ky, kx)` takes
//! input pixel `((oy + pad_top − ky·d) / s, ..)` when the division is exact and the pixel
//! exists, and nothing otherwise. So, like `Conv`, it is one linear op: positions are output
//! pixels, channels output channels, and each position reads `C · kh · kw` terms, most of them
//! empty (zero) when the stride is above 1.

use super::broadcast::expect_inputs;
use super::conv::{Image, Padding};
use crate::error::{OpError, OpResult};
use crate::{LValue, LowerCtx, Op, Tensor};

/// ONNX `ConvTranspose` over `[N, C, H, W]` input and `[C, M / group, kh, kw]` weights.
#[derive(Debug, Clone)]
pub struct ConvTranspose {
    /// `[stride_h, stride_w]`.
    pub strides: [usize; 2],
    /// Rows and columns removed from each side of the full output.
    pub pads: Padding,
    /// `[dilation_h, dilation_w]`.
    pub dilations: [usize; 2],
    /// Rows and columns added at the end of the output (`output_padding`).
    pub output_padding: [usize; 2],
    /// The output's spatial size when the model gives it (`output_shape`); otherwise computed.
    pub output_size: Option<[usize; 2]>,
    /// Number of groups.
    pub group: usize,
}

/// Resolved sizes.
#[derive(Debug, Clone, Copy)]
struct Dims {
    n: usize,
    c: usize,
    h: usize,
    w: usize,
    /// Output channels per group (the weights' second dim).
    mg: usize,
    kh: usize,
    kw: usize,
    oh: usize,
    ow: usize,
}

impl ConvTranspose {
    fn dims(&self, x: &[usize], w: &[usize]) -> OpResult<Dims> {
        let (&[n, c, h, wd], &[cw, mg, kh, kw]) = (x, w) else {
            return Err(OpError::Unsupported(format!(
                "only 2-D ConvTranspose: input {x:?} must be [N, C, H, W] and weights {w:?} [C, M / group, kh, kw]"
            )));
        };
        if self.group == 0 || cw != c || c % self.group != 0 || kh == 0 || kw == 0 {
            return Err(OpError::Shape(format!("weights {w:?} with group = {} do not fit input {x:?}", self.group)));
        }
        if self.strides.contains(&0) || self.dilations.contains(&0) {
            return Err(OpError::Invalid("strides and dilations must be positive".into()));
        }
        let p = self.pads;
        let full = |i: usize, size: usize, k: usize| {
            (self.strides[i] * (size.max(1) - 1) + self.output_padding[i] + self.dilations[i] * (k - 1) + 1)
                .checked_sub([p.top + p.bottom, p.left + p.right][i])
        };
        let (oh, ow) = match self.output_size {
            Some([oh, ow]) => (Some(oh), Some(ow)),
            None => (full(0, h, kh), full(1, wd, kw)),
        };
        match (oh, ow) {
            (Some(oh), Some(ow)) if oh > 0 && ow > 0 => Ok(Dims { n, c, h, w: wd, mg, kh, kw, oh, ow }),
            _ => Err(OpError::Shape(format!("the padding removes the whole output of {x:?} by kernel {kh}x{kw}"))),
        }
    }

    /// Input pixel that output pixel `(oy, ox)` takes at tap `(ky, kx)`, if any.
    fn source(&self, d: &Dims, oy: usize, ox: usize, ky: usize, kx: usize) -> Option<(usize, usize)> {
        let along = |o: usize, pad: usize, k: usize, i: usize, size: usize| {
            let v = (o + pad).checked_sub(k * self.dilations[i])?;
            (v % self.strides[i] == 0 && v / self.strides[i] < size).then_some(v / self.strides[i])
        };
        Some((along(oy, self.pads.top, ky, 0, d.h)?, along(ox, self.pads.left, kx, 1, d.w)?))
    }

    /// The weight of output channel `m` for input channel `c` at a tap (0 across groups), as
    /// an index into the `[C, M / group, kh, kw]` weights.
    fn weight_at(&self, d: &Dims, m: usize, c: usize, ky: usize, kx: usize) -> Option<usize> {
        let (cg, g) = (d.c / self.group, m / d.mg);
        (c / cg == g).then_some(((c * d.mg + m % d.mg) * d.kh + ky) * d.kw + kx)
    }

    /// Per output pixel and term `(c, ky, kx)`, the flat input index read (of sample 0).
    fn index(&self, d: &Dims) -> OpResult<Vec<Option<u32>>> {
        let mut index = Vec::with_capacity(d.oh * d.ow * d.c * d.kh * d.kw);
        for oy in 0..d.oh {
            for ox in 0..d.ow {
                for c in 0..d.c {
                    for ky in 0..d.kh {
                        for kx in 0..d.kw {
                            let i = self.source(d, oy, ox, ky, kx).map(|(iy, ix)| (c * d.h + iy) * d.w + ix);
                            index.push(
                                i.map(u32::try_from)
                                    .transpose()
                                    .map_err(|_| OpError::Unsupported("input too large".into()))?,
                            );
                        }
                    }
                }
            }
        }
        Ok(index)
    }

    /// The weights as `[M, C · kh · kw]` (zero across groups).
    fn dense_weights(&self, d: &Dims, w: &[f32]) -> Vec<f32> {
        let m_total = d.mg * self.group;
        let mut out = Vec::with_capacity(m_total * d.c * d.kh * d.kw);
        for m in 0..m_total {
            for c in 0..d.c {
                for ky in 0..d.kh {
                    for kx in 0..d.kw {
                        out.push(self.weight_at(d, m, c, ky, kx).map_or(0.0, |i| w[i]));
                    }
                }
            }
        }
        out
    }
}

impl Op for ConvTranspose {
    fn name(&self) -> &'static str {
        "ConvTranspose"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 2, 3)?;
        let d = self.dims(inputs[0], inputs[1])?;
        let m = d.mg * self.group;
        if inputs.get(2).is_some_and(|b| *b != [m]) {
            return Err(OpError::Shape(format!("bias must be [{m}]")));
        }
        Ok(vec![d.n, m, d.oh, d.ow])
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        let shape = self.output_shape(&inputs.iter().map(|t| t.shape()).collect::<Vec<_>>())?;
        let d = self.dims(inputs[0].shape(), inputs[1].shape())?;
        let x: Vec<f32> = inputs[0].iter().copied().collect();
        let w = self.dense_weights(&d, &inputs[1].iter().copied().collect::<Vec<_>>());
        let index = self.index(&d)?;
        let (terms, m_total, per) = (d.c * d.kh * d.kw, shape[1], d.c * d.h * d.w);
        let mut out = Vec::with_capacity(shape.iter().product());
        for n in 0..d.n {
            for m in 0..m_total {
                for p in 0..d.oh * d.ow {
                    let row = &index[p * terms..(p + 1) * terms];
                    let acc: f32 = row
                        .iter()
                        .zip(&w[m * terms..(m + 1) * terms])
                        .filter_map(|(i, w)| i.map(|i| x[n * per + i as usize] * w))
                        .sum();
                    out.push(acc + inputs.get(2).map_or(0.0, |b| b[m]));
                }
            }
        }
        Tensor::from_shape_vec(shape, out).map_err(|e| OpError::Shape(e.to_string()))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let (id, w, b) = match inputs {
            [LValue::Act { id, .. }, LValue::Const(w)] => (*id, w, None),
            [LValue::Act { id, .. }, LValue::Const(w), LValue::Const(b)] => (*id, w, Some(b)),
            _ => {
                return Err(OpError::Unsupported(
                    "ConvTranspose needs an activation input and constant weights/bias".into(),
                ))
            }
        };
        let x = ctx.materialize(id)?;
        let t = ctx.tensor(x).clone();
        let d = self.dims(&t.shape, w.shape())?;
        let (m, terms) = (d.mg * self.group, d.c * d.kh * d.kw);
        let dense = self.dense_weights(&d, &w.iter().copied().collect::<Vec<_>>());
        let dense = Tensor::from_shape_vec(vec![m, terms], dense).map_err(|e| OpError::Shape(e.to_string()))?;
        let sw = ctx.const_scale(w);
        let weight = ctx.quantize_const(&dense, sw)?;
        let bias = match b {
            Some(b) if b.len() == m => ctx.quantize_const(b, t.scale + sw)?,
            Some(_) => return Err(OpError::Shape(format!("bias must be [{m}]"))),
            None => vec![0; m],
        };
        let image = Image { n: d.n, size: d.c * d.h * d.w, channels: m, oh: d.oh, ow: d.ow };
        let out = image.push(ctx, x, self.index(&d)?, terms, weight, bias, t.scale + sw)?;
        Ok(LValue::Act { id: out, exclusive: true })
    }
}
