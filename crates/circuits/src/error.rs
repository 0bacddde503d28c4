//! Errors of the circuit crate.

use thiserror::Error;

/// Everything that can go wrong turning a [`zkinfer_graph::QGraph`] into a circuit.
#[derive(Debug, Error)]
pub enum CircuitError {
    /// The circuit needs more usable rows than `2^k` provides.
    #[error("circuit needs {needed} usable rows but k={k} gives only {available}")]
    NotEnoughRows {
        /// Usable rows the circuit needs.
        needed: usize,
        /// The circuit's `k`.
        k: u32,
        /// Usable rows at that `k`.
        available: usize,
    },
    /// No layout fits under the largest allowed `k`.
    #[error("no layout fits in k <= {max_k}: the smallest needs {needed} rows")]
    TooLarge {
        /// Usable rows the smallest layout needs.
        needed: usize,
        /// The largest `k` allowed.
        max_k: u32,
    },
    /// The graph does not start with the range checks of its inputs (node `i`: a `Requant` with
    /// shift 0 of input `i`).
    #[error("the first nodes must be shift-0 Requants of the inputs, one each, in order (the input range checks)")]
    InputNotRangeChecked,
    /// No input of this index.
    #[error("the model has no input #{0}")]
    NoSuchInput(usize),
    /// No output of this index.
    #[error("the model has no output #{0}")]
    NoSuchOutput(usize),
    /// A node reads a tensor that no earlier node produced.
    #[error("node '{node}' reads tensor {tensor} before it is produced")]
    UndefinedTensor {
        /// The node's name.
        node: String,
        /// The tensor's index in the graph.
        tensor: usize,
    },
    /// A node's shape data is inconsistent (index out of range, wrong lengths).
    #[error("node '{node}' is malformed: {reason}")]
    MalformedNode {
        /// The node's name.
        node: String,
        /// What is inconsistent.
        reason: String,
    },
    /// A requant range needs more limbs than the plan provides.
    #[error("node '{node}' needs {needed} range-check limbs but the plan has {limbs}")]
    NotEnoughLimbs {
        /// The node's name.
        node: String,
        /// Limbs the node's range check needs.
        needed: usize,
        /// Limbs per range check in the plan.
        limbs: usize,
    },
    /// The graph has `Mul` nodes but the plan configured no multiplication lanes.
    #[error("graph has Mul nodes but the plan has no multiplication lanes")]
    NoMulLanes,
    /// The graph has `Table` nodes but the plan configured no lookup chip.
    #[error("graph has lookup-table nodes but the plan has no lookup chip")]
    NoLookupTable,
    /// The plan's visibility flags differ from the graph's.
    #[error("plan was made for different visibility settings than the graph's")]
    VisibilityMismatch,
    /// A chip took other rows for a node than the planner counted (a bug in the chip's file:
    /// its `rows` and its assignment disagree).
    #[error("node '{node}' took {taken} but the planner counted {planned}")]
    RowCount {
        /// The node's name.
        node: String,
        /// The rows the planner counted, per chip.
        planned: String,
        /// The rows the chips took, per chip.
        taken: String,
    },
    /// The witness does not match the graph (wrong number of tensors or values).
    #[error("witness does not match the graph: {0}")]
    WitnessMismatch(String),
}
