//! Assignment of `Mul` nodes to the product chip, packed `lanes` per row across nodes.

use zkinfer_graph::{MulOp, QNode};

use super::{malformed, AdviceRef, Loc, SelRef, Sink, Walker};
use crate::CircuitError;

impl<S: Sink> Walker<'_, S> {
    /// Lays out `op`; returns the product cells.
    pub(super) fn mul(&mut self, node: &QNode, op: &MulOp) -> Result<Vec<Loc>, CircuitError> {
        if self.plan.mul_lanes == 0 {
            return Err(CircuitError::NoMulLanes);
        }
        let (ta, tb) = match node.inputs.as_slice() {
            [a, b] => (*a, *b),
            _ => return Err(malformed(&node.name, "Mul needs exactly two inputs")),
        };
        if op.a_index.len() != op.b_index.len() {
            return Err(malformed(&node.name, "a_index and b_index differ in length"));
        }
        let a_cells = self.tensor_cells(&node.name, ta)?.to_vec();
        let b_cells = self.tensor_cells(&node.name, tb)?.to_vec();
        let mut out = Vec::with_capacity(op.a_index.len());
        for (&ia, &ib) in op.a_index.iter().zip(&op.b_index) {
            let (ia, ib) = (ia as usize, ib as usize);
            let (Some(&ca), Some(&cb)) = (a_cells.get(ia), b_cells.get(ib)) else {
                return Err(malformed(&node.name, "Mul index out of range"));
            };
            let va = self.values[ta][ia] as i128;
            let vb = self.values[tb][ib] as i128;
            out.push(self.mul_lane_assign(Some(ca), cb, va, vb)?.1);
        }
        Ok(out)
    }

    /// A product lane whose left factor is a fresh witness cell (e.g. a quotient); returns the
    /// (factor, product) cells.
    pub(super) fn mul_fresh_a(&mut self, va: i128, cb: Loc, vb: i128) -> Result<(Loc, Loc), CircuitError> {
        self.mul_lane_assign(None, cb, va, vb)
    }

    /// One product lane `a * b = c`, `a` a copy of `ca` (or fresh), `b` a copy of `cb`; returns
    /// the (a, c) cells.
    fn mul_lane_assign(&mut self, ca: Option<Loc>, cb: Loc, va: i128, vb: i128) -> Result<(Loc, Loc), CircuitError> {
        let (row, lane) = (self.mul_row, self.mul_lane);
        if lane == 0 {
            self.check_row(row)?;
            self.sink.enable(SelRef::Mul, row);
        }
        let a = self.sink.advice(AdviceRef::MulA(lane), row, self.val(va));
        if let Some(ca) = ca {
            self.sink.copy(a, ca);
        }
        let b = self.sink.advice(AdviceRef::MulB(lane), row, self.val(vb));
        self.sink.copy(b, cb);
        let c = self.sink.advice(AdviceRef::MulC(lane), row, self.val(va * vb));
        self.mul_lane += 1;
        if self.mul_lane == self.plan.mul_lanes {
            self.mul_lane = 0;
            self.mul_row += 1;
        }
        Ok((a, c))
    }

    /// Pads the last, partly used product row with `0 * 0 = 0` on copies of ZERO.
    pub(super) fn finish_mul(&mut self) -> Result<(), CircuitError> {
        while self.mul_lane != 0 {
            self.mul_lane_assign(Some(self.zero), self.zero, 0, 0)?;
        }
        Ok(())
    }
}
