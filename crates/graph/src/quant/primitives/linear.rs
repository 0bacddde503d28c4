//! `Linear`: a dense affine map with constant weights (Gemm, MatMul, Conv, pooling, sums,
//! concatenation and exact rescaling all lower to it).

use serde::{Deserialize, Serialize};

use super::{Bounded, Fault, Primitive};

/// Dense affine map with constant weights, shared by Gemm, MatMul, Conv and Add/Sub/Mul by constants.
///
/// The inputs are concatenated (in `QNode::inputs` order) into one flat vector `x`. For each
/// position `p < positions` and output channel `o < channels`:
/// `out[p * pos_stride + o * chan_stride] = bias[o] + Σ_t weight[o * terms + t] * x[index[p * terms + t]]`,
/// where a `None` index is a zero (padding). All output channels of one position read the same
/// inputs, which lets the circuit share one row of input cells across many weights.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinearOp {
    /// Number of positions: groups of outputs that read the same inputs.
    pub positions: usize,
    /// Number of output channels per position.
    pub channels: usize,
    /// Number of inputs each output sums.
    pub terms: usize,
    /// `positions * terms` indices into `x`; `None` reads as zero.
    pub index: Vec<Option<u32>>,
    /// `channels * terms` weights, channel-major.
    pub weight: Vec<i64>,
    /// One bias per channel.
    pub bias: Vec<i64>,
    /// Output index step between positions.
    pub pos_stride: usize,
    /// Output index step between channels.
    pub chan_stride: usize,
    /// Which of `weight` and `bias` are model parameters (see [`LinearParams`]).
    #[serde(default)]
    pub params: LinearParams,
}

/// Which constants of a [`LinearOp`] are model parameters. Under private parameters those are
/// the prover's witness (shared ones copy-constrained to one cell); the rest belong to the
/// circuit's definition (a max tree's ±1, a pooling's `1/k`, a rescale's `2^k`, a sum's ones)
/// and are bound to constants, so the proof fixes the architecture, not just its shape. With
/// fixed parameters (the default) every weight is a fixed cell and this changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum LinearParams {
    /// Weights and bias come from the model (Gemm, Conv, MatMul or Mul by a constant, a folded
    /// BatchNormalization).
    #[default]
    All,
    /// Only the bias does (adding a constant: the weight aligning the activation's scale is not).
    BiasOnly,
    /// Neither: the op is part of how an ONNX op is lowered.
    Structural,
}

impl LinearParams {
    /// Whether a weight (`bias == false`) or the bias is a model parameter.
    pub fn is_param(self, bias: bool) -> bool {
        match self {
            Self::All => true,
            Self::BiasOnly => bias,
            Self::Structural => false,
        }
    }

    /// The kind after a model constant is folded into the bias.
    pub fn with_param_bias(self) -> Self {
        match self {
            Self::Structural => Self::BiasOnly,
            other => other,
        }
    }
}

impl LinearOp {
    /// A one-channel linear (`out[p] = Σ_t weight[t] * x[index[p * terms + t]]`, no bias) with
    /// structural weights: the shape of pooling, reductions, concatenation and exact rescaling.
    pub fn single_channel(positions: usize, terms: usize, index: Vec<Option<u32>>, weight: Vec<i64>) -> Self {
        Self {
            positions,
            channels: 1,
            terms,
            index,
            weight,
            bias: vec![0],
            pos_stride: 1,
            chan_stride: 0,
            params: LinearParams::Structural,
        }
    }
}

impl LinearOp {
    /// The outputs for the concatenated inputs `x`, or `None` on overflow.
    pub fn eval(&self, x: &[i64]) -> Option<Vec<i64>> {
        let mut out = vec![0i64; self.positions * self.channels];
        for p in 0..self.positions {
            let idx = &self.index[p * self.terms..(p + 1) * self.terms];
            for o in 0..self.channels {
                let w = &self.weight[o * self.terms..(o + 1) * self.terms];
                let mut acc = self.bias[o] as i128;
                for (i, &wt) in idx.iter().zip(w) {
                    if let Some(i) = i {
                        acc += wt as i128 * x[*i as usize] as i128;
                    }
                }
                out[p * self.pos_stride + o * self.chan_stride] = i64::try_from(acc).ok()?;
            }
        }
        Some(out)
    }
}

/// No range check of its own: a `Requant` downstream bounds what it produces.
impl Primitive for LinearOp {
    fn eval(&self, inputs: &[&[i64]]) -> Result<Vec<i64>, Fault> {
        LinearOp::eval(self, &inputs.concat()).ok_or(Fault::Overflow)
    }

    fn macs(&self) -> usize {
        self.positions * self.channels * self.terms
    }

    fn validate(&self, input_lens: &[usize], output_len: usize) -> Result<(), String> {
        let x_len: usize = input_lens.iter().sum();
        let sizes_ok = self.index.len() == self.positions * self.terms
            && self.weight.len() == self.channels * self.terms
            && self.bias.len() == self.channels
            && self.positions * self.channels == output_len;
        if !sizes_ok {
            return Err("linear sizes are inconsistent".into());
        }
        if self.index.iter().flatten().any(|&j| j as usize >= x_len) {
            return Err("linear index out of range".into());
        }
        let last =
            self.positions.saturating_sub(1) * self.pos_stride + self.channels.saturating_sub(1) * self.chan_stride;
        if output_len > 0 && last >= output_len {
            return Err("linear output layout out of range".into());
        }
        Ok(())
    }

    fn bounds(&self) -> Option<&dyn Bounded> {
        None
    }

    fn bounds_mut(&mut self) -> Option<&mut dyn Bounded> {
        None
    }
}
