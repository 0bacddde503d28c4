//! `Gather` nodes: pure re-wiring, no cells and no constraints. The output's cells are the
//! input's cells, picked by index.

use zkinfer_graph::{GatherOp, QGraph, QNode};

use crate::walk::{malformed, ChipRows, LayoutShape, Loc, NodeLayout, Sink, Walker};
use crate::CircuitError;

impl NodeLayout for GatherOp {
    fn rows(&self, _q: &QGraph, _node: &QNode, _shape: LayoutShape) -> ChipRows {
        ChipRows::default()
    }

    fn assign<S: Sink>(&self, w: &mut Walker<'_, S>, node: &QNode) -> Result<Vec<Loc>, CircuitError> {
        let src = w.tensor_cells(&node.name, node.inputs.first().copied().unwrap_or(usize::MAX))?;
        self.index
            .iter()
            .map(|&j| src.get(j as usize).copied())
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| malformed(&node.name, "gather index out of range"))
    }
}
