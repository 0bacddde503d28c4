//! The f32 graph: typed ops over statically shaped tensors.

use std::fmt::Debug;

use ndarray::ArrayD;

use crate::error::{GraphError, OpError, OpResult};
use crate::quant::lower::{LValue, LowerCtx};
use crate::{DType, Result};

/// The most elements one value of a graph may hold (2^26: 256 MiB of f32), far past what a
/// circuit can prove.
pub const MAX_VALUE_LEN: usize = 1 << 26;

/// An f32 tensor (row-major, static shape).
pub type Tensor = ArrayD<f32>;

/// Index of a value (tensor) in a [`Graph`].
pub type ValueId = usize;

/// One op kind. Implementations live one per file under [`crate::ops`]; the ONNX importer's
/// registry is the only place that maps op-type strings to them.
pub trait Op: Debug + Send + Sync {
    /// Op type for messages (the ONNX op type, e.g. `"Gemm"`).
    fn name(&self) -> &'static str;
    /// Output shape from the input shapes (constant inputs included, in ONNX input order).
    fn output_shape(&self, inputs: &[&[usize]]) -> OpResult<Vec<usize>>;
    /// f32 reference evaluation.
    fn eval(&self, inputs: &[&Tensor]) -> OpResult<Tensor>;
    /// Lowers this op to integer primitives. `inputs` are the op's inputs in ONNX order:
    /// constants stay f32 ([`LValue::Const`]) so the op can fold them into weights.
    fn lower(&self, ctx: &mut LowerCtx, inputs: &[LValue]) -> OpResult<LValue>;
    /// This op with the `masked` elements of its input (flat, of `shape`) driven to the limit a
    /// constant mask of `fill` or lower gives them (see [`crate::fold_masks`]); `None` for an
    /// op that takes no mask.
    fn with_mask(&self, shape: &[usize], masked: Vec<bool>, fill: f32) -> Option<OpResult<Box<dyn Op>>> {
        let _ = (shape, masked, fill);
        None
    }

    /// This op taking, as a second input, a computed mask of its first (`keep`: 1 where kept,
    /// or 1 where masked when `invert`) in place of a constant fill at or below
    /// [`crate::MASK_BELOW`] (see [`crate::fold_masks`]); `None` for an op that takes no mask.
    fn with_keep(&self, invert: bool) -> Option<Box<dyn Op>> {
        let _ = invert;
        None
    }

    /// Whether this op passes its first input through unchanged (`Identity`, a `Cast` to
    /// float): a mask ahead of it masks what it feeds (see [`crate::fold_masks`]).
    fn passes_through(&self) -> bool {
        false
    }
}

/// Name and static shape of a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueInfo {
    /// The value's name (its ONNX name).
    pub name: String,
    /// The value's static shape.
    pub shape: Vec<usize>,
}

/// One op application; every op has exactly one output value.
#[derive(Debug)]
pub struct Node {
    /// The node's name (for messages).
    pub name: String,
    /// The op it applies.
    pub op: Box<dyn Op>,
    /// The values it reads, in ONNX input order (constants included).
    pub inputs: Vec<ValueId>,
    /// The value it defines.
    pub output: ValueId,
}

/// A model: its inputs and outputs (in order), nodes in topological order, constants folded.
#[derive(Debug)]
pub struct Graph {
    /// Name and shape of every value, indexed by [`ValueId`].
    pub values: Vec<ValueInfo>,
    /// Constant value per [`ValueId`] (initializers and everything folded from them).
    pub consts: Vec<Option<Tensor>>,
    /// The nodes left after constant folding, in topological order.
    pub nodes: Vec<Node>,
    /// The model inputs, in order.
    pub inputs: Vec<ValueId>,
    /// The number type of each model input, in order (an integer input is taken exactly, at
    /// scale 0).
    pub input_dtypes: Vec<DType>,
    /// The model outputs, in order.
    pub outputs: Vec<ValueId>,
}

/// Builds a [`Graph`] node by node, inferring shapes and folding constants as it goes.
#[derive(Debug, Default)]
pub struct GraphBuilder {
    values: Vec<ValueInfo>,
    consts: Vec<Option<Tensor>>,
    nodes: Vec<Node>,
    inputs: Vec<ValueId>,
    input_dtypes: Vec<DType>,
}

impl GraphBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    fn push_value(&mut self, name: &str, shape: Vec<usize>, value: Option<Tensor>) -> ValueId {
        self.values.push(ValueInfo { name: name.to_string(), shape });
        self.consts.push(value);
        self.values.len() - 1
    }

    /// Declares the next model input, of real numbers.
    pub fn input(&mut self, name: &str, shape: Vec<usize>) -> ValueId {
        self.typed_input(name, shape, DType::F32)
    }

    /// Declares the next model input, of number type `dtype`.
    pub fn typed_input(&mut self, name: &str, shape: Vec<usize>, dtype: DType) -> ValueId {
        let id = self.push_value(name, shape, None);
        self.inputs.push(id);
        self.input_dtypes.push(dtype);
        id
    }

    /// Adds a constant (an initializer or a `Constant` node's value).
    pub fn constant(&mut self, name: &str, value: Tensor) -> ValueId {
        let shape = value.shape().to_vec();
        self.push_value(name, shape, Some(value))
    }

    /// Shape of a value already in the graph.
    pub fn shape(&self, id: ValueId) -> &[usize] {
        &self.values[id].shape
    }

    /// Constant value, if `id` is a constant.
    pub fn const_value(&self, id: ValueId) -> Option<&Tensor> {
        self.consts[id].as_ref()
    }

    /// Adds a node; if all its inputs are constants it is evaluated now and becomes a constant.
    /// An output past [`MAX_VALUE_LEN`] elements is refused (chained Gathers multiply their
    /// index shapes: a malformed model could ask for billions of elements).
    pub fn node(&mut self, name: &str, op: Box<dyn Op>, inputs: Vec<ValueId>, output_name: &str) -> Result<ValueId> {
        let wrap = |source| GraphError::Node { node: name.to_string(), op: op.name().to_string(), source };
        let shapes: Vec<&[usize]> = inputs.iter().map(|&i| self.values[i].shape.as_slice()).collect();
        let shape = op.output_shape(&shapes).map_err(wrap)?;
        let len = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
        if len.is_none_or(|n| n > MAX_VALUE_LEN) {
            return Err(wrap(OpError::Unsupported(format!(
                "an output of shape {shape:?} holds more than {MAX_VALUE_LEN} elements"
            ))));
        }
        // A value with no elements has one possible value, whatever the inputs: a constant.
        if shape.contains(&0) {
            let value = Tensor::zeros(shape.clone());
            return Ok(self.push_value(output_name, shape, Some(value)));
        }
        let const_inputs: Option<Vec<&Tensor>> = inputs.iter().map(|&i| self.consts[i].as_ref()).collect();
        if let Some(values) = const_inputs {
            let value = op.eval(&values).map_err(wrap)?;
            return Ok(self.push_value(output_name, shape, Some(value)));
        }
        let output = self.push_value(output_name, shape, None);
        self.nodes.push(Node { name: name.to_string(), op, inputs, output });
        Ok(output)
    }

    /// Finishes a graph with one output.
    pub fn finish(self, output: ValueId) -> Result<Graph> {
        self.finish_outputs(vec![output])
    }

    /// Finishes the graph with `outputs` as its results, in order.
    pub fn finish_outputs(self, outputs: Vec<ValueId>) -> Result<Graph> {
        if self.inputs.is_empty() {
            return Err(GraphError::NoInput);
        }
        Ok(Graph {
            values: self.values,
            consts: self.consts,
            nodes: self.nodes,
            inputs: self.inputs,
            input_dtypes: self.input_dtypes,
            outputs,
        })
    }
}

impl Graph {
    /// Shape of input `index`.
    pub fn input_shape(&self, index: usize) -> &[usize] {
        &self.values[self.inputs[index]].shape
    }

    /// Shape of output `index`.
    pub fn output_shape(&self, index: usize) -> &[usize] {
        &self.values[self.outputs[index]].shape
    }

    /// Checks flat input `index` (length, finiteness) and shapes it.
    pub fn shape_input(&self, index: usize, data: &[f32]) -> Result<Tensor> {
        let shape = self.input_shape(index).to_vec();
        let expected: usize = shape.iter().product();
        if data.len() != expected {
            return Err(GraphError::InputLength { expected, got: data.len(), shape });
        }
        if let Some((index, &value)) = data.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(GraphError::NonFiniteInput { index, value });
        }
        ArrayD::from_shape_vec(shape, data.to_vec()).map_err(|e| GraphError::InputData(e.to_string()))
    }

    /// f32 reference evaluation on one flat vector per input; returns every value (constants
    /// included), indexed by [`ValueId`].
    pub fn eval_all(&self, inputs: &[&[f32]]) -> Result<Vec<Option<Tensor>>> {
        if inputs.len() != self.inputs.len() {
            return Err(GraphError::InputCount { expected: self.inputs.len(), got: inputs.len() });
        }
        let mut values = self.consts.clone();
        for (index, (&id, data)) in self.inputs.iter().zip(inputs).enumerate() {
            values[id] = Some(self.shape_input(index, data)?);
        }
        for node in &self.nodes {
            let args = node
                .inputs
                .iter()
                .map(|&i| values[i].as_ref().ok_or_else(|| GraphError::UndefinedValue(self.values[i].name.clone())))
                .collect::<Result<Vec<_>>>()?;
            let out = node.op.eval(&args).map_err(|source| GraphError::Node {
                node: node.name.clone(),
                op: node.op.name().to_string(),
                source,
            })?;
            values[node.output] = Some(out);
        }
        Ok(values)
    }

    /// f32 reference evaluation of every output, in order.
    pub fn eval_outputs(&self, inputs: &[&[f32]]) -> Result<Vec<Tensor>> {
        let mut values = self.eval_all(inputs)?;
        self.outputs
            .iter()
            .map(|&o| values[o].take().ok_or_else(|| GraphError::UndefinedValue(self.values[o].name.clone())))
            .collect()
    }

    /// [`Graph::eval_outputs`] of a model with one input and one output.
    pub fn eval(&self, input: &[f32]) -> Result<Tensor> {
        match self.outputs.len() {
            1 => Ok(self.eval_outputs(&[input])?.remove(0)),
            n => Err(GraphError::OutputCount { expected: 1, got: n }),
        }
    }

    /// Number of consumers of each value (each graph output counts as one).
    pub fn use_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.values.len()];
        for node in &self.nodes {
            for &i in &node.inputs {
                counts[i] += 1;
            }
        }
        for &o in &self.outputs {
            counts[o] += 1;
        }
        counts
    }
}
