//! `RNN`, `GRU` and `LSTM` (one direction, default activations) at constant weights, unrolled
//! at import over the static sequence length.
//!
//! Each gate's input projection `X·W_gᵀ + b_g` is one MatMul by a constant for the whole
//! sequence; step `t` takes its slice (a constant-index Gather), adds the recurrent projection
//! `H_{t−1}·R_gᵀ` (a MatMul by a constant) and applies the gate's Sigmoid or Tanh table; the
//! state updates are products of two activations (the product chip) and Adds:
//!
//! * RNN: `H = tanh(x·Wᵀ + H·Rᵀ + Wb + Rb)`;
//! * GRU: `z, r = σ(·)`, `h̃ = tanh(x·W_hᵀ + (r⊙H)·R_hᵀ + Rb_h + Wb_h)` (or, with
//!   `linear_before_reset`, `r⊙(H·R_hᵀ + Rb_h)`), `H' = h̃ + z⊙(H − h̃)`;
//! * LSTM: `i, f = σ(· + p⊙C)`, `c̃ = tanh(·)`, `C' = f⊙C + i⊙c̃`, `o = σ(· + p_o⊙C')`,
//!   `H' = o⊙tanh(C')`.
//!
//! `Y` stacks the states, `Y_h` (and `Y_c`) is the last. Nothing is new to the circuit: every step
//! is a Linear map, a table or a product already proven. Refused by name: a bidirectional
//! direction, other activations, `clip`, `input_forget`, sequence lengths shorter than the
//! sequence, and weights, biases or initial states computed from the model input.

use zkinfer_graph::ops::{Add, Concat, Gather, MatMul, Mul, Sigmoid, Sub, Tanh, Unsqueeze};
use zkinfer_graph::Tensor;

use crate::registry::Built;
use crate::registry::{NodeCx, Src, Steps};
use crate::ImportError;

/// The longest sequence unrolled.
pub(crate) const MAX_STEPS: usize = 1 << 12;

/// Which recurrent cell.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Cell {
    Rnn,
    Gru,
    Lstm,
}

impl Cell {
    fn gates(self) -> usize {
        match self {
            Self::Rnn => 1,
            Self::Gru => 3,
            Self::Lstm => 4,
        }
    }
    fn default_activations(self) -> &'static [&'static str] {
        match self {
            Self::Rnn => &["Tanh"],
            Self::Gru => &["Sigmoid", "Tanh"],
            Self::Lstm => &["Sigmoid", "Tanh", "Tanh"],
        }
    }
}

/// The builder (module docs).
pub(crate) fn recurrent(cx: &NodeCx, cell: Cell) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let direction = a.string("direction")?.unwrap_or_else(|| "forward".into());
    let reverse = match direction.as_str() {
        "forward" => false,
        "reverse" => true,
        other => return Err(a.error("direction", format!("'{other}' is not supported (forward and reverse are)"))),
    };
    if let Some(acts) = a.strings("activations")? {
        let want = cell.default_activations();
        if acts.len() != want.len() || acts.iter().zip(want).any(|(x, w)| !x.eq_ignore_ascii_case(w)) {
            return Err(a.error("activations", format!("{acts:?}: only the defaults {want:?} are supported")));
        }
    }
    let _ = (a.floats("activation_alpha")?, a.floats("activation_beta")?);
    if a.float("clip")?.is_some() {
        return Err(a.error("clip", "clipping the gate inputs is not supported"));
    }
    if a.int("input_forget")?.unwrap_or(0) != 0 {
        return Err(a.error("input_forget", "coupled input and forget gates are not supported"));
    }
    let linear_before_reset = a.int("linear_before_reset")?.unwrap_or(0) != 0;
    let layout = a.int("layout")?.unwrap_or(0) != 0;
    let x = cx.shapes.first().cloned().unwrap_or_default();
    let [d0, d1, input] = x[..] else {
        return Err(a.node_error(format!("X must be 3-D, found {x:?}")));
    };
    let (seq, batch) = if layout { (d1, d0) } else { (d0, d1) };
    if seq == 0 || batch == 0 || seq > MAX_STEPS {
        return Err(a.node_error(format!("X {x:?}: the sequence must have 1 to {MAX_STEPS} steps")));
    }
    let konst = |i: usize, name: &str| -> Result<Option<&Tensor>, ImportError> {
        match cx.shapes.get(i) {
            None => Ok(None),
            Some(s) if s.iter().product::<usize>() == 0 => Ok(None),
            Some(_) => cx.consts.get(i).copied().flatten().map(Some).ok_or_else(|| {
                a.error(name, "must be a constant input (computed from the model input it is not supported)")
            }),
        }
    };
    let g = cell.gates();
    let w = konst(1, "W")?.ok_or_else(|| a.error("W", "is required"))?;
    let r = konst(2, "R")?.ok_or_else(|| a.error("R", "is required"))?;
    let h = r.shape().last().copied().unwrap_or(0);
    if w.shape() != [1, g * h, input] || r.shape() != [1, g * h, h] || h == 0 {
        return Err(a.node_error(format!(
            "W {:?} and R {:?} must be [1, {g}·hidden, {input}] and [1, {g}·hidden, hidden] (one direction)",
            w.shape(),
            r.shape()
        )));
    }
    if let Some(hs) = a.int("hidden_size")? {
        if hs != h as i64 {
            return Err(a.error("hidden_size", format!("{hs} does not match R's {h}")));
        }
    }
    let bias: Vec<f32> = match konst(3, "B")? {
        Some(b) if b.len() == 2 * g * h => b.iter().copied().collect(),
        Some(b) => return Err(a.error("B", format!("has {} values, expected {}", b.len(), 2 * g * h))),
        None => vec![0.0; 2 * g * h],
    };
    if let Some(lens) = konst(4, "sequence_lens")? {
        if lens.iter().any(|&l| l as usize != seq) {
            return Err(a.error("sequence_lens", format!("sequences shorter than {seq} steps are not supported")));
        }
    }
    let state = |i: usize, name: &str| -> Result<Tensor, ImportError> {
        match konst(i, name)? {
            Some(t) if t.len() == batch * h => Tensor::from_shape_vec(vec![batch, h], t.iter().copied().collect())
                .map_err(|e| a.node_error(e.to_string())),
            Some(t) => Err(a.error(name, format!("has shape {:?}, expected [1, {batch}, {h}]", t.shape()))),
            None => Ok(Tensor::zeros(vec![batch, h])),
        }
    };
    let peep: Vec<f32> = match konst(7, "P")? {
        Some(p) if p.len() == 3 * h => p.iter().copied().collect(),
        Some(p) => return Err(a.error("P", format!("has {} values, expected {}", p.len(), 3 * h))),
        None => vec![0.0; 3 * h],
    };
    let (wv, rv): (Vec<f32>, Vec<f32>) = (w.iter().copied().collect(), r.iter().copied().collect());
    // Gate k's block of a [g·h, cols] matrix, transposed to [cols, h].
    let block_t = |m: &[f32], k: usize, cols: usize| -> Result<Tensor, ImportError> {
        let v = (0..cols).flat_map(|c| (0..h).map(move |j| (c, j))).map(|(c, j)| m[(k * h + j) * cols + c]).collect();
        Tensor::from_shape_vec(vec![cols, h], v).map_err(|e| a.node_error(e.to_string()))
    };
    let vector =
        |v: &[f32]| Src::Const(Tensor::from_shape_vec(vec![h], v.to_vec()).unwrap_or_else(|_| Tensor::zeros(vec![h])));
    let wb = |k: usize| &bias[k * h..(k + 1) * h];
    let rb = |k: usize| &bias[(g + k) * h..(g + k + 1) * h];

    let mut s = Steps::default();
    let seq_axis = i64::from(layout);
    // Per gate, the whole sequence's input projection with the biases it always takes.
    let mut xw = Vec::with_capacity(g);
    for k in 0..g {
        let mm = s.push(MatMul, vec![Src::Input(0), Src::Const(block_t(&wv, k, input)?)]);
        let sum: Vec<f32> = match (cell, k) {
            // GRU's candidate gate adds its recurrent bias inside (or after) the reset.
            (Cell::Gru, 2) => wb(k).to_vec(),
            _ => wb(k).iter().zip(rb(k)).map(|(x, y)| x + y).collect(),
        };
        xw.push(s.push(Add, vec![mm, vector(&sum)]));
    }
    let mut hs = Src::Const(state(5, "initial_h")?);
    let mut cs = Src::Const(state(6, "initial_c")?);
    let mut outs: Vec<(usize, Src)> = Vec::with_capacity(seq);
    let order: Vec<usize> = if reverse { (0..seq).rev().collect() } else { (0..seq).collect() };
    for &t in &order {
        let at = Src::Const(Tensor::from_elem(vec![], t as f32));
        let x_t: Vec<Src> = xw.iter().map(|p| s.push(Gather { axis: seq_axis }, vec![p.clone(), at.clone()])).collect();
        let rec = |s: &mut Steps, k: usize, from: Src| -> Result<Src, ImportError> {
            Ok(s.push(MatMul, vec![from, Src::Const(block_t(&rv, k, h)?)]))
        };
        let gate = |s: &mut Steps, k: usize, hs: &Src| -> Result<Src, ImportError> {
            let hr = rec(s, k, hs.clone())?;
            Ok(s.push(Add, vec![x_t[k].clone(), hr]))
        };
        hs = match cell {
            Cell::Rnn => {
                let pre = gate(&mut s, 0, &hs)?;
                s.push(Tanh, vec![pre])
            }
            Cell::Gru => {
                let z_pre = gate(&mut s, 0, &hs)?;
                let z = s.push(Sigmoid, vec![z_pre]);
                let r_pre = gate(&mut s, 1, &hs)?;
                let r = s.push(Sigmoid, vec![r_pre]);
                let reset = if linear_before_reset {
                    let hr = rec(&mut s, 2, hs.clone())?;
                    let hr = s.push(Add, vec![hr, vector(rb(2))]);
                    s.push(Mul, vec![r, hr])
                } else {
                    let rh = s.push(Mul, vec![r, hs.clone()]);
                    let hr = rec(&mut s, 2, rh)?;
                    s.push(Add, vec![hr, vector(rb(2))])
                };
                let pre = s.push(Add, vec![x_t[2].clone(), reset]);
                let cand = s.push(Tanh, vec![pre]);
                let diff = s.push(Sub, vec![hs.clone(), cand.clone()]);
                let kept = s.push(Mul, vec![z, diff]);
                s.push(Add, vec![cand, kept])
            }
            Cell::Lstm => {
                let peep_of = |k: usize| vector(&peep[k * h..(k + 1) * h]);
                let with_peep = |s: &mut Steps, pre: Src, k: usize, c: &Src| {
                    let pc = s.push(Mul, vec![c.clone(), peep_of(k)]);
                    s.push(Add, vec![pre, pc])
                };
                // Gate order i, o, f, c; peepholes i, o, f.
                let i_pre = gate(&mut s, 0, &hs)?;
                let i_pre = with_peep(&mut s, i_pre, 0, &cs);
                let i = s.push(Sigmoid, vec![i_pre]);
                let f_pre = gate(&mut s, 2, &hs)?;
                let f_pre = with_peep(&mut s, f_pre, 2, &cs);
                let f = s.push(Sigmoid, vec![f_pre]);
                let c_pre = gate(&mut s, 3, &hs)?;
                let cand = s.push(Tanh, vec![c_pre]);
                let kept = s.push(Mul, vec![f, cs.clone()]);
                let added = s.push(Mul, vec![i, cand]);
                cs = s.push(Add, vec![kept, added]);
                let o_pre = gate(&mut s, 1, &hs)?;
                let o_pre = with_peep(&mut s, o_pre, 1, &cs);
                let o = s.push(Sigmoid, vec![o_pre]);
                let tc = s.push(Tanh, vec![cs.clone()]);
                s.push(Mul, vec![o, tc])
            }
        };
        outs.push((t, hs.clone()));
    }
    outs.sort_by_key(|(t, _)| *t);
    // Y: [seq, 1, batch, h] (layout 0) or [batch, seq, 1, h].
    let (y_axes, y_cat, last_axes) = if layout { (vec![1, 2], 1, vec![1]) } else { (vec![0, 1], 0, vec![0]) };
    let parts: Vec<Src> =
        outs.iter().map(|(_, o)| s.push(Unsqueeze { axes: y_axes.clone() }, vec![o.clone()])).collect();
    let y = s.push(Concat { axis: y_cat }, parts);
    let y_h = s.push(Unsqueeze { axes: last_axes.clone() }, vec![hs]);
    let not_a_step = || a.node_error("an output that is not a step");
    if cell == Cell::Lstm {
        let y_c = s.push(Unsqueeze { axes: last_axes }, vec![cs]);
        return s.built(&[&y, &y_h, &y_c], not_a_step);
    }
    s.built(&[&y, &y_h], not_a_step)
}
