//! Exact integer evaluation: the values every circuit cell takes.

use super::{Fault, Operand, QGraph, QNode};
use crate::{GraphError, Result};

/// Integer value of every tensor of a [`QGraph`], indexed by `TensorId`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witness {
    /// The flat (row-major) integer values of each tensor, indexed by `TensorId`.
    pub values: Vec<Vec<i64>>,
}

impl Witness {
    /// Values of output `index` of the model.
    pub fn output<'a>(&'a self, graph: &QGraph, index: usize) -> &'a [i64] {
        &self.values[graph.outputs[index].tensor]
    }
}

impl QGraph {
    /// Evaluates every node on the quantized inputs (see [`QGraph::quantize_inputs`]), checking
    /// every range-checked value against its calibrated bound.
    pub fn eval_inputs(&self, inputs: Vec<Vec<i64>>) -> Result<Witness> {
        self.eval_inner(inputs, true)
    }

    /// [`QGraph::eval_inputs`] of a model with one input.
    pub fn eval(&self, input: Vec<i64>) -> Result<Witness> {
        self.eval_inputs(vec![input])
    }

    /// Like [`QGraph::eval_inputs`] but without range checks (used by calibration to find the
    /// ranges).
    pub(crate) fn eval_inner(&self, inputs: Vec<Vec<i64>>, check: bool) -> Result<Witness> {
        if inputs.len() != self.inputs.len() {
            return Err(GraphError::InputCount { expected: self.inputs.len(), got: inputs.len() });
        }
        let mut values: Vec<Vec<i64>> = vec![Vec::new(); self.tensors.len()];
        for (spec, input) in self.inputs.iter().zip(inputs) {
            let t = &self.tensors[spec.tensor];
            if input.len() != t.len() {
                return Err(GraphError::InputLength { expected: t.len(), got: input.len(), shape: t.shape.clone() });
            }
            values[spec.tensor] = input;
        }
        for node in &self.nodes {
            let inputs = node_inputs(node, &values);
            let op = node.op.primitive();
            let out = op.eval(&inputs).map_err(|f| self.fault(node, f))?;
            if let Some(bounds) = op.bounds().filter(|_| check) {
                bounds.check(&inputs, &out).map_err(|f| self.fault(node, f))?;
            }
            values[node.output] = out;
        }
        Ok(Witness { values })
    }

    /// The error for a primitive's fault at `node`, naming the tensor.
    fn fault(&self, node: &QNode, fault: Fault) -> GraphError {
        let tensor = |at: Operand| match at {
            Operand::Input(i) => node.inputs.get(i).copied().unwrap_or(node.output),
            Operand::Output => node.output,
        };
        let real = |t: usize, value: i64| value as f64 / (1u64 << self.tensors[t].scale.min(62)) as f64;
        match fault {
            Fault::Overflow => GraphError::Overflow { node: node.name.clone() },
            Fault::Arity { expected, got } => GraphError::InvalidQGraph(format!(
                "node '{}' has {got} inputs, its primitive takes {expected}",
                node.name
            )),
            Fault::NonPositiveDivisor { input, value } => {
                let t = tensor(Operand::Input(input));
                GraphError::NonPositiveDivisor { tensor: self.tensors[t].name.clone(), value, real: real(t, value) }
            }
            Fault::OutsideTable { value, real, lo, hi } => {
                GraphError::OutsideTable { tensor: self.tensors[node.output].name.clone(), value, real, lo, hi }
            }
            Fault::OutOfRange { at, value, bits } => {
                let t = tensor(at);
                GraphError::OutOfRange { tensor: self.tensors[t].name.clone(), value, bits, real: real(t, value) }
            }
        }
    }
}

/// The input tensors of `node`, in order.
pub(crate) fn node_inputs<'a>(node: &QNode, values: &'a [Vec<i64>]) -> Vec<&'a [i64]> {
    node.inputs.iter().map(|&t| values[t].as_slice()).collect()
}
