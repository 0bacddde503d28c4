//! `Conv`: 2-D convolution, NCHW, grouped or not.

use super::broadcast::expect_inputs;
use crate::error::{OpError, OpResult};
use crate::{LValue, LinearOp, LinearParams, LowerCtx, Op, QOp, Tensor, TensorId};

/// Zero padding added to each side of the spatial dims.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Padding {
    /// Rows added above (ONNX `pads[0]`).
    pub top: usize,
    /// Columns added on the left (ONNX `pads[1]`).
    pub left: usize,
    /// Rows added below (ONNX `pads[2]`).
    pub bottom: usize,
    /// Columns added on the right (ONNX `pads[3]`).
    pub right: usize,
}

/// ONNX `Conv` over `[N, C, H, W]` input and `[C_out, C / group, kh, kw]` weights.
/// Lowers to one linear op: positions are output pixels (of every image in the batch), channels
/// are output channels, and each position reads its `C * kh * kw` receptive field (padding
/// reads zero); a batch of several images is then permuted into NCHW (a copy).
///
/// With `group > 1` (depthwise included) the weights are expanded to `[C_out, C, kh, kw]`
/// with zeros outside each group's block: a linear op's channels share one position's inputs,
/// so this single op is the only lowering without an extra copy of the output. It costs `group`
/// times the multiply-accumulates of the grouped convolution (see the crate's ops notes for
/// the per-group alternative, which needs a multi-input gather to be cheaper).
#[derive(Debug, Clone)]
pub struct Conv {
    /// `[stride_h, stride_w]`.
    pub strides: [usize; 2],
    /// Zero padding of the input's spatial dims.
    pub pads: Padding,
    /// `[dilation_h, dilation_w]`.
    pub dilations: [usize; 2],
    /// Number of groups: input and output channels split into `group` blocks, block `g` of the
    /// output reading block `g` of the input only.
    pub group: usize,
}

impl Default for Conv {
    fn default() -> Self {
        Self { strides: [1, 1], pads: Padding::default(), dilations: [1, 1], group: 1 }
    }
}

/// Resolved sizes of one convolution.
#[derive(Debug, Clone, Copy)]
struct Dims {
    n: usize,
    c: usize,
    /// Input channels per group (the weights' second dim).
    cg: usize,
    h: usize,
    w: usize,
    c_out: usize,
    kh: usize,
    kw: usize,
    oh: usize,
    ow: usize,
}

impl Conv {
    fn dims(&self, x: &[usize], w: &[usize]) -> OpResult<Dims> {
        let (&[n, c, h, wd], &[c_out, cw, kh, kw]) = (x, w) else {
            return Err(OpError::Unsupported(format!(
                "only 2-D convolution: input {x:?} must be [N, C, H, W] and weights {w:?} [C_out, C, kh, kw]"
            )));
        };
        let g = self.group;
        if g == 0 || cw * g != c || c_out % g != 0 {
            return Err(OpError::Shape(format!(
                "weights [{c_out}, {cw}, ..] with group = {g} do not fit an input with {c} channels"
            )));
        }
        if self.strides.contains(&0) || self.dilations.contains(&0) {
            return Err(OpError::Invalid("strides and dilations must be positive".into()));
        }
        let out = |size: usize, pad: usize, k: usize, d: usize, s: usize| {
            let span = d * (k.max(1) - 1) + 1;
            (size + pad >= span).then(|| (size + pad - span) / s + 1)
        };
        let p = self.pads;
        let oh = out(h, p.top + p.bottom, kh, self.dilations[0], self.strides[0]);
        let ow = out(wd, p.left + p.right, kw, self.dilations[1], self.strides[1]);
        match (oh, ow) {
            (Some(oh), Some(ow)) if kh > 0 && kw > 0 => Ok(Dims { n, c, cg: cw, h, w: wd, c_out, kh, kw, oh, ow }),
            _ => Err(OpError::Shape(format!("kernel {kh}x{kw} does not fit the padded {h}x{wd} input"))),
        }
    }

    /// Input pixel read by output pixel `(oy, ox)` at kernel tap `(ky, kx)`, or `None` in the padding.
    fn source(&self, d: &Dims, oy: usize, ox: usize, ky: usize, kx: usize) -> Option<(usize, usize)> {
        let iy = (oy * self.strides[0] + ky * self.dilations[0]).checked_sub(self.pads.top)?;
        let ix = (ox * self.strides[1] + kx * self.dilations[1]).checked_sub(self.pads.left)?;
        (iy < d.h && ix < d.w).then_some((iy, ix))
    }

    fn bias<'a>(inputs: &[&'a Tensor], c_out: usize) -> OpResult<Option<&'a Tensor>> {
        match inputs.get(2) {
            Some(b) if b.shape() != [c_out] => Err(OpError::Shape(format!("bias {:?} must be [{c_out}]", b.shape()))),
            b => Ok(b.copied()),
        }
    }
}

impl Op for Conv {
    fn name(&self) -> &'static str {
        "Conv"
    }

    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>> {
        expect_inputs(inputs, 2, 3)?;
        let d = self.dims(inputs[0], inputs[1])?;
        if inputs.get(2).is_some_and(|b| *b != [d.c_out]) {
            return Err(OpError::Shape(format!("bias must be [{}]", d.c_out)));
        }
        Ok(vec![d.n, d.c_out, d.oh, d.ow])
    }

    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor> {
        expect_inputs(inputs, 2, 3)?;
        let d = self.dims(inputs[0].shape(), inputs[1].shape())?;
        let bias = Self::bias(inputs, d.c_out)?;
        let x = inputs[0].as_standard_layout();
        let x = x.as_slice().ok_or_else(|| OpError::Invalid("input is not contiguous".into()))?;
        let w = inputs[1].as_standard_layout();
        let w = w.as_slice().ok_or_else(|| OpError::Invalid("weights are not contiguous".into()))?;
        let mut out = Vec::with_capacity(d.n * d.c_out * d.oh * d.ow);
        for n in 0..d.n {
            for o in 0..d.c_out {
                for oy in 0..d.oh {
                    for ox in 0..d.ow {
                        let mut acc = 0f32;
                        let first = o / (d.c_out / self.group) * d.cg;
                        for c in first..first + d.cg {
                            for ky in 0..d.kh {
                                for kx in 0..d.kw {
                                    if let Some((iy, ix)) = self.source(&d, oy, ox, ky, kx) {
                                        let xv = x[((n * d.c + c) * d.h + iy) * d.w + ix];
                                        acc += xv * w[((o * d.cg + c - first) * d.kh + ky) * d.kw + kx];
                                    }
                                }
                            }
                        }
                        out.push(acc + bias.map_or(0.0, |b| b[o]));
                    }
                }
            }
        }
        Tensor::from_shape_vec(vec![d.n, d.c_out, d.oh, d.ow], out).map_err(|e| OpError::Shape(e.to_string()))
    }

    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue> {
        let (id, w, b) = match inputs {
            [LValue::Act { id, .. }, LValue::Const(w)] => (*id, w, None),
            [LValue::Act { id, .. }, LValue::Const(w), LValue::Const(b)] => (*id, w, Some(b)),
            _ => return Err(OpError::Unsupported("Conv needs an activation input and constant weights/bias".into())),
        };
        let x = ctx.materialize(id)?;
        let t = ctx.tensor(x).clone();
        let d = self.dims(&t.shape, w.shape())?;
        let terms = d.c * d.kh * d.kw;
        let sw = ctx.const_scale(w);
        let weight = expand_groups(&d, self.group, ctx.quantize_const(&w.as_standard_layout().to_owned(), sw)?);
        let bias = match b {
            Some(b) => ctx.quantize_const(b, t.scale + sw)?,
            None => vec![0; d.c_out],
        };
        if bias.len() != d.c_out {
            return Err(OpError::Shape(format!("bias must be [{}]", d.c_out)));
        }
        let mut index = Vec::with_capacity(d.oh * d.ow * terms);
        for oy in 0..d.oh {
            for ox in 0..d.ow {
                for c in 0..d.c {
                    for ky in 0..d.kh {
                        for kx in 0..d.kw {
                            let i = self.source(&d, oy, ox, ky, kx).map(|(iy, ix)| (c * d.h + iy) * d.w + ix);
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
        let image = Image { n: d.n, size: d.c * d.h * d.w, channels: d.c_out, oh: d.oh, ow: d.ow };
        let out = image.push(ctx, x, index, terms, weight, bias, t.scale + sw)?;
        Ok(LValue::Act { id: out, exclusive: true })
    }
}

/// The batch and output sizes of a convolution-like Linear op over NCHW images.
pub(crate) struct Image {
    /// Images in the batch.
    pub n: usize,
    /// Elements of one input image.
    pub size: usize,
    /// Output channels.
    pub channels: usize,
    /// Output height.
    pub oh: usize,
    /// Output width.
    pub ow: usize,
}

impl Image {
    /// Pushes the Linear op whose positions are output pixels and channels output channels,
    /// `index` giving one image's receptive fields (`terms` per position, as offsets into that
    /// image), for every image of the batch: positions are (image, pixel) pairs, so the op
    /// writes `[C_out, N, oh, ow]`, which is the NCHW output itself for one image and is
    /// otherwise permuted into it (a copy).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push(
        &self,
        ctx: &mut LowerCtx,
        x: TensorId,
        index: Vec<Option<u32>>,
        terms: usize,
        weight: Vec<i64>,
        bias: Vec<i64>,
        scale: u32,
    ) -> OpResult<TensorId> {
        let (n, pixels) = (self.n, self.oh * self.ow);
        let too_large = || OpError::Unsupported("input too large".into());
        let step = u32::try_from(self.size).map_err(|_| too_large())?;
        let mut all = Vec::with_capacity(n * index.len());
        for image in 0..n as u32 {
            for &i in &index {
                all.push(
                    i.map(|i| image.checked_mul(step).and_then(|o| o.checked_add(i)).ok_or_else(too_large))
                        .transpose()?,
                );
            }
        }
        let op = LinearOp {
            positions: n * pixels,
            channels: self.channels,
            terms,
            index: all,
            weight,
            bias,
            pos_stride: 1,
            chan_stride: n * pixels,
            params: LinearParams::All,
        };
        let shape = vec![n, self.channels, self.oh, self.ow];
        if n == 1 {
            return Ok(ctx.push(QOp::Linear(op), vec![x], shape, scale));
        }
        let by_channel = ctx.push(QOp::Linear(op), vec![x], vec![self.channels, n, self.oh, self.ow], scale);
        let perm = (0..n * self.channels * pixels)
            .map(|f| {
                let (image, o, p) = (f / (self.channels * pixels), f / pixels % self.channels, f % pixels);
                u32::try_from((o * n + image) * pixels + p).map_err(|_| OpError::Unsupported("output too large".into()))
            })
            .collect::<OpResult<Vec<_>>>()?;
        Ok(ctx.gather(by_channel, perm, shape))
    }
}

/// Grouped weights `[C_out, C / group, kh, kw]` as dense `[C_out, C, kh, kw]`, zero outside
/// each output channel's group.
fn expand_groups(d: &Dims, group: usize, w: Vec<i64>) -> Vec<i64> {
    if group == 1 {
        return w;
    }
    let k = d.kh * d.kw;
    let mut out = vec![0i64; d.c_out * d.c * k];
    for o in 0..d.c_out {
        let first = o / (d.c_out / group) * d.cg;
        for ci in 0..d.cg {
            let src = (o * d.cg + ci) * k;
            let dst = (o * d.c + first + ci) * k;
            out[dst..dst + k].copy_from_slice(&w[src..src + k]);
        }
    }
    out
}
