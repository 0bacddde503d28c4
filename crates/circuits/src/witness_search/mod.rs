//! Witness search: a bounded exhaustive check that a circuit admits no witness other than the
//! honest one, in the spirit of what Picus and circomspect do for circom.
//!
//! A single-cell mutation audit ([`crate::audit`]) cannot find an attack that changes several
//! cells together (a quotient one lower *and* a remainder one step higher). This search varies
//! every cell at once. It synthesizes the circuit through halo2's own floor planner, takes
//! the real constraint system (every gate polynomial, every lookup with its table, every copy),
//! and enumerates assignments of all the advice cells (copy classes count as one cell):
//!
//! * the cells the statement leaves to the prover by design are held at their honest value: a
//!   private input (its range check is searched separately, see [`SearchOptions::free_input`])
//!   and private weights; the public inputs are held by the instance column;
//! * the public outputs are *free* (a hashed output's hash instance too): an attack that
//!   changes a claimed output shows up as an accepted assignment with another output;
//! * every other cell takes, when a constraint reads it as its last unknown, exactly the values
//!   that constraint allows over the whole field (the root of a linear polynomial, every table
//!   row a lookup's input can match — so the fractions `v·2^-j` a scaled lookup admits are found,
//!   not guessed), and otherwise every value of its [`CandidateSet`]: integers around the honest
//!   value, their negatives `p - v`, fractions `v·2^-j` and `v·3^-1`, and `v ± 2^j`.
//!
//! [`SearchReport::is_sound`] holds when the search was complete, found no accepted assignment
//! other than the honest one (or, with a free input, other than the honest witness of the input
//! it found), and no assigned cell is left unread by every constraint.

mod candidates;
pub(crate) mod halo2;
pub mod r1cs;
mod solver;
mod synthesis;

use std::collections::HashMap;
use std::sync::Arc;

use halo2_axiom::plonk::{Circuit, ConstraintSystem};
use zkinfer_graph::{InstanceLayout, InstanceRole, QGraph, Visibility, Witness};

pub use candidates::CandidateSet;
pub use halo2::ConstraintName;
pub use solver::SearchCounts;

use self::halo2::{Pins, Problem};
use self::solver::Constraint;
use self::synthesis::{AnyCell, ColumnKind, Synthesis};
use crate::{public_instances, AdviceRef, CircuitError, CircuitPlan, DotAdvice, Fr, ModelCircuit};

/// How far to search.
#[derive(Debug, Clone)]
pub struct SearchOptions {
    /// Values tried for a cell that no constraint determines.
    pub candidates: CandidateSet,
    /// Stop after this many single-cell assignments (the report then says incomplete).
    pub max_nodes: u64,
    /// Let element `i` of the first input vary too (a private input's cell, or a public input's instance):
    /// every accepted assignment must then be the honest witness of the input value it holds,
    /// so a range check that admits a fraction or an out-of-range value is found.
    pub free_input: Option<usize>,
    /// Stop after this many findings (they are all in the report).
    pub max_reported: usize,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self { candidates: CandidateSet::default(), max_nodes: 20_000_000, free_input: None, max_reported: 4 }
    }
}

/// A cell of the circuit, named for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellName {
    /// An advice cell.
    Advice(AdviceRef, usize),
    /// A row of the instance column.
    Instance(usize),
    /// An advice cell the layout never assigned (halo2 column index, row).
    Unassigned(usize, usize),
    /// A variable of the Groth16 back end's system ([`r1cs::search`]).
    Variable(zkinfer_r1cs::Var),
}

/// A cell whose value in an accepted assignment differs from the expected one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellDiff {
    /// The cell (the first of its copy class).
    pub cell: CellName,
    /// The honest value.
    pub expected: Fr,
    /// The accepted value.
    pub found: Fr,
}

/// One accepted assignment other than the expected one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Every cell that differs (a public output among them when the claimed output moved).
    pub cells: Vec<CellDiff>,
}

/// What a search found.
#[derive(Debug, Clone, Default)]
pub struct SearchReport {
    /// Cells searched (copy classes of advice cells, with the free public outputs).
    pub variables: usize,
    /// Constraint instances (gate polynomials and lookups on a row) that read a variable.
    pub constraints: usize,
    /// Assigned cells that no constraint reads and no copy ties to anything.
    pub unconstrained: Vec<CellName>,
    /// Search counters.
    pub counts: SearchCounts,
    /// Accepted assignments other than the expected one (the search stops after
    /// [`SearchOptions::max_reported`] of them).
    pub findings: Vec<Finding>,
    /// Their number.
    pub findings_total: u64,
}

impl SearchReport {
    /// Complete, no other witness, no unread cell.
    pub fn is_sound(&self) -> bool {
        self.counts.complete && self.findings_total == 0 && self.unconstrained.is_empty()
    }
}

/// Why a search could not run.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The layout could not be walked.
    #[error(transparent)]
    Circuit(#[from] CircuitError),
    /// halo2's synthesis failed or wrote outside the usable rows.
    #[error("synthesis: {0}")]
    Synthesis(String),
    /// The honest witness does not satisfy a constraint: nothing to compare against.
    #[error("the honest witness fails {0:?}")]
    HonestRejected(ConstraintName),
    /// `free_input` names an element the input does not have.
    #[error("input element {index} does not exist (the input has {len})")]
    NoSuchInput {
        /// The element asked for.
        index: usize,
        /// Elements of the input.
        len: usize,
    },
}

/// Searches the circuit of `graph` under `plan` for witnesses other than `witness`'s; see the
/// module docs.
pub fn search(
    graph: Arc<QGraph>,
    plan: CircuitPlan,
    witness: Arc<Witness>,
    opts: &SearchOptions,
) -> Result<SearchReport, SearchError> {
    let mut cs = ConstraintSystem::<Fr>::default();
    let config = ModelCircuit::configure_with_params(&mut cs, plan.clone());
    let circuit = ModelCircuit::new(graph.clone(), plan.clone(), Some(witness.clone()));
    let instances = public_instances(&graph, &witness);
    let syn = Synthesis::record(&circuit, plan.k, &cs, config.clone(), &[instances]).map_err(SearchError::Synthesis)?;

    // Name every assigned advice cell, and find the statement's cells.
    let names: HashMap<(usize, usize), AdviceRef> = circuit
        .assigned_advice_cells()?
        .into_iter()
        .filter_map(|(r, row)| Some(((config.advice_column(r)?.index(), row), r)))
        .collect();
    let input_len = graph.inputs.first().map_or(0, |s| graph.tensors[s.tensor].len());
    if let Some(i) = opts.free_input.filter(|&i| i >= input_len) {
        return Err(SearchError::NoSuchInput { index: i, len: input_len });
    }
    let mut pins = Pins::default();
    // Every private (or hashed) input is pinned to its honest value, but for the free element
    // of input 0.
    for (k, spec) in graph.inputs.iter().enumerate() {
        if spec.visibility.is_witness() {
            for (i, &(r, row)) in circuit.input_cells(k)?.iter().enumerate() {
                if k != 0 || opts.free_input != Some(i) {
                    if let Some(c) = config.advice_column(r) {
                        pins.advice.insert((c.index(), row));
                    }
                }
            }
        }
    }
    let input_cells = circuit.input_cells(0)?;
    if !graph.params.is_fixed() {
        pins.advice
            .extend(names.iter().filter(|(_, r)| matches!(r, AdviceRef::Dot(DotAdvice::W { .. }))).map(|(c, _)| *c));
    }
    let instance_col = config.instance.index();
    let instances = InstanceLayout::of(&graph);
    for index in 0..graph.outputs.len() {
        if let Some(rows) = instances.range(InstanceRole::Output, index) {
            pins.free_instance.extend(rows.map(|row| (instance_col, row)));
        }
    }
    // A free public input element frees its instance; a hashed input's hash stays pinned.
    let public_input = graph.inputs.first().is_some_and(|s| s.visibility == Visibility::Public);
    if let (Some(i), Some(rows), true) = (opts.free_input, instances.range(InstanceRole::Input, 0), public_input) {
        pins.free_instance.insert((instance_col, rows.start + i));
    }

    let problem = Problem::new(&syn, &cs, &pins);
    let constraints = problem.constraints(&cs);
    let honest = problem.honest.clone();
    if let Some(c) = constraints.iter().find(|c| !c.check(&|v| honest[v])) {
        return Err(SearchError::HonestRejected(c.name.clone()));
    }
    let mut active = vec![false; honest.len()];
    for c in &constraints {
        c.vars().iter().for_each(|&v| active[v] = true);
    }
    let name = |cell: AnyCell| match cell.kind {
        ColumnKind::Advice => match names.get(&(cell.column, cell.row)) {
            Some(r) => CellName::Advice(*r, cell.row),
            None => CellName::Unassigned(cell.column, cell.row),
        },
        _ => CellName::Instance(cell.row),
    };
    let mut report = SearchReport {
        variables: honest.len(),
        constraints: constraints.len(),
        unconstrained: (0..honest.len()).filter(|&v| !active[v]).map(|v| name(problem.cell_of[v])).collect(),
        ..SearchReport::default()
    };

    // What an accepted assignment must equal: the honest witness, or with a free input the
    // honest witness of the input value it holds.
    let input_var = opts.free_input.and_then(|i| {
        let (r, row) = *input_cells.get(i)?;
        let col = config.advice_column(r)?.index();
        problem.context_var(col, row)
    });
    let expected = |solution: &[Fr]| -> Option<Vec<Fr>> {
        let Some(v) = input_var else { return Some(honest.clone()) };
        let x = candidates::small_int(solution[v])?;
        let mut inputs: Vec<Vec<i64>> = graph.input_tensors().map(|t| witness.values[t].clone()).collect();
        inputs[0][opts.free_input?] = x;
        let w = graph.eval_inputs(inputs).ok()?;
        let c = ModelCircuit::new(graph.clone(), plan.clone(), Some(Arc::new(w.clone())));
        let s = Synthesis::record(&c, plan.k, &cs, config.clone(), &[public_instances(&graph, &w)]).ok()?;
        Some(problem.cell_of.iter().map(|&cell| s.value(cell)).collect())
    };
    let solved = Solved { honest: &honest, active: &active, input_var, opts };
    solved.run(&constraints, &mut report, &|v| name(problem.cell_of[v]), &expected)?;
    Ok(report)
}

/// What both back ends' searches hand the solver, and how they turn its solutions into findings.
pub(crate) struct Solved<'a> {
    /// The honest value of every variable.
    pub honest: &'a [Fr],
    /// The variables searched (the others keep their honest values).
    pub active: &'a [bool],
    /// The free input element's variable, if one is free.
    pub input_var: Option<usize>,
    /// The search's options.
    pub opts: &'a SearchOptions,
}

impl Solved<'_> {
    /// Runs the solver over `constraints` and records in `report` every accepted assignment
    /// that differs from what `expected` says it must be (the honest witness of the input it
    /// holds; `None`: an input the evaluator refuses, itself a finding).
    pub(crate) fn run<C: Constraint + Sync>(
        &self,
        constraints: &[C],
        report: &mut SearchReport,
        name: &(dyn Fn(usize) -> CellName + Sync),
        expected: &(dyn Fn(&[Fr]) -> Option<Vec<Fr>> + Sync),
    ) -> Result<(), SearchError> {
        let (honest, opts) = (self.honest, self.opts);
        let candidates = |v: usize| opts.candidates.around(honest[v]);
        let mut on_solution = |solution: &[Fr]| -> bool {
            let diff: Vec<CellDiff> = match expected(solution) {
                Some(want) => (0..solution.len())
                    .filter(|&v| solution[v] != want[v])
                    .map(|v| CellDiff { cell: name(v), expected: want[v], found: solution[v] })
                    .collect(),
                // An input the evaluator refuses (a fraction, out of range) was accepted.
                None => self
                    .input_var
                    .map(|v| vec![CellDiff { cell: name(v), expected: honest[v], found: solution[v] }])
                    .unwrap_or_default(),
            };
            if !diff.is_empty() {
                report.findings_total += 1;
                report.findings.push(Finding { cells: diff });
            }
            report.findings.len() < opts.max_reported
        };
        // Deep searches recurse once per variable: give them room.
        let counts = std::thread::scope(|s| {
            std::thread::Builder::new()
                .stack_size(256 << 20)
                .spawn_scoped(s, || {
                    solver::search(honest, self.active, constraints, &candidates, opts.max_nodes, &mut on_solution)
                })
                .map(|h| h.join())
        });
        report.counts = match counts {
            Ok(Ok(c)) => c,
            _ => return Err(SearchError::Synthesis("the search thread failed".into())),
        };
        Ok(())
    }
}
