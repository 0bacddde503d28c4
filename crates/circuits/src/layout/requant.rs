//! Assignment of `Requant` nodes to the requant chip (one element per row, or per `limbs` rows
//! with stacked limbs).

use zkinfer_graph::{QNode, RequantOp};

use super::{fe, malformed, AdviceRef, FixedRef, Loc, SelRef, Sink, Walker};
use crate::plan::{limb_widths, limbs_for};
use crate::CircuitError;

impl<S: Sink> Walker<'_, S> {
    /// Lays out `op`; returns (input cells, output cells). With `fresh`, the input cells are new
    /// (the raw model input) instead of copies of an earlier tensor.
    pub(super) fn requant(
        &mut self,
        node: &QNode,
        op: &RequantOp,
        fresh: bool,
    ) -> Result<(Vec<Loc>, Vec<Loc>), CircuitError> {
        let (n_r, n_w) = self.requant_limbs(&node.name, op)?;
        let src_t = node.inputs.first().copied().ok_or_else(|| malformed(&node.name, "no input"))?;
        let src: Option<Vec<Loc>> = if fresh { None } else { Some(self.tensor_cells(&node.name, src_t)?.to_vec()) };
        let values = self.values;
        let xs = values.get(src_t).ok_or_else(|| malformed(&node.name, "input tensor out of range"))?;
        let mut ins = Vec::with_capacity(xs.len());
        let mut outs = Vec::with_capacity(xs.len());
        for (e, &x) in xs.iter().enumerate() {
            let s = match &src {
                Some(src) => Some(*src.get(e).ok_or_else(|| malformed(&node.name, "input shorter than its values"))?),
                None => None,
            };
            let (cell_in, cell_out) = self.requant_elem(op, x as i128, s, (n_r, n_w))?;
            ins.push(cell_in);
            outs.push(cell_out);
        }
        Ok((ins, outs))
    }

    /// Limb columns `(remainder, value)` that `op` needs; an error when the plan has too few.
    pub(super) fn requant_limbs(&self, node: &str, op: &RequantOp) -> Result<(usize, usize), CircuitError> {
        let b = self.plan.limb_bits.max(1);
        let (n_r, n_w) = (limbs_for(op.shift, b), limbs_for(op.bits, b));
        if n_r + n_w > self.plan.limbs {
            return Err(CircuitError::NotEnoughLimbs {
                node: node.to_string(),
                needed: n_r + n_w,
                limbs: self.plan.limbs,
            });
        }
        if op.shift >= 62 || op.bits >= 62 {
            return Err(malformed(node, "shift and bits must be below 62"));
        }
        Ok((n_r, n_w))
    }

    /// One requant row: `x` (a copy of `src`, or a fresh cell) rescaled by `op`; returns the
    /// (input, output) cells. `limbs` comes from [`Walker::requant_limbs`].
    pub(super) fn requant_elem(
        &mut self,
        op: &RequantOp,
        x: i128,
        src: Option<Loc>,
        (n_r, _): (usize, usize),
    ) -> Result<(Loc, Loc), CircuitError> {
        let b = self.plan.limb_bits.max(1);
        let pow = 1i128 << op.shift;
        let half = if op.shift == 0 { 0 } else { 1i128 << (op.shift - 1) };
        let mask = (1i128 << b) - 1;
        let row = self.rq_row;
        let stride = self.plan.requant_stride();
        self.check_row(row + stride - 1)?;
        self.rq_row += stride;
        let z = (x + half).div_euclid(pow);
        let rem = x + half - z * pow;
        let sign = i128::from(z >= 0);
        let folded = if z >= 0 { z } else { -z - 1 };
        let out = if op.relu { z.max(0) } else { z };

        self.sink.enable(SelRef::Rq, row);
        self.sink.enable(if op.relu { SelRef::RqRelu } else { SelRef::RqPlain }, row);
        self.sink.fixed(FixedRef::RqPow, row, fe(pow));
        if half != 0 {
            self.sink.fixed(FixedRef::RqHalf, row, fe(half));
        }
        let cell_in = self.sink.advice(AdviceRef::RqIn, row, self.val(x));
        if let Some(s) = src {
            self.sink.copy(cell_in, s);
        }
        self.sink.advice(AdviceRef::RqZ, row, self.val(z));
        self.sink.advice(AdviceRef::RqSign, row, self.val(sign));
        // Limb columns 0..n_r hold the remainder, n_r..n_r+n_w the sign-folded value; each limb
        // is looked up under its own width, so a partial top limb is bounded as an integer.
        for (base, total_bits, value, is_rem) in [(0, op.shift, rem, true), (n_r, op.bits, folded, false)] {
            for (i, width) in limb_widths(total_bits, b).into_iter().enumerate() {
                let c = base + i;
                let shift = b as usize * i;
                let limb = (value >> shift) & mask;
                let (col, at) = self.plan.limb_cell(c, row);
                self.sink.advice(AdviceRef::RqLimb(col), at, self.val(limb));
                let weight = fe(1i128 << shift);
                self.sink.fixed(if is_rem { FixedRef::RqCr(col) } else { FixedRef::RqCw(col) }, at, weight);
                self.sink.fixed(FixedRef::RqTag(col), at, fe(i128::from(b - width)));
            }
        }
        let cell_out = self.sink.advice(AdviceRef::RqOut, row, self.val(out));
        Ok((cell_in, cell_out))
    }
}
