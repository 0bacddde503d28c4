//! Exact integer evaluation: the values every circuit cell takes.

use super::{DivOp, GatherOp, LinearOp, MulOp, QGraph, QNode, QOp, RequantOp, TableOp};
use crate::{GraphError, Result};

/// Integer value of every tensor of a [`QGraph`], indexed by `TensorId`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witness {
    pub values: Vec<Vec<i64>>,
}

impl Witness {
    /// Values of the model output.
    pub fn output<'a>(&'a self, graph: &QGraph) -> &'a [i64] {
        &self.values[graph.output]
    }
}

impl RequantOp {
    /// The rounded, rescaled value before the optional ReLU.
    pub fn pre_activation(&self, x: i64) -> i64 {
        if self.shift == 0 {
            x
        } else {
            (x + (1i64 << (self.shift - 1))).div_euclid(1i64 << self.shift)
        }
    }

    /// Full primitive: rescale, then ReLU if enabled.
    pub fn apply(&self, x: i64) -> i64 {
        let z = self.pre_activation(x);
        if self.relu {
            z.max(0)
        } else {
            z
        }
    }
}

impl LinearOp {
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

impl MulOp {
    pub fn eval(&self, a: &[i64], b: &[i64]) -> Option<Vec<i64>> {
        self.a_index.iter().zip(&self.b_index).map(|(&i, &j)| a[i as usize].checked_mul(b[j as usize])).collect()
    }
}

/// Why a [`DivOp`] element cannot be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DivFault {
    /// The divisor at this output position is zero or negative.
    NonPositive(usize),
    Overflow,
}

impl DivOp {
    /// `round(a * 2^shift / b)` (half up) per output element, for `b > 0`.
    pub fn quotient(&self, a: i64, b: i64) -> Option<i64> {
        if b <= 0 || self.shift > 62 {
            return None;
        }
        let num = (a as i128) << (self.shift + 1);
        i64::try_from((num + b as i128).div_euclid(2 * b as i128)).ok()
    }

    pub(crate) fn eval(&self, a: &[i64], b: &[i64]) -> std::result::Result<Vec<i64>, DivFault> {
        self.a_index
            .iter()
            .zip(&self.b_index)
            .enumerate()
            .map(|(i, (&ia, &ib))| {
                let (x, d) = (a[ia as usize], b[ib as usize]);
                if d <= 0 {
                    return Err(DivFault::NonPositive(i));
                }
                self.quotient(x, d).ok_or(DivFault::Overflow)
            })
            .collect()
    }
}

impl GatherOp {
    pub fn eval(&self, x: &[i64]) -> Vec<i64> {
        self.index.iter().map(|&i| x[i as usize]).collect()
    }
}

impl QGraph {
    /// Evaluates every node on a quantized input (see [`QGraph::quantize_input`]), checking every
    /// range-checked value against its calibrated bound.
    pub fn eval(&self, input: Vec<i64>) -> Result<Witness> {
        self.eval_inner(input, true)
    }

    /// Like [`QGraph::eval`] but without range checks (used by calibration to find the ranges).
    pub(crate) fn eval_inner(&self, input: Vec<i64>, check: bool) -> Result<Witness> {
        let mut values: Vec<Vec<i64>> = vec![Vec::new(); self.tensors.len()];
        values[self.input] = input;
        for node in &self.nodes {
            let out = self.eval_node(node, &values, check)?;
            values[node.output] = out;
        }
        Ok(Witness { values })
    }

    /// A lookup: every input must lie in the table's domain (unchecked evaluation, used by
    /// calibration to find that domain, evaluates the function anywhere it is defined).
    fn eval_table(&self, node: &QNode, op: &TableOp, x: &[i64], check: bool) -> Result<Vec<i64>> {
        x.iter()
            .map(|&v| match op.value(v) {
                Some(y) if !check || op.contains(v) => Ok(y),
                None if !check => Ok(0),
                _ => {
                    let (lo, hi) = op.domain();
                    let real = v as f64 / (1u64 << op.in_scale.min(62)) as f64;
                    Err(GraphError::OutsideTable {
                        tensor: self.tensors[node.output].name.clone(),
                        value: v,
                        real,
                        lo,
                        hi,
                    })
                }
            })
            .collect()
    }

    /// A division: the divisor must be positive (always checked: there is no quotient otherwise),
    /// and with `check` the divisor and quotient must lie within their calibrated bounds.
    fn eval_div(&self, node: &QNode, op: &DivOp, values: &[Vec<i64>], check: bool) -> Result<Vec<i64>> {
        let (a, b) = (&values[node.inputs[0]], &values[node.inputs[1]]);
        let out = op.eval(a, b).map_err(|fault| match fault {
            DivFault::NonPositive(i) => {
                let t = &self.tensors[node.inputs[1]];
                let value = b[op.b_index[i] as usize];
                GraphError::NonPositiveDivisor {
                    tensor: t.name.clone(),
                    value,
                    real: value as f64 / (1u64 << t.scale.min(62)) as f64,
                }
            }
            DivFault::Overflow => GraphError::Overflow { node: node.name.clone() },
        })?;
        if check {
            let out_of_range = |tensor: usize, value: i64, bits: u32| GraphError::OutOfRange {
                tensor: self.tensors[tensor].name.clone(),
                value,
                bits,
                real: value as f64 / (1u64 << self.tensors[tensor].scale.min(62)) as f64,
            };
            let den = 1i64 << op.den_bits.min(62);
            if let Some(&d) = op.b_index.iter().map(|&j| &b[j as usize]).find(|&&d| d >= den) {
                return Err(out_of_range(node.inputs[1], d, op.den_bits));
            }
            let quot = 1i64 << op.quot_bits.min(62);
            if let Some(&q) = out.iter().find(|&&q| q < -quot || q >= quot) {
                return Err(out_of_range(node.output, q, op.quot_bits));
            }
        }
        Ok(out)
    }

    fn eval_node(&self, node: &QNode, values: &[Vec<i64>], check: bool) -> Result<Vec<i64>> {
        let overflow = || GraphError::Overflow { node: node.name.clone() };
        match &node.op {
            QOp::Linear(op) => {
                let x: Vec<i64> = node.inputs.iter().flat_map(|&i| values[i].iter().copied()).collect();
                op.eval(&x).ok_or_else(overflow)
            }
            QOp::Mul(op) => op.eval(&values[node.inputs[0]], &values[node.inputs[1]]).ok_or_else(overflow),
            QOp::Div(op) => self.eval_div(node, op, values, check),
            QOp::Gather(op) => Ok(op.eval(&values[node.inputs[0]])),
            QOp::Table(op) => self.eval_table(node, op, &values[node.inputs[0]], check),
            QOp::Requant(op) => {
                let x = &values[node.inputs[0]];
                if check {
                    let bound = 1i64 << op.bits;
                    let t = &self.tensors[node.output];
                    for &v in x {
                        let z = op.pre_activation(v);
                        if z < -bound || z >= bound {
                            return Err(GraphError::OutOfRange {
                                tensor: t.name.clone(),
                                value: z,
                                bits: op.bits,
                                real: z as f64 / (1u64 << t.scale) as f64,
                            });
                        }
                    }
                }
                Ok(x.iter().map(|&v| op.apply(v)).collect())
            }
        }
    }
}
