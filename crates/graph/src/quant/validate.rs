//! Structural checks of a [`QGraph`] read from disk: every index in range, every length consistent,
//! nodes in evaluation order — so evaluation and circuit layout can index without panicking. Each
//! primitive checks its own data ([`crate::Primitive::validate`]).

use super::primitives::MAX_SHIFT;
use super::QGraph;
use crate::{GraphError, Result};

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
        if self.params == super::ParamVisibility::Hashed {
            if let Some((node, w)) = self.unpackable_weight() {
                return bad(format!(
                    "node '{node}': weight {w} is outside [{}, {}], the {}-bit range hashed parameters \
                     pack; quantize with a smaller weight_bits, or use fixed or private parameters",
                    -super::PACK_OFFSET,
                    super::PACK_OFFSET - 1,
                    super::PACK_BITS
                ));
            }
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
            let input_lens: Vec<usize> = node.inputs.iter().map(|&t| self.tensors[t].len()).collect();
            node.op.primitive().validate(&input_lens, self.tensors[node.output].len()).map_err(here)?;
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
            param_salt: None,
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

    #[test]
    fn hashed_parameters_refuse_a_weight_the_packing_cannot_hold() {
        use crate::{LinearOp, LinearParams, PACK_OFFSET};
        let mut g = graph();
        let mut op = LinearOp::single_channel(3, 1, vec![Some(0), Some(1), Some(2)], vec![PACK_OFFSET]);
        op.params = LinearParams::All;
        g.nodes[0] = QNode { name: "fc".into(), op: QOp::Linear(op), inputs: vec![0], output: 1 };
        assert!(g.validate().is_ok(), "fixed parameters hold any weight");
        g.params = ParamVisibility::Hashed;
        let e = g.validate().unwrap_err().to_string();
        assert!(e.contains("node 'fc': weight 131072 is outside [-131072, 131071]"), "{e}");
        if let QOp::Linear(op) = &mut g.nodes[0].op {
            op.weight[0] = -PACK_OFFSET;
        }
        assert!(g.validate().is_ok());
    }
}
