//! Assignment of `Div` nodes: no chip of their own, a composition of the product, dot and
//! requant gates (so the constraint system is unchanged and every cell is already covered by
//! the soundness tests of those gates).
//!
//! For each element, with `a` the dividend, `b` the divisor and `s` the shift:
//! * product lane: `c = q * b` (`q` is the fresh quotient cell);
//! * dot rows: `r = 2^(s+1) * a + b - 2c` and `t = 2b - 1 - r`;
//! * requant rows (shift 0): `r` and `t` with ReLU and the output copy-constrained to the input,
//!   which forces `0 <= r, t < 2^(den_bits+1)`; `q` without ReLU, which forces
//!   `-2^quot_bits <= q < 2^quot_bits`.
//!
//! So `2^(s+1) a + b = 2bq + r` with `0 <= r < 2b`, hence `b >= 1` and
//! `q = floor((2^(s+1) a + b) / 2b) = round(2^s a / b)`, unique as long as no product wraps
//! around the field: every value involved is far below 2^128.

use zkinfer_graph::{DivOp, LinearOp, QGraph, QNode};

use super::dot::dot_rows;
use crate::walk::{malformed, ChipRows, LayoutShape, Loc, NodeLayout, Sink, Walker};
use crate::CircuitError;

impl<S: Sink> Walker<'_, S> {
    /// Lays out `op`; returns the quotient cells.
    pub(crate) fn div(&mut self, node: &QNode, op: &DivOp) -> Result<Vec<Loc>, CircuitError> {
        let name = node.name.as_str();
        if self.plan.mul_lanes == 0 {
            return Err(CircuitError::NoMulLanes);
        }
        let (ta, tb) = match node.inputs.as_slice() {
            [a, b] => (*a, *b),
            _ => return Err(malformed(name, "Div needs exactly two inputs")),
        };
        let len = op.a_index.len();
        if op.b_index.len() != len {
            return Err(malformed(name, "a_index and b_index differ in length"));
        }
        if op.shift >= 60 || op.den_bits + op.quot_bits >= 60 {
            return Err(malformed(name, "shift and bounds too large (quotient times divisor must stay below 2^60)"));
        }
        let values = self.values;
        let (a_vals, b_vals) = (&values[ta], &values[tb]);
        let a_cells = self.tensor_cells(name, ta)?.to_vec();
        let b_cells = self.tensor_cells(name, tb)?.to_vec();
        let pick = |cells: &[Loc], vals: &[i64], i: u32| -> Result<(Loc, i64), CircuitError> {
            match (cells.get(i as usize), vals.get(i as usize)) {
                (Some(c), Some(v)) => Ok((*c, *v)),
                _ => Err(malformed(name, "Div index out of range")),
            }
        };
        let pow = op.dividend_weight();

        // Quotients and products, one product lane each; every value from `DivOp::witness`.
        let (mut a, mut b, mut wit, mut q, mut c) = (vec![], vec![], vec![], vec![], vec![]);
        for (&ia, &ib) in op.a_index.iter().zip(&op.b_index) {
            let ((ca, va), (cb, vb)) = (pick(&a_cells, a_vals, ia)?, pick(&b_cells, b_vals, ib)?);
            let wi = op.witness(va, vb);
            let (cq, cc) = self.mul_fresh_a(wi.quotient, cb, vb as i128)?;
            a.push((ca, va));
            b.push((cb, vb));
            q.push(cq);
            c.push((cc, wi.product as i64));
            wit.push(wi);
        }

        // remainder = 2^(s+1) a + b - 2c over the inputs [a..., b..., c...].
        let mut x_cells: Vec<Loc> = a.iter().chain(&b).chain(&c).map(|x| x.0).collect();
        let mut x_vals: Vec<i64> = a.iter().chain(&b).chain(&c).map(|x| x.1).collect();
        let r_cells = self.linear_cells(name, &remainder_op(len, pow), &x_cells, &x_vals, len)?;

        // slack = 2b - 1 - remainder over [b..., remainder...].
        x_cells = b.iter().map(|x| x.0).chain(r_cells.iter().copied()).collect();
        x_vals = b.iter().map(|x| x.1).chain(wit.iter().map(|w| w.remainder as i64)).collect();
        let t_cells = self.linear_cells(name, &slack_op(len), &x_cells, &x_vals, len)?;

        let (nonneg, range) = op.checks();
        self.check_limbs(name, &nonneg)?;
        for ((r, t), wi) in r_cells.iter().zip(&t_cells).zip(&wit) {
            for (cell, v) in [(*r, wi.remainder), (*t, wi.slack)] {
                let (cell_in, cell_out) = self.requant_elem(&nonneg, v, Some(cell))?;
                self.sink.copy(cell_out, cell_in);
            }
        }
        self.check_limbs(name, &range)?;
        for (&cq, wi) in q.iter().zip(&wit) {
            self.requant_elem(&range, wi.quotient, Some(cq))?;
        }
        Ok(q)
    }
}

/// Terms of the remainder's linear map (`a`, `b`, `c`).
const REMAINDER_TERMS: usize = 3;

/// Terms of the slack's linear map (`b`, the remainder).
const SLACK_TERMS: usize = 2;

/// The remainder's linear map over `[a..., b..., c...]`: `2^(s+1) a + b - 2c`.
fn remainder_op(n: usize, dividend_weight: i64) -> LinearOp {
    let weights: [i64; REMAINDER_TERMS] = [dividend_weight, 1, -2];
    stacked(n, &weights, 0)
}

/// The slack's linear map over `[b..., remainder...]`: `2b - remainder - 1`.
fn slack_op(n: usize) -> LinearOp {
    let weights: [i64; SLACK_TERMS] = [2, -1];
    stacked(n, &weights, -1)
}

/// A product lane, two dot chains (remainder and slack) and three requant rows (remainder,
/// slack, quotient) per element.
impl NodeLayout for DivOp {
    fn rows(&self, _q: &QGraph, _node: &QNode, shape: LayoutShape) -> ChipRows {
        let len = self.a_index.len();
        ChipRows {
            dot: dot_rows(len, 1, REMAINDER_TERMS, shape) + dot_rows(len, 1, SLACK_TERMS, shape),
            requant: 3 * shape.requant_stride * len,
            mul_lanes: len,
            ..ChipRows::default()
        }
    }

    fn assign<S: Sink>(&self, w: &mut Walker<'_, S>, node: &QNode) -> Result<Vec<Loc>, CircuitError> {
        w.div(node, self)
    }
}
/// `out[p] = bias + Σ_j w[j] x[j n + p]` for `p < n`: one position per element over inputs
/// stacked as `w.len()` blocks of `n`; its constants are structural (bound under private parameters).
fn stacked(n: usize, w: &[i64], bias: i64) -> LinearOp {
    let terms = w.len();
    let index = (0..n).flat_map(|p| (0..terms).map(move |j| Some((j * n + p) as u32))).collect();
    LinearOp { bias: vec![bias], ..LinearOp::single_channel(n, terms, index, w.to_vec()) }
}
