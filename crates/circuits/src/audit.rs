//! Whole-circuit mutation audit: every assigned advice cell must be pinned down.
//!
//! Starting from an honest witness that `MockProver` accepts, each audited cell is changed on its
//! own (`value + 1` for every cell; also `value - 1` and a random field element for the boolean
//! sign cells of the requant chip) and `MockProver` is run again against the *honest* public
//! instances. A mutation it accepts means the cell is not fixed by any gate, lookup, copy or
//! constant constraint: another witness proves the same public statement.
//!
//! The only cells allowed to move are private weights (`AdviceRef::Dot(DotAdvice::W)`, present when the
//! parameters are `private`) that multiply a zero input on their row: the statement proven is
//! "*some* weights map the input to the output", so a weight used once, on a zero, is
//! legitimately free (a weight used again is copy-constrained to its first use; a constant the
//! lowering added, `LinearParams`, is bound to its value and never free). Those are counted as
//! free by design; any other accepted mutation is a soundness bug.
//!
//! `MockProver` rebuilds the whole circuit for every mutation, so the cost is (cells) x (one
//! mock run); [`AuditOptions::sample`] audits a seeded random subset instead, and the runs are
//! spread over rayon's thread pool. After the honest witness has been accepted in full, each
//! mutated run checks the gates on the rows that can see the changed cell (through any rotation
//! the constraint system queries), the lookups on its row, and the whole permutation.

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use halo2_axiom::dev::{AdviceCellValue, MockProver, VerifyFailure};
use halo2_axiom::halo2curves::ff::Field;
use halo2_axiom::plonk::{Circuit, ConstraintSystem};
use rayon::prelude::*;
use zkinfer_graph::{QGraph, Witness};

use crate::{
    public_instances, AdviceRef, CellOverride, CircuitError, CircuitPlan, DotAdvice, Fr, ModelCircuit, RequantAdvice,
};

/// How much to audit.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuditOptions {
    /// Audit a random subset of this many cells (all cells when `None` or when there are fewer).
    pub sample: Option<usize>,
    /// Seed of the subset and of the random replacement values.
    pub seed: u64,
}

/// How an audited cell was changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MutationKind {
    /// `value + 1`.
    PlusOne,
    /// `value - 1`.
    MinusOne,
    /// A pseudo-random field element.
    Random,
}

/// One mutation `MockProver` accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct AcceptedMutation {
    /// The logical column.
    pub column: AdviceRef,
    /// The absolute row.
    pub row: usize,
    /// How it was changed.
    pub kind: MutationKind,
    /// The honest value.
    pub honest: Fr,
    /// The accepted replacement.
    pub value: Fr,
}

/// What the audit found.
#[derive(Debug, Clone, Default)]
pub struct AuditReport {
    /// Assigned advice cells in the layout.
    pub total_cells: usize,
    /// Cells audited (all of them, or the sample).
    pub checked: usize,
    /// `MockProver` runs with one mutated cell.
    pub mutations: usize,
    /// Cells every mutation of which was rejected.
    pub caught: usize,
    /// Accepted mutations of private weights (free by design; see the module docs).
    pub free_by_design: Vec<AcceptedMutation>,
    /// Accepted mutations of any other cell: soundness bugs.
    pub accepted: Vec<AcceptedMutation>,
}

impl AuditReport {
    /// True when no mutation outside the free-by-design cells was accepted.
    pub fn is_sound(&self) -> bool {
        self.accepted.is_empty()
    }

    /// Number of distinct cells with an accepted free-by-design mutation.
    pub fn free_cells(&self) -> usize {
        distinct_cells(&self.free_by_design)
    }

    /// `checked N cells, caught M, free (by design) F` (plus the sample size when sampled).
    pub fn summary(&self) -> String {
        let sampled = if self.checked < self.total_cells {
            format!(" (a random sample of {} of {} cells)", self.checked, self.total_cells)
        } else {
            String::new()
        };
        format!(
            "checked {} cells, caught {}, free (by design) {}{sampled}; {} mutations",
            self.checked,
            self.caught,
            self.free_cells(),
            self.mutations
        )
    }
}

fn distinct_cells(m: &[AcceptedMutation]) -> usize {
    m.iter().map(|a| (a.column, a.row)).collect::<BTreeSet<_>>().len()
}

/// Why an audit could not run.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The layout could not be walked.
    #[error(transparent)]
    Circuit(#[from] CircuitError),
    /// `MockProver` could not synthesize the circuit.
    #[error("MockProver could not run the circuit: {0}")]
    MockProver(String),
    /// The honest witness itself does not satisfy the circuit: nothing can be audited.
    #[error("the honest witness is rejected ({count} failures), first: {first}")]
    HonestRejected {
        /// Number of failures.
        count: usize,
        /// The first one, as MockProver prints it.
        first: String,
    },
}

/// Audits every (or a sample of the) assigned advice cell of `graph` under `plan` for the
/// honest `witness`; see the module docs.
pub fn audit(
    graph: Arc<QGraph>,
    plan: CircuitPlan,
    witness: Arc<Witness>,
    opts: &AuditOptions,
) -> Result<AuditReport, AuditError> {
    let instances = public_instances(&graph, &witness);
    let honest = ModelCircuit::new(graph, plan.clone(), Some(witness));
    let prover = honest_run(&honest, &instances)?;
    let mut cs = ConstraintSystem::<Fr>::default();
    let config = ModelCircuit::configure_with_params(&mut cs, plan.clone());
    let usable = config.usable_rows;
    let rotations: BTreeSet<i32> = cs.advice_queries().iter().map(|(_, r)| r.0).collect();

    let cells = honest.assigned_advice_cells()?;
    let total_cells = cells.len();
    let cells = sample(cells, opts);
    let mut jobs = Vec::new();
    let mut zero_weight_rows = BTreeSet::new();
    let mut rng = SplitMix(opts.seed ^ 0x5eed_a0d1_7000_0000);
    for &(column, row) in &cells {
        let col = config.advice_column(column).ok_or(AuditError::Circuit(CircuitError::VisibilityMismatch))?;
        let honest_value = match prover.advice_values(col).get(row) {
            Some(AdviceCellValue::Assigned(a)) => a.evaluate(),
            _ => return Err(AuditError::MockProver(format!("cell {column:?} row {row} is not assigned"))),
        };
        // A private weight is free by design only where it multiplies a zero input.
        if let AdviceRef::Dot(DotAdvice::W { term, .. }) = column {
            let x =
                config.advice_column(AdviceRef::Dot(DotAdvice::X(term))).and_then(|c| prover.advice_values(c).get(row));
            if matches!(x, Some(AdviceCellValue::Assigned(a)) if bool::from(a.evaluate().is_zero())) {
                zero_weight_rows.insert((column, row));
            }
        }
        jobs.push((column, row, MutationKind::PlusOne, honest_value, honest_value + Fr::ONE));
        if matches!(column, AdviceRef::Requant(RequantAdvice::Sign)) {
            jobs.push((column, row, MutationKind::MinusOne, honest_value, honest_value - Fr::ONE));
            jobs.push((column, row, MutationKind::Random, honest_value, rng.field()));
        }
    }
    drop(prover);

    let results: Vec<Result<Option<AcceptedMutation>, AuditError>> = jobs
        .par_iter()
        .map(|&(column, row, kind, honest_value, value)| {
            let c = honest.clone().with_overrides(vec![CellOverride { column, row, value }]);
            let p = mock_run(&c, &instances)?;
            // Gates see the cell from rows `row - rotation`; lookups only on its own row.
            let gate_rows: Vec<usize> = rotations
                .iter()
                .filter_map(|&rot| usize::try_from(row as i64 - i64::from(rot)).ok())
                .filter(|&r| r < usable)
                .collect();
            let accepted = verify_rows(&p, &gate_rows, row).is_ok();
            Ok(accepted.then_some(AcceptedMutation { column, row, kind, honest: honest_value, value }))
        })
        .collect();

    let mut report = AuditReport { total_cells, checked: cells.len(), mutations: jobs.len(), ..Default::default() };
    for r in results {
        match r? {
            Some(m) if zero_weight_rows.contains(&(m.column, m.row)) => report.free_by_design.push(m),
            Some(m) => report.accepted.push(m),
            None => {}
        }
    }
    let moved: BTreeSet<(AdviceRef, usize)> =
        report.accepted.iter().chain(&report.free_by_design).map(|m| (m.column, m.row)).collect();
    report.caught = cells.len() - moved.len();
    Ok(report)
}

/// Runs `MockProver` on the honest witness and checks every constraint: `Ok` when the circuit
/// accepts it (the conformance runner's circuit check; the audit's starting point).
pub fn check_witness(graph: Arc<QGraph>, plan: CircuitPlan, witness: Arc<Witness>) -> Result<(), AuditError> {
    let instances = public_instances(&graph, &witness);
    let circuit = ModelCircuit::new(graph, plan, Some(witness));
    honest_run(&circuit, &instances).map(drop)
}

/// `MockProver` on an honest circuit, every constraint checked.
fn honest_run(c: &ModelCircuit, instances: &[Fr]) -> Result<MockProver<Fr>, AuditError> {
    let prover = mock_run(c, instances)?;
    if let Err(failures) = prover.verify() {
        let first = failures.first().map(ToString::to_string).unwrap_or_default();
        return Err(AuditError::HonestRejected { count: failures.len(), first });
    }
    Ok(prover)
}

fn verify_rows(p: &MockProver<Fr>, gate_rows: &[usize], row: usize) -> Result<(), Vec<VerifyFailure>> {
    let lookup_rows = [row];
    p.verify_at_rows(gate_rows.iter().copied(), lookup_rows.iter().copied())
}

/// Runs `MockProver` (its own asserts panic on a malformed circuit: turned into an error).
fn mock_run(c: &ModelCircuit, instances: &[Fr]) -> Result<MockProver<Fr>, AuditError> {
    let k = c.plan().k;
    let inst = vec![instances.to_vec()];
    match catch_unwind(AssertUnwindSafe(|| MockProver::run(k, c, inst))) {
        Ok(Ok(p)) => Ok(p),
        Ok(Err(e)) => Err(AuditError::MockProver(e.to_string())),
        Err(_) => Err(AuditError::MockProver(format!("MockProver panicked (k = {k})"))),
    }
}

/// All cells, or a seeded random subset of `opts.sample` of them, in layout order.
fn sample(cells: Vec<(AdviceRef, usize)>, opts: &AuditOptions) -> Vec<(AdviceRef, usize)> {
    let n = match opts.sample {
        Some(n) if n < cells.len() => n,
        _ => return cells,
    };
    let mut idx: Vec<usize> = (0..cells.len()).collect();
    let mut rng = SplitMix(opts.seed);
    for i in 0..n {
        let j = i + (rng.next() % (idx.len() - i) as u64) as usize;
        idx.swap(i, j);
    }
    let mut picked = idx[..n].to_vec();
    picked.sort_unstable();
    picked.into_iter().map(|i| cells[i]).collect()
}

/// SplitMix64: a tiny seeded generator (no `rand` dependency needed for sampling).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A field element from four words (reduced; uniform enough for a mutation).
    fn field(&mut self) -> Fr {
        let two64 = Fr::from(u64::MAX) + Fr::ONE;
        (0..4).fold(Fr::ZERO, |acc, _| acc * two64 + Fr::from(self.next()))
    }
}
