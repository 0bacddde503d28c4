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

use zkinfer_graph::{DivOp, LinearOp, QNode};

use super::{malformed, Loc, Sink, Walker};
use crate::plan::div_checks;
use crate::CircuitError;

impl<S: Sink> Walker<'_, S> {
    /// Lays out `op`; returns the quotient cells.
    pub(super) fn div(&mut self, node: &QNode, op: &DivOp) -> Result<Vec<Loc>, CircuitError> {
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
        let pow = 1i64 << (op.shift + 1);

        // Quotients and products, one product lane each.
        let (mut a, mut b, mut q, mut c) = (Vec::with_capacity(len), Vec::with_capacity(len), vec![], vec![]);
        for (&ia, &ib) in op.a_index.iter().zip(&op.b_index) {
            let ((ca, va), (cb, vb)) = (pick(&a_cells, a_vals, ia)?, pick(&b_cells, b_vals, ib)?);
            // The honest quotient; a non-positive divisor (no quotient) leaves a zero that the
            // remainder checks then reject.
            let vq = op.quotient(va, vb).unwrap_or(0);
            let (cq, cc) = self.mul_fresh_a(vq as i128, cb, vb as i128)?;
            a.push((ca, va));
            b.push((cb, vb));
            q.push((cq, vq));
            c.push((cc, vq as i128 * vb as i128));
        }

        // r = 2^(s+1) a + b - 2c over the inputs [a..., b..., c...].
        let r_vals: Vec<i128> = (0..len).map(|i| pow as i128 * a[i].1 as i128 + b[i].1 as i128 - 2 * c[i].1).collect();
        let mut x_cells: Vec<Loc> = a.iter().chain(&b).map(|x| x.0).chain(c.iter().map(|x| x.0)).collect();
        let mut x_vals: Vec<i64> = a.iter().chain(&b).map(|x| x.1).collect();
        x_vals.extend(c.iter().map(|x| x.1 as i64));
        let r_cells = self.linear_cells(name, &stacked(len, &[pow, 1, -2], 0), &x_cells, &x_vals, len)?;

        // t = 2b - 1 - r over [b..., r...].
        x_cells = b.iter().map(|x| x.0).chain(r_cells.iter().copied()).collect();
        x_vals = b.iter().map(|x| x.1).chain(r_vals.iter().map(|&r| r as i64)).collect();
        let t_cells = self.linear_cells(name, &stacked(len, &[2, -1], -1), &x_cells, &x_vals, len)?;

        let (nonneg, range) = div_checks(op);
        self.check_limbs(name, &nonneg)?;
        for (i, (r, t)) in r_cells.iter().zip(&t_cells).enumerate() {
            let t_val = 2 * b[i].1 as i128 - 1 - r_vals[i];
            for (cell, v) in [(*r, r_vals[i]), (*t, t_val)] {
                let (cell_in, cell_out) = self.requant_elem(&nonneg, v, Some(cell))?;
                self.sink.copy(cell_out, cell_in);
            }
        }
        self.check_limbs(name, &range)?;
        for &(cq, vq) in &q {
            self.requant_elem(&range, vq as i128, Some(cq))?;
        }
        Ok(q.into_iter().map(|x| x.0).collect())
    }
}

/// `out[p] = bias + Σ_j w[j] x[j n + p]` for `p < n`: one position per element over inputs
/// stacked as `w.len()` blocks of `n`; its constants are structural (bound under private parameters).
fn stacked(n: usize, w: &[i64], bias: i64) -> LinearOp {
    let terms = w.len();
    let index = (0..n).flat_map(|p| (0..terms).map(move |j| Some((j * n + p) as u32))).collect();
    LinearOp { bias: vec![bias], ..LinearOp::single_channel(n, terms, index, w.to_vec()) }
}
