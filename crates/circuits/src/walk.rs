//! Witness and fixed-data assignment: walks the graph once, in node order, and writes every
//! cell through a [`Sink`] (the halo2 region, or a recorder that lists the advice cells).
//!
//! Each primitive is laid out by its chip's file (`chips/`), through [`NodeLayout`]: the rows
//! it takes (which the planner sizes the circuit by) and its assignment. Each chip fills its
//! own columns from its own row counter, so dot, requant, product and lookup rows run side by
//! side; the circuit needs the largest count. After every node the walker checks that the rows
//! it used are the rows the planner counted.

use halo2_axiom::circuit::Value;
use zkinfer_graph::{InstanceLayout, InstanceRole, QGraph, QNode, QOp, Witness};

use crate::chips::requant::RequantAdvice;
pub(crate) use crate::chips::{AdviceRef, ChipRows, FixedRef, SelRef};
use crate::plan::CONST_ROWS;
use crate::{CircuitError, CircuitPlan, Fr};

/// An assigned advice cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Loc {
    pub col: AdviceRef,
    pub row: usize,
}

/// Where assignments go.
pub(crate) trait Sink {
    fn advice(&mut self, col: AdviceRef, row: usize, v: Value<Fr>) -> Loc;
    /// Only non-zero fixed values are written (unassigned fixed cells are zero).
    fn fixed(&mut self, col: FixedRef, row: usize, v: Fr);
    fn enable(&mut self, s: SelRef, row: usize);
    fn copy(&mut self, a: Loc, b: Loc);
    fn constant(&mut self, a: Loc, v: Fr);
}

/// Field element of a signed integer.
pub(crate) fn fe(v: i128) -> Fr {
    let mag = v.unsigned_abs();
    let x = Fr::from((mag >> 64) as u64) * Fr::from(1u64 << 32) * Fr::from(1u64 << 32) + Fr::from(mag as u64);
    if v < 0 {
        -x
    } else {
        x
    }
}

/// The model's input and output cells, and the cells bound to the instance column (a hashed
/// input's or output's hash cell in its place).
#[derive(Debug, Default)]
pub(crate) struct PublicCells {
    /// Each input's cells (its range check's inputs), in input order.
    pub inputs: Vec<Vec<Loc>>,
    /// Each output's cells, in output order.
    pub outputs: Vec<Vec<Loc>>,
    /// The cell of each public instance, in instance order ([`InstanceLayout::of`] the graph).
    pub instance: Vec<Loc>,
}

/// The shape of a plan that row counts depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LayoutShape {
    /// Dot chip inputs per row (`n`).
    pub dot_inputs: usize,
    /// Dot chip outputs per row (`m`).
    pub dot_outputs: usize,
    /// Requant rows per element (the limbs when stacked, else 1).
    pub requant_stride: usize,
}

impl LayoutShape {
    /// The shape of `plan`.
    pub fn of(plan: &CircuitPlan) -> Self {
        Self {
            dot_inputs: plan.dot_inputs.max(1),
            dot_outputs: plan.dot_outputs.max(1),
            requant_stride: plan.requant_stride(),
        }
    }
}

/// How one primitive sits in the halo2 circuit; implemented in its chip's file.
pub(crate) trait NodeLayout {
    /// What `node` (whose op is `self`) takes in each chip under `shape`: the planner's count,
    /// and what the walker checks its assignment against.
    fn rows(&self, q: &QGraph, node: &QNode, shape: LayoutShape) -> ChipRows;

    /// Lays `node` out; returns its output cells.
    fn assign<S: Sink>(&self, w: &mut Walker<'_, S>, node: &QNode) -> Result<Vec<Loc>, CircuitError>;
}

/// What `node` takes in each chip under `shape` (see [`NodeLayout::rows`]).
pub(crate) fn node_rows(q: &QGraph, node: &QNode, shape: LayoutShape) -> ChipRows {
    zkinfer_graph::with_primitive!(&node.op, op => op.rows(q, node, shape))
}

/// Elements of a node's first input.
pub(crate) fn input_len(q: &QGraph, node: &QNode) -> usize {
    node.inputs.first().and_then(|&t| q.tensors.get(t)).map_or(0, |t| t.len())
}

/// The graph walker.
pub(crate) struct Walker<'a, S: Sink> {
    pub q: &'a QGraph,
    pub plan: &'a CircuitPlan,
    pub known: bool,
    pub values: &'a [Vec<i64>],
    pub sink: S,
    pub cells: Vec<Option<Vec<Loc>>>,
    pub zero: Loc,
    pub one: Loc,
    /// A cell bound to each structural constant used so far (private-parameter layouts).
    pub consts: std::collections::HashMap<i64, Loc>,
    /// What the layout has taken of each chip so far: each chip's next row (product lanes
    /// counted one by one).
    pub taken: ChipRows,
    /// Hashed parameters: the cell of every parameter weight so far, then of every parameter
    /// bias, in [`QGraph::param_message`](zkinfer_graph::QGraph::param_message) order.
    pub param_weights: Vec<Loc>,
    pub param_biases: Vec<Loc>,
    pub usable: usize,
}

impl<'a, S: Sink> Walker<'a, S> {
    /// A witness value (unknown during keygen).
    pub fn val(&self, v: i128) -> Value<Fr> {
        if self.known {
            Value::known(fe(v))
        } else {
            Value::unknown()
        }
    }

    /// A witness field element (unknown during keygen).
    pub fn val_fe(&self, v: Fr) -> Value<Fr> {
        if self.known {
            Value::known(v)
        } else {
            Value::unknown()
        }
    }

    /// Fails when a chip's row counter passes the usable rows.
    pub fn check_row(&self, row: usize) -> Result<(), CircuitError> {
        if row >= self.usable {
            return Err(CircuitError::NotEnoughRows { needed: row + 1, k: self.plan.k, available: self.usable });
        }
        Ok(())
    }

    /// Cells of a tensor produced earlier.
    pub fn tensor_cells(&self, node: &str, t: usize) -> Result<&[Loc], CircuitError> {
        self.cells
            .get(t)
            .and_then(|c| c.as_deref())
            .ok_or_else(|| CircuitError::UndefinedTensor { node: node.to_string(), tensor: t })
    }
}

/// Walks the whole graph. `witness` None assigns unknown advice values (keygen).
pub(crate) fn assign<S: Sink>(
    q: &QGraph,
    plan: &CircuitPlan,
    witness: Option<&Witness>,
    usable: usize,
    mut sink: S,
) -> Result<(S, PublicCells), CircuitError> {
    let zeros: Vec<Vec<i64>>;
    let values: &[Vec<i64>] = match witness {
        Some(w) => {
            check_witness(q, w)?;
            &w.values
        }
        None => {
            zeros = q.tensors.iter().map(|t| vec![0; t.len()]).collect();
            &zeros
        }
    };
    let known = witness.is_some();
    if plan.params_fixed != q.params.is_fixed() {
        return Err(CircuitError::VisibilityMismatch);
    }
    if usable < CONST_ROWS {
        return Err(CircuitError::NotEnoughRows { needed: CONST_ROWS, k: plan.k, available: usable });
    }
    // The constant cells sit in the requant input column, on rows the requant gates skip.
    let v0 = if known { Value::known(Fr::from(0)) } else { Value::unknown() };
    let v1 = if known { Value::known(Fr::from(1)) } else { Value::unknown() };
    let zero = sink.advice(RequantAdvice::In.into(), 0, v0);
    let one = sink.advice(RequantAdvice::In.into(), 1, v1);
    sink.constant(zero, Fr::from(0));
    sink.constant(one, Fr::from(1));
    let range_rows = crate::plan::range_table_rows(q, plan.limb_bits);
    if range_rows > usable {
        return Err(CircuitError::NotEnoughRows { needed: range_rows, k: plan.k, available: usable });
    }
    if plan.lookup {
        let needed = crate::chips::lookup::table_rows(q);
        if needed > usable {
            return Err(CircuitError::NotEnoughRows { needed, k: plan.k, available: usable });
        }
    }

    let mut w = Walker {
        q,
        plan,
        known,
        values,
        sink,
        cells: vec![None; q.tensors.len()],
        zero,
        one,
        consts: [(0, zero), (1, one)].into_iter().collect(),
        taken: ChipRows { requant: CONST_ROWS, ..ChipRows::default() },
        param_weights: Vec::new(),
        param_biases: Vec::new(),
        usable,
    };
    let mut public = PublicCells::default();
    // Node `i < inputs` range-checks input `i`.
    for (i, spec) in q.inputs.iter().enumerate() {
        match q.nodes.get(i) {
            Some(n) if matches!(&n.op, QOp::Requant(r) if r.shift == 0) && n.inputs.first() == Some(&spec.tensor) => {}
            _ => return Err(CircuitError::InputNotRangeChecked),
        }
    }
    let shape = LayoutShape::of(plan);
    for (i, node) in q.nodes.iter().enumerate() {
        let before = w.taken;
        let out = match &node.op {
            QOp::Requant(op) if i < q.inputs.len() => {
                // Input `i`'s range check: its input cells are the model input's.
                let (ins, outs) = w.requant(node, op, true)?;
                w.cells[q.inputs[i].tensor] = Some(ins.clone());
                public.inputs.push(ins);
                outs
            }
            other => zkinfer_graph::with_primitive!(other, op => op.assign(&mut w, node)?),
        };
        if out.len() != q.tensors[node.output].len() {
            return Err(malformed(&node.name, "output length differs from the output tensor's"));
        }
        let planned = node_rows(q, node, shape);
        let taken = w.taken - before;
        if taken != planned {
            return Err(CircuitError::RowCount {
                node: node.name.clone(),
                planned: format!("{planned:?}"),
                taken: format!("{taken:?}"),
            });
        }
        w.cells[node.output] = Some(out);
    }
    w.finish_mul()?;
    for s in &q.outputs {
        public.outputs.push(w.tensor_cells("output", s.tensor)?.to_vec());
    }
    for s in &InstanceLayout::of(q).segments {
        let cells = match s.role {
            InstanceRole::Params => {
                let weights = std::mem::take(&mut w.param_weights);
                let mut cells = w.pack_weights(&weights, &q.param_message().weights)?;
                cells.append(&mut w.param_biases);
                cells
            }
            InstanceRole::Input | InstanceRole::Output => w.tensor_cells("public instance", s.tensor)?.to_vec(),
        };
        if s.hashed {
            let mut cells: Vec<Option<Loc>> = cells.into_iter().map(Some).collect();
            let values = crate::circuit::hashed_values(q, s, values);
            cells.resize(values.len(), None);
            let hash = w.poseidon_hash(&cells, &values)?;
            public.instance.push(hash);
        } else {
            public.instance.extend_from_slice(&cells);
        }
    }
    Ok((w.sink, public))
}

pub(crate) fn malformed(node: &str, reason: &str) -> CircuitError {
    CircuitError::MalformedNode { node: node.to_string(), reason: reason.to_string() }
}

fn check_witness(q: &QGraph, w: &Witness) -> Result<(), CircuitError> {
    if w.values.len() != q.tensors.len() {
        return Err(CircuitError::WitnessMismatch(format!(
            "{} tensors, graph has {}",
            w.values.len(),
            q.tensors.len()
        )));
    }
    for (i, (v, t)) in w.values.iter().zip(&q.tensors).enumerate() {
        if v.len() != t.len() {
            return Err(CircuitError::WitnessMismatch(format!(
                "tensor {i} ('{}') has {} values, expected {}",
                t.name,
                v.len(),
                t.len()
            )));
        }
    }
    Ok(())
}
