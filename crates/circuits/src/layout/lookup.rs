//! Assignment of `Table` nodes to the lookup chip (one element per row), and the tables.

use zkinfer_graph::{QGraph, QNode, TableOp};

use super::{fe, malformed, AdviceRef, FixedRef, Loc, SelRef, Sink, Walker};
use crate::CircuitError;

/// The distinct tables of `q`, in first-use order: table `i` has tag `i + 1`.
pub(crate) fn distinct_tables(q: &QGraph) -> Vec<&TableOp> {
    zkinfer_graph::distinct_tables(q.tables())
}

/// Rows of the table columns: the `(0, 0, 0)` row plus every entry of every distinct table.
pub(crate) fn table_rows(q: &QGraph) -> usize {
    1 + zkinfer_graph::distinct_table_rows(q.tables())
}

impl<S: Sink> Walker<'_, S> {
    /// Lays out `op`; returns the output cells.
    pub(super) fn table(&mut self, node: &QNode, op: &TableOp) -> Result<Vec<Loc>, CircuitError> {
        if !self.plan.lookup {
            return Err(CircuitError::NoLookupTable);
        }
        let tag = distinct_tables(self.q).iter().position(|t| *t == op).map_or(0, |i| i + 1);
        let src_t = node.inputs.first().copied().ok_or_else(|| malformed(&node.name, "no input"))?;
        let src = self.tensor_cells(&node.name, src_t)?.to_vec();
        let xs = self.values.get(src_t).ok_or_else(|| malformed(&node.name, "input tensor out of range"))?;
        if xs.len() != src.len() {
            return Err(malformed(&node.name, "input shorter than its values"));
        }
        let mut outs = Vec::with_capacity(xs.len());
        for (&x, &s) in xs.iter().zip(&src) {
            let row = self.lk_row;
            self.check_row(row)?;
            self.lk_row += 1;
            // Outside the domain the honest witness cannot exist (evaluation refuses it first).
            let y = op.value(x).unwrap_or(0);
            self.sink.enable(SelRef::Lk, row);
            self.sink.fixed(FixedRef::LkTableTag, row, fe(tag as i128));
            let cell_in = self.sink.advice(AdviceRef::LkIn, row, self.val(x as i128));
            self.sink.copy(cell_in, s);
            outs.push(self.sink.advice(AdviceRef::LkOut, row, self.val(y as i128)));
        }
        Ok(outs)
    }
}
