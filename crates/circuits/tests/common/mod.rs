//! Hand-built quantized graphs and MockProver helpers shared by the integration tests.
#![allow(dead_code)]

use std::sync::Arc;

use halo2_axiom::dev::{AdviceCellValue, FailureLocation, MockProver, VerifyFailure};
use halo2_axiom::plonk::{Circuit, ConstraintSystem};
use zkinfer_circuits::{
    plan_circuit, public_instances, AdviceRef, CellOverride, CircuitPlan, Fr, ModelCircuit, PlanOptions,
};
use zkinfer_graph::{
    BoundFit, DType, DivOp, IoSpec, LinearOp, LinearParams, Magnitudes, MulOp, ParamVisibility, QGraph, QNode, QOp,
    QTensor, RequantOp, TableFn, TableOp, Visibility, VisibilityConfig, Witness,
};

/// Builds a graph node by node; tensor 0 is the input, node 0 its range check.
pub struct Builder {
    tensors: Vec<QTensor>,
    nodes: Vec<QNode>,
}

impl Builder {
    /// A graph whose input has `len` values; returns the builder and the range-checked input.
    pub fn new(len: usize) -> (Self, usize) {
        let mut b = Self { tensors: Vec::new(), nodes: Vec::new() };
        let x = b.tensor(len);
        let checked = b.node(QOp::Requant(RequantOp { shift: 0, relu: false, bits: 0 }), vec![x], len);
        (b, checked)
    }

    fn tensor(&mut self, len: usize) -> usize {
        self.tensors.push(QTensor { name: format!("t{}", self.tensors.len()), shape: vec![len], scale: 0 });
        self.tensors.len() - 1
    }

    /// Appends a node with a fresh output tensor of `len` values.
    pub fn node(&mut self, op: QOp, inputs: Vec<usize>, len: usize) -> usize {
        let output = self.tensor(len);
        self.nodes.push(QNode { name: format!("n{}", self.nodes.len()), op, inputs, output });
        output
    }

    /// Dense layer: `out[o] = b[o] + Σ_i w[o * in + i] * x[i]`.
    pub fn dense(&mut self, x: usize, w: Vec<i64>, b: Vec<i64>) -> usize {
        let terms = self.tensors[x].shape[0];
        let channels = b.len();
        let op = LinearOp {
            positions: 1,
            channels,
            terms,
            index: (0..terms as u32).map(Some).collect(),
            weight: w,
            bias: b,
            pos_stride: channels,
            chan_stride: 1,
            params: LinearParams::All,
        };
        self.node(QOp::Linear(op), vec![x], channels)
    }

    /// Any Linear op.
    pub fn linear(&mut self, x: usize, op: LinearOp) -> usize {
        let len = op.positions * op.channels;
        self.node(QOp::Linear(op), vec![x], len)
    }

    /// Rescale (+ReLU); bits are set by [`calibrate`].
    pub fn requant(&mut self, x: usize, shift: u32, relu: bool) -> usize {
        let len = self.tensors[x].shape[0];
        self.node(QOp::Requant(RequantOp { shift, relu, bits: 0 }), vec![x], len)
    }

    /// Lookup of `func` from scale `in_scale` to `out_scale`; the domain is set by [`calibrate`].
    pub fn table(&mut self, x: usize, func: TableFn, in_scale: u32, out_scale: u32) -> usize {
        let len = self.tensors[x].shape[0];
        self.node(QOp::Table(TableOp { func, in_scale, out_scale, bits: 0 }), vec![x], len)
    }

    /// Elementwise product `a[i] * b[len-1-i]`.
    pub fn mul_rev(&mut self, a: usize, b: usize) -> usize {
        let len = self.tensors[a].shape[0];
        let op = MulOp { a_index: (0..len as u32).collect(), b_index: (0..len as u32).rev().collect() };
        self.node(QOp::Mul(op), vec![a, b], len)
    }

    /// Elementwise rounded quotient `round(a[i] * 2^shift / b[i])`; bounds are set by [`calibrate`].
    pub fn div(&mut self, a: usize, b: usize, shift: u32) -> usize {
        let len = self.tensors[a].shape[0];
        let index: Vec<u32> = (0..len as u32).collect();
        let op = DivOp { a_index: index.clone(), b_index: index, shift, den_bits: 0, quot_bits: 0 };
        self.node(QOp::Div(op), vec![a, b], len)
    }

    /// The graph with `output` as its output, calibrated on `inputs`.
    pub fn finish(self, output: usize, visibility: VisibilityConfig, inputs: &[Vec<i64>]) -> QGraph {
        let mut q = self.finish_bounded(output, visibility, 0);
        calibrate(&mut q, inputs);
        q
    }

    /// The graph with `output` as its output and the bounds the nodes were built with (the
    /// input's is `input_bits`).
    pub fn finish_bounded(self, output: usize, visibility: VisibilityConfig, input_bits: u32) -> QGraph {
        let spec = |tensor, visibility, bits| IoSpec { tensor, dtype: DType::F32, visibility, bits };
        QGraph {
            tensors: self.tensors,
            nodes: self.nodes,
            inputs: vec![spec(0, visibility.inputs.resolve(1, "input").expect("one input")[0], input_bits)],
            outputs: vec![spec(output, visibility.outputs.resolve(1, "output").expect("one output")[0], 0)],
            params: visibility.params,
            param_salt: None,
        }
    }
}

/// Sets every requant bound and table domain to the smallest that holds the values seen on
/// `inputs` (each primitive's own `observe` and `fit`, with no margin).
pub fn calibrate(q: &mut QGraph, inputs: &[Vec<i64>]) {
    for n in &mut q.nodes {
        match &mut n.op {
            QOp::Requant(r) => r.bits = 40,
            QOp::Table(t) => t.bits = 30,
            QOp::Div(d) => (d.den_bits, d.quot_bits) = (40, 40),
            QOp::Linear(_) | QOp::Mul(_) | QOp::Gather(_) => {}
        }
    }
    let mut seen = vec![Magnitudes::default(); q.nodes.len()];
    for x in inputs {
        let w = q.eval(x.clone()).expect("eval with loose bounds");
        for (n, seen) in q.nodes.iter().zip(&mut seen) {
            let ins: Vec<&[i64]> = n.inputs.iter().map(|&t| w.values[t].as_slice()).collect();
            if let Some(bounds) = n.op.primitive().bounds() {
                *seen = seen.max(bounds.observe(&ins, &w.values[n.output]));
            }
        }
    }
    let fit = BoundFit { margin: 1.0, table_bits: 63 };
    for (n, seen) in q.nodes.iter_mut().zip(seen) {
        if let Some(bounds) = n.op.primitive_mut().bounds_mut() {
            bounds.fit(seen, &fit);
        }
    }
    q.inputs[0].bits = match &q.nodes[0].op {
        QOp::Requant(r) => r.bits,
        _ => 0,
    };
}

/// Visibility shorthand.
pub fn vis(input: Visibility, params: ParamVisibility, output: Visibility) -> VisibilityConfig {
    VisibilityConfig::new(input, params, output)
}

/// Small plans for MockProver: limbs of at most 6 bits.
pub fn small_plan(q: &QGraph) -> CircuitPlan {
    let opts = PlanOptions { max_limb_bits: 6, ..PlanOptions::default() };
    plan_circuit(q, &opts).expect("plan")
}

/// [`small_plan`] with the Poseidon chip's partial rounds two to a row, or one.
pub fn small_plan_paired(q: &QGraph, pairs: bool) -> CircuitPlan {
    let opts = PlanOptions { max_limb_bits: 6, poseidon_pairs: Some(pairs), ..PlanOptions::default() };
    plan_circuit(q, &opts).expect("plan")
}

/// [`small_plan`] with the range-check limbs stacked in rows or side by side in columns.
pub fn small_plan_stacked(q: &QGraph, stacked: bool) -> CircuitPlan {
    let opts = PlanOptions { max_limb_bits: 6, stacked_limbs: Some(stacked), ..PlanOptions::default() };
    plan_circuit(q, &opts).expect("plan")
}

/// Runs MockProver with the honest instances (or `instance` if given).
pub fn mock(
    q: &QGraph,
    p: &CircuitPlan,
    w: &Witness,
    overrides: Vec<CellOverride>,
    instance: Option<Vec<Fr>>,
) -> Result<(), Vec<VerifyFailure>> {
    let c = ModelCircuit::new(Arc::new(q.clone()), p.clone(), Some(Arc::new(w.clone()))).with_overrides(overrides);
    let inst = instance.unwrap_or_else(|| public_instances(q, w));
    let prover = MockProver::run(p.k, &c, vec![inst]).expect("mock run");
    prover.verify()
}

/// Runs MockProver and returns the value of every requested advice cell.
pub fn mock_values(q: &QGraph, p: &CircuitPlan, w: &Witness, cells: &[(AdviceRef, usize)]) -> Vec<Fr> {
    let c = ModelCircuit::new(Arc::new(q.clone()), p.clone(), Some(Arc::new(w.clone())));
    let prover = MockProver::run(p.k, &c, vec![public_instances(q, w)]).expect("mock run");
    assert_eq!(prover.verify(), Ok(()));
    let mut cs = ConstraintSystem::<Fr>::default();
    let cfg = ModelCircuit::configure_with_params(&mut cs, p.clone());
    cells
        .iter()
        .map(|&(r, row)| {
            let col = cfg.advice_column(r).expect("column");
            match &prover.advice_values(col)[row] {
                AdviceCellValue::Assigned(a) => a.evaluate(),
                AdviceCellValue::Poison(_) => panic!("poisoned cell"),
            }
        })
        .collect()
}

/// Field element of a signed integer.
pub fn fe(v: i64) -> Fr {
    if v < 0 {
        -Fr::from(v.unsigned_abs())
    } else {
        Fr::from(v as u64)
    }
}

/// Which failure kinds occurred.
#[derive(Debug, Default, PartialEq)]
pub struct Kinds {
    pub constraint: bool,
    pub lookup: bool,
    pub permutation: bool,
    pub other: bool,
}

/// Classifies MockProver failures (panics if it accepted).
pub fn kinds(r: Result<(), Vec<VerifyFailure>>) -> Kinds {
    let failures = r.expect_err("tampered witness must be rejected");
    let mut k = Kinds::default();
    for f in failures {
        match f {
            VerifyFailure::ConstraintNotSatisfied { .. } => k.constraint = true,
            VerifyFailure::Lookup { .. } => k.lookup = true,
            VerifyFailure::Permutation { .. } => k.permutation = true,
            _ => k.other = true,
        }
    }
    k
}

/// A two-layer MLP `in -> hidden (relu) -> out` with deterministic small weights.
pub fn mlp(input: usize, hidden: usize, out: usize, v: VisibilityConfig, inputs: &[Vec<i64>]) -> QGraph {
    let (mut b, x) = Builder::new(input);
    let w1: Vec<i64> = (0..hidden * input).map(|i| ((i * 37 + 11) % 61) as i64 - 30).collect();
    let b1: Vec<i64> = (0..hidden).map(|i| (i as i64 * 13) % 41 - 20).collect();
    let h = b.dense(x, w1, b1);
    let h = b.requant(h, 4, true);
    let w2: Vec<i64> = (0..out * hidden).map(|i| ((i * 29 + 5) % 53) as i64 - 26).collect();
    let b2: Vec<i64> = (0..out).map(|i| (i as i64 * 7) % 19 - 9).collect();
    let y = b.dense(h, w2, b2);
    let y = b.requant(y, 3, false);
    b.finish(y, v, inputs)
}

/// One MockProver failure, reduced to what a chip test asserts: which gate, lookup or copy
/// constraint, and on which row (the model is one region from row 0, so a region offset is
/// the row).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Failure {
    /// Polynomial `index` of the gate named `gate` is not zero at `row`.
    Gate { gate: String, index: usize, row: usize },
    /// The lookup named `name` finds no table row for its input at `row`.
    Lookup { name: String, row: usize },
    /// A copy constraint (an equality or an instance binding) is broken at `row` of `column`.
    Copy { column: String, row: usize },
    /// Anything else (unassigned cells, poisoned constraints).
    Other(String),
}

/// A gate failure, for comparisons.
pub fn gate(gate: &str, index: usize, row: usize) -> Failure {
    Failure::Gate { gate: gate.to_string(), index, row }
}

/// A lookup failure, for comparisons.
pub fn lookup(name: &str, row: usize) -> Failure {
    Failure::Lookup { name: name.to_string(), row }
}

fn row_of(location: &FailureLocation) -> usize {
    match location {
        FailureLocation::InRegion { offset, .. } => *offset,
        FailureLocation::OutsideRegion { row } => *row,
    }
}

/// The failures of a rejected witness, sorted and without repeats (panics if it was accepted).
pub fn failures(r: Result<(), Vec<VerifyFailure>>) -> Vec<Failure> {
    let mut out: Vec<Failure> = r
        .expect_err("tampered witness must be rejected")
        .into_iter()
        .map(|f| match &f {
            VerifyFailure::ConstraintNotSatisfied { constraint, location, .. } => {
                // "Constraint {index}[ ('name')] in gate {gate index} ('{gate name}')"
                let text = constraint.to_string();
                let index = text["Constraint ".len()..].split(|c: char| !c.is_ascii_digit()).next().unwrap_or("");
                let name = text.rsplit("('").next().unwrap_or("").trim_end_matches("')");
                Failure::Gate {
                    gate: name.to_string(),
                    index: index.parse().expect("constraint index"),
                    row: row_of(location),
                }
            }
            VerifyFailure::Lookup { name, location, .. } => {
                Failure::Lookup { name: name.clone(), row: row_of(location) }
            }
            VerifyFailure::Permutation { column, location } => {
                Failure::Copy { column: column.to_string(), row: row_of(location) }
            }
            other => Failure::Other(format!("{other:?}")),
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The rows of the copy-constraint failures among `f`.
pub fn copy_rows(f: &[Failure]) -> Vec<usize> {
    f.iter()
        .filter_map(|f| match f {
            Failure::Copy { row, .. } => Some(*row),
            _ => None,
        })
        .collect()
}

/// The failures among `f` that are not copy constraints.
pub fn non_copy(f: &[Failure]) -> Vec<Failure> {
    f.iter().filter(|f| !matches!(f, Failure::Copy { .. })).cloned().collect()
}
