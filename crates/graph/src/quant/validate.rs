//! Structural checks of a [`QGraph`] read from disk: every index in range, every length consistent,
//! nodes in evaluation order — so evaluation and circuit layout can index without panicking.

use super::{QGraph, QOp};
use crate::{GraphError, Result};

const MAX_SHIFT: u32 = 62;
/// Largest table domain bound a graph read from disk may ask for (`2^25` rows).
const MAX_TABLE_BITS: u32 = 24;

impl QGraph {
    /// Checks the graph's internal consistency (a checksummed file can still be crafted).
    pub fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(GraphError::InvalidQGraph(msg));
        let n = self.tensors.len();
        if self.inputs.is_empty() || self.outputs.is_empty() {
            return bad("a model needs at least one input and one output".into());
        }
        if let Some(s) = self.inputs.iter().chain(&self.outputs).find(|s| s.tensor >= n) {
            return bad(format!("input or output tensor {} out of {n} tensors", s.tensor));
        }
        if let Some(s) = self.inputs.iter().find(|s| s.bits > MAX_SHIFT) {
            return bad(format!("input bound 2^{} too large", s.bits));
        }
        let mut defined = vec![false; n];
        for s in &self.inputs {
            if defined[s.tensor] {
                return bad(format!("tensor {} is two inputs", s.tensor));
            }
            defined[s.tensor] = true;
        }
        for (i, node) in self.nodes.iter().enumerate() {
            let here = |m: String| GraphError::InvalidQGraph(format!("node #{i} ('{}'): {m}", node.name));
            if node.output >= n || defined[node.output] {
                return Err(here(format!("output tensor {} is out of range or defined twice", node.output)));
            }
            if let Some(&x) = node.inputs.iter().find(|&&x| x >= n || !defined[x]) {
                return Err(here(format!("input tensor {x} is out of range or not yet defined")));
            }
            let len = |t: usize| self.tensors[t].len();
            let out_len = len(node.output);
            match &node.op {
                QOp::Linear(l) => {
                    let x_len: usize = node.inputs.iter().map(|&t| len(t)).sum();
                    let sizes_ok = l.index.len() == l.positions * l.terms
                        && l.weight.len() == l.channels * l.terms
                        && l.bias.len() == l.channels
                        && l.positions * l.channels == out_len;
                    if !sizes_ok {
                        return Err(here("linear sizes are inconsistent".into()));
                    }
                    if l.index.iter().flatten().any(|&j| j as usize >= x_len) {
                        return Err(here("linear index out of range".into()));
                    }
                    let last =
                        (l.positions.saturating_sub(1)) * l.pos_stride + (l.channels.saturating_sub(1)) * l.chan_stride;
                    if out_len > 0 && last >= out_len {
                        return Err(here("linear output layout out of range".into()));
                    }
                }
                QOp::Requant(r) => {
                    if node.inputs.len() != 1 || len(node.inputs[0]) != out_len {
                        return Err(here("requant takes one input of the output's length".into()));
                    }
                    if r.shift > MAX_SHIFT || r.bits > MAX_SHIFT {
                        return Err(here(format!("shift {} / bound 2^{} too large", r.shift, r.bits)));
                    }
                }
                QOp::Mul(m) => {
                    if node.inputs.len() != 2 || m.a_index.len() != out_len || m.b_index.len() != out_len {
                        return Err(here("mul takes two inputs and one index pair per output".into()));
                    }
                    let (a, b) = (len(node.inputs[0]), len(node.inputs[1]));
                    if m.a_index.iter().any(|&j| j as usize >= a) || m.b_index.iter().any(|&j| j as usize >= b) {
                        return Err(here("mul index out of range".into()));
                    }
                }
                QOp::Div(d) => {
                    if node.inputs.len() != 2 || d.a_index.len() != out_len || d.b_index.len() != out_len {
                        return Err(here("div takes two inputs and one index pair per output".into()));
                    }
                    let (a, b) = (len(node.inputs[0]), len(node.inputs[1]));
                    if d.a_index.iter().any(|&j| j as usize >= a) || d.b_index.iter().any(|&j| j as usize >= b) {
                        return Err(here("div index out of range".into()));
                    }
                    if d.shift > MAX_SHIFT || d.den_bits > MAX_SHIFT || d.quot_bits > MAX_SHIFT {
                        return Err(here(format!("div shift {} or its bounds too large", d.shift)));
                    }
                }
                QOp::Table(t) => {
                    if node.inputs.len() != 1 || len(node.inputs[0]) != out_len {
                        return Err(here("table takes one input of the output's length".into()));
                    }
                    if t.bits > MAX_TABLE_BITS || t.in_scale > MAX_SHIFT || t.out_scale > MAX_SHIFT {
                        return Err(here(format!("table domain 2^{} or its scales too large", t.bits)));
                    }
                }
                QOp::Gather(g) => {
                    if node.inputs.len() != 1 || g.index.len() != out_len {
                        return Err(here("gather takes one input and one index per output".into()));
                    }
                    if g.index.iter().any(|&j| j as usize >= len(node.inputs[0])) {
                        return Err(here("gather index out of range".into()));
                    }
                }
            }
            defined[node.output] = true;
        }
        if let Some(s) = self.outputs.iter().find(|s| !defined[s.tensor]) {
            return bad(format!("output tensor {} is never computed", s.tensor));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::{DType, GatherOp, IoSpec, ParamVisibility, QGraph, QNode, QOp, QTensor, RequantOp, Visibility};

    fn graph() -> QGraph {
        let t = |len: usize| QTensor { name: "t".into(), shape: vec![len], scale: 4 };
        QGraph {
            tensors: vec![t(3), t(3), t(2)],
            nodes: vec![
                QNode {
                    name: "rc".into(),
                    op: QOp::Requant(RequantOp { shift: 0, relu: false, bits: 8 }),
                    inputs: vec![0],
                    output: 1,
                },
                QNode { name: "g".into(), op: QOp::Gather(GatherOp { index: vec![2, 0] }), inputs: vec![1], output: 2 },
            ],
            inputs: vec![IoSpec { tensor: 0, dtype: DType::F32, visibility: Visibility::Private, bits: 8 }],
            outputs: vec![IoSpec { tensor: 2, dtype: DType::F32, visibility: Visibility::Public, bits: 0 }],
            params: ParamVisibility::Fixed,
        }
    }

    #[test]
    fn accepts_a_consistent_graph_and_names_each_inconsistency() {
        assert!(graph().validate().is_ok());

        let mut g = graph();
        g.nodes[1].op = QOp::Gather(GatherOp { index: vec![3, 0] });
        assert!(g.validate().unwrap_err().to_string().contains("gather index out of range"));

        let mut g = graph();
        g.nodes.swap(0, 1);
        assert!(g.validate().unwrap_err().to_string().contains("not yet defined"));

        let mut g = graph();
        g.nodes[0].op = QOp::Requant(RequantOp { shift: 200, relu: false, bits: 8 });
        assert!(g.validate().unwrap_err().to_string().contains("too large"));

        let mut g = graph();
        g.outputs[0].tensor = 9;
        assert!(g.validate().is_err());
    }
}
