//! Assignment of `Requant` nodes to the requant chip (one element per row, or per `limbs` rows
//! with stacked limbs).

use zkinfer_graph::{QNode, RequantOp};

use super::{fe, malformed, AdviceRef, FixedRef, Loc, SelRef, Sink, Walker};
use crate::chips::range::limb_tag;
use crate::chips::requant::TAGGED_LIMB_COLUMNS;
use crate::plan::{limb_widths, limbs_for, requant_limb_order};
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
        self.check_limbs(&node.name, op)?;
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
            let (cell_in, cell_out) = self.requant_elem(op, x as i128, s)?;
            ins.push(cell_in);
            outs.push(cell_out);
        }
        Ok((ins, outs))
    }

    /// An error when the plan has fewer limbs than `op` needs (its remainder's plus its value's).
    pub(super) fn check_limbs(&self, node: &str, op: &RequantOp) -> Result<(), CircuitError> {
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
        Ok(())
    }

    /// One requant row: `x` (a copy of `src`, or a fresh cell) rescaled by `op`; returns the
    /// (input, output) cells. Call [`Walker::check_limbs`] for `op` first.
    pub(super) fn requant_elem(
        &mut self,
        op: &RequantOp,
        x: i128,
        src: Option<Loc>,
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
        self.sink.advice(AdviceRef::RqQuotient, row, self.val(z));
        self.sink.advice(AdviceRef::RqSign, row, self.val(sign));
        // The two top limbs (the only ones that can be narrower than `b`) go first, into the
        // tagged limb columns, where each limb is looked up under its own width; every other
        // limb is a full one, looked up in `0..2^b` (see `chips/requant.rs`).
        let (rem_widths, val_widths) = (limb_widths(op.shift, b), limb_widths(op.bits, b));
        for (c, (is_rem, i)) in requant_limb_order(rem_widths.len(), val_widths.len()).into_iter().enumerate() {
            let (value, width) = if is_rem { (rem, rem_widths[i]) } else { (folded, val_widths[i]) };
            let shift = b as usize * i;
            let (col, at) = self.plan.limb_cell(c, row);
            self.sink.advice(AdviceRef::RqLimb(col), at, self.val((value >> shift) & mask));
            self.sink.fixed(
                if is_rem { FixedRef::RqRemainderWeight(col) } else { FixedRef::RqValueWeight(col) },
                at,
                fe(1i128 << shift),
            );
            if col < TAGGED_LIMB_COLUMNS {
                self.sink.fixed(FixedRef::RqTag(col), at, fe(i128::from(limb_tag(b, width))));
            } else if width != b {
                return Err(malformed("requant", "a partial limb outside the tagged limb columns"));
            }
        }
        let cell_out = self.sink.advice(AdviceRef::RqOut, row, self.val(out));
        Ok((cell_in, cell_out))
    }
}
