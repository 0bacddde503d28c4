//! Layout planner: picks `k`, the dot-product block and the range-check limb size.

use std::collections::{BTreeSet, HashMap};

use halo2_axiom::plonk::{Circuit, ConstraintSystem};
use serde::{Deserialize, Serialize};
use zkinfer_graph::{InstanceLayout, ParamVisibility, QGraph, QOp, RequantOp};

use crate::walk::{node_rows, ChipRows, LayoutShape};
use crate::{CircuitError, Fr, ModelCircuit};

/// Rows at the start of the requant columns that hold the constant ZERO and ONE cells.
pub(crate) const CONST_ROWS: usize = 2;

/// Everything the constraint system depends on. `configure_with_params` reads only this, so a
/// verifier rebuilds the exact constraint system from the plan alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CircuitPlan {
    /// The circuit has `2^k` rows.
    pub k: u32,
    /// Dot chip width `n`: input cells per row.
    pub dot_inputs: usize,
    /// Dot chip height `m`: output channels per row (1 with private parameters).
    pub dot_outputs: usize,
    /// Limb size `b`: the widest range in the range table (`0..2^b`).
    pub limb_bits: u32,
    /// Limbs per element of the requant chip.
    pub limbs: usize,
    /// Limbs stacked in consecutive rows of one column (`limbs` rows per requant element)
    /// instead of side by side in `limbs` columns: fewer columns and commitments, more rows.
    #[serde(default)]
    pub stacked_limbs: bool,
    /// Product lanes per row (0: no Mul chip).
    pub mul_lanes: usize,
    /// A lookup chip with the graph's nonlinear tables (`Table` nodes).
    #[serde(default)]
    pub lookup: bool,
    /// Weights in fixed columns (`true`) or private advice (`false`).
    pub params_fixed: bool,
    /// A Poseidon chip, for hashed inputs and outputs.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub poseidon: bool,
    /// The Poseidon chip lays two partial rounds to a row (55 rows a permutation instead of 85,
    /// for 8 more columns and a larger gate). Settings written before it read as `false`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub poseidon_pairs: bool,
    /// A pack chip, for hashed parameter weights.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pack: bool,
    /// Layout statistics (informative: configure ignores them).
    #[serde(default)]
    pub stats: CircuitStats,
}

impl Default for CircuitPlan {
    fn default() -> Self {
        Self {
            k: 10,
            dot_inputs: 1,
            dot_outputs: 1,
            limb_bits: 8,
            limbs: 1,
            stacked_limbs: false,
            mul_lanes: 0,
            lookup: false,
            params_fixed: true,
            poseidon: false,
            poseidon_pairs: false,
            pack: false,
            stats: CircuitStats::default(),
        }
    }
}

impl CircuitPlan {
    /// One line for people: `k`, rows and columns.
    pub fn summary(&self) -> String {
        format!(
            "k={} ({} of {} usable rows), {} columns, dot block {}x{}, {}-bit range table, {} limb {}{}{}{}{}",
            self.k,
            self.stats.rows_used,
            self.stats.usable_rows,
            self.summary_columns(),
            self.dot_outputs,
            self.dot_inputs,
            self.limb_bits,
            self.limbs,
            if self.stacked_limbs { "rows" } else { "columns" },
            if self.mul_lanes > 0 { format!(", {} mul lanes", self.mul_lanes) } else { String::new() },
            if self.lookup { format!(", {} nonlinear table rows", self.stats.table_rows) } else { String::new() },
            if self.poseidon {
                let pairs = if self.poseidon_pairs { " (paired partial rounds)" } else { "" };
                format!(", {} Poseidon rows{pairs}", self.stats.poseidon_rows)
            } else {
                String::new()
            },
            if self.pack { format!(", {} pack rows", self.stats.pack_rows) } else { String::new() },
        )
    }

    /// Rows of the requant chip per element: `limbs` when they are stacked, else 1.
    pub fn requant_stride(&self) -> usize {
        if self.stacked_limbs {
            self.limbs.max(1)
        } else {
            1
        }
    }

    /// The cell of limb `c` of the requant element at `row`: (limb column, row).
    pub fn limb_cell(&self, c: usize, row: usize) -> (usize, usize) {
        let (col, offset) = limb_offset(self.stacked_limbs, c);
        (col, row + offset)
    }

    /// Rows the layout uses (largest chip, or the range table).
    pub fn summary_rows(&self) -> usize {
        self.stats.rows_used
    }

    /// `advice/fixed/lookups` column counts.
    pub fn summary_columns(&self) -> String {
        format!("{}/{}/{}", self.stats.advice_columns, self.stats.fixed_columns, self.stats.lookups)
    }
}

/// What a plan costs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CircuitStats {
    /// Largest row count over the chips and the tables.
    pub rows_used: usize,
    /// Rows of the dot chip.
    pub dot_rows: usize,
    /// Rows of the requant chip (including the two constant rows).
    pub requant_rows: usize,
    /// Rows of the Mul chip.
    pub mul_rows: usize,
    /// Rows of the lookup chip (one per element of a `Table` node).
    #[serde(default)]
    pub lookup_rows: usize,
    /// Rows of the Poseidon chip (hashed inputs and outputs).
    #[serde(default)]
    pub poseidon_rows: usize,
    /// Rows of the pack chip (hashed parameter weights).
    #[serde(default)]
    pub pack_rows: usize,
    /// Rows of the nonlinear tables (all distinct tables plus one zero row).
    #[serde(default)]
    pub table_rows: usize,
    /// Rows the range table needs (`2^w` for each limb width `w` in use, `b` always, plus the
    /// row halo2 fills the rest of the column from).
    #[serde(default)]
    pub range_table_rows: usize,
    /// Rows available for assignment at `k` (`2^k` minus blinding rows).
    pub usable_rows: usize,
    /// Advice columns.
    pub advice_columns: usize,
    /// Fixed columns (before selector compression) plus selectors.
    pub fixed_columns: usize,
    /// Lookup arguments.
    pub lookups: usize,
    /// Instance columns.
    pub instance_columns: usize,
    /// Values in the instance column.
    pub instance_len: usize,
    /// Columns in the permutation argument.
    pub equality_columns: usize,
    /// Constraint system degree.
    pub degree: usize,
    /// Estimated milliseconds of `prove + keygen / 4` on a 2-core x86_64 machine (a calibrated
    /// heuristic: only the ranking of plans matters).
    pub estimated_cost: f64,
    /// Estimated gas of `verifyProof` in the Solidity verifier (a heuristic for ranking plans).
    #[serde(default)]
    pub estimated_gas: f64,
}

/// Planner knobs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanOptions {
    /// Largest `k` to consider.
    pub max_k: u32,
    /// Use exactly this `k` (error if the circuit does not fit).
    pub force_k: Option<u32>,
    /// Smallest limb size to consider.
    pub min_limb_bits: u32,
    /// Largest limb size to consider.
    pub max_limb_bits: u32,
    /// Bound on `n * m`, the weight cells per dot row.
    pub max_dot_block: usize,
    /// Skip layouts with more advice columns (e.g. to keep a Solidity verifier under EIP-170).
    pub max_advice_columns: Option<usize>,
    /// Skip layouts with more fixed columns (each adds a commitment to the verifying key and an
    /// evaluation to the proof).
    pub max_fixed_columns: Option<usize>,
    /// Use exactly this dot block `(inputs n, outputs m)` (benchmarks and cost-model calibration).
    pub force_dot: Option<(usize, usize)>,
    /// Stack the range-check limbs in rows (`Some(true)`), keep them side by side in columns
    /// (`Some(false)`), or let the cost model choose (`None`).
    pub stacked_limbs: Option<bool>,
    /// Lay the Poseidon chip's partial rounds two to a row (`Some(true)`), one (`Some(false)`),
    /// or let the cost model choose (`None`).
    pub poseidon_pairs: Option<bool>,
    /// What the planner minimises: prover time (default) or on-chain verification gas.
    pub objective: Objective,
}

/// What [`plan_circuit`] minimises.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Objective {
    /// Estimated `prove + keygen / 4` time: wide layouts at a small `k`.
    #[default]
    Prover,
    /// Estimated gas of the Solidity verifier (see [`CircuitStats::estimated_gas`]): narrow
    /// layouts with few commitments (typically a 1x1 dot block and range-check limbs stacked in
    /// rows of one column), at the smallest `k` (up to `max_k`) that holds them. Each
    /// estimated millisecond of proving adds 5 gas, so a small gas saving does not buy a much
    /// slower prover.
    Verifier,
}

impl std::str::FromStr for Objective {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "prover" => Ok(Self::Prover),
            "verifier" => Ok(Self::Verifier),
            _ => Err(format!("unknown objective {s:?} (expected prover or verifier)")),
        }
    }
}

impl std::fmt::Display for Objective {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Prover => "prover",
            Self::Verifier => "verifier",
        })
    }
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self {
            max_k: 22,
            force_k: None,
            min_limb_bits: 4,
            max_limb_bits: 17,
            max_dot_block: 256,
            max_advice_columns: None,
            max_fixed_columns: None,
            force_dot: None,
            stacked_limbs: None,
            poseidon_pairs: None,
            objective: Objective::Prover,
        }
    }
}

const DOT_WIDTHS: [usize; 11] = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64];
const DOT_HEIGHTS: [usize; 8] = [1, 2, 3, 4, 6, 8, 12, 16];
const MUL_LANES: [usize; 4] = [1, 2, 4, 8];

/// Limb `c` of a requant element: (limb column, row offset from the element's row). Side by
/// side, column `c` of the same row; stacked, column 0 at row `+c`.
pub(crate) fn limb_offset(stacked: bool, c: usize) -> (usize, usize) {
    if stacked {
        (0, c)
    } else {
        (c, 0)
    }
}

/// Which limb goes to each limb position of a requant element whose remainder has `n_r` limbs
/// and whose sign-folded value has `n_w`: `(is_remainder, limb index)` for positions 0, 1, ….
/// The two top limbs (the only ones that can be narrower than `b`) come first, into the tagged
/// limb columns (`chips::requant::TAGGED_LIMB_COLUMNS`); the full limbs follow.
pub fn requant_limb_order(n_r: usize, n_w: usize) -> Vec<(bool, usize)> {
    let tops = n_r.checked_sub(1).map(|i| (true, i)).into_iter().chain(n_w.checked_sub(1).map(|i| (false, i)));
    let rest = (0..n_r.saturating_sub(1)).map(|i| (true, i)).chain((0..n_w.saturating_sub(1)).map(|i| (false, i)));
    tops.chain(rest).collect()
}

/// Row counts a graph needs under a plan shape: the sum of what each node takes
/// ([`crate::walk::NodeLayout::rows`], which the walker checks every layout against).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rows {
    pub dot: usize,
    pub requant: usize,
    pub mul: usize,
    pub lookup: usize,
    pub poseidon: usize,
    pub pack: usize,
}

/// What the hashes of a graph take, whatever the layout: counted once per plan search.
#[derive(Debug, Clone, Default)]
pub(crate) struct Hashing {
    /// Field elements of each hashed segment (one Poseidon chain each).
    chains: Vec<usize>,
    /// Hashed parameter weights: a range check and a pack row each.
    packed: usize,
}

impl Hashing {
    pub(crate) fn of(q: &QGraph) -> Self {
        let chains = InstanceLayout::of(q).segments.iter().filter(|s| s.hashed).map(|s| s.value_count(q)).collect();
        Self { chains, packed: packed_weights(q) }
    }

    /// Poseidon rows, with partial rounds paired or not.
    fn poseidon_rows(&self, pairs: bool) -> usize {
        self.chains.iter().map(|&n| crate::chips::poseidon::chain_rows(n, pairs)).sum()
    }
}

impl Rows {
    /// Rows under `shape` with `lanes` product lanes per row, and Poseidon partial rounds
    /// paired or not.
    pub(crate) fn count(q: &QGraph, hashing: &Hashing, shape: LayoutShape, lanes: usize, pairs: bool) -> Self {
        let total = q.nodes.iter().map(|n| node_rows(q, n, shape)).fold(ChipRows::default(), |acc, r| acc + r);
        let mul = if lanes == 0 { 0 } else { total.mul_lanes.div_ceil(lanes) };
        let pack = hashing.packed;
        let requant = CONST_ROWS + total.requant + pack * shape.requant_stride;
        Self { dot: total.dot, requant, mul, lookup: total.lookup, poseidon: hashing.poseidon_rows(pairs), pack }
    }

    pub(crate) fn max(&self) -> usize {
        self.dot.max(self.requant).max(self.mul).max(self.lookup).max(self.poseidon).max(self.pack)
    }
}

/// Weights the pack chip packs (hashed parameters), each range-checked in the requant chip.
pub(crate) fn packed_weights(q: &QGraph) -> usize {
    if q.params == ParamVisibility::Hashed {
        q.param_message().weights.len()
    } else {
        0
    }
}

/// Every range check the graph's proof lays out in the requant chip.
fn range_checks(q: &QGraph) -> impl Iterator<Item = RequantOp> + '_ {
    let packing = (packed_weights(q) > 0).then(crate::chips::pack::weight_range_check);
    q.nodes.iter().flat_map(|n| n.op.primitive().bounds().map(|b| b.range_checks()).unwrap_or_default()).chain(packing)
}

/// Limb columns a graph needs with `b`-bit limbs: max over range checks of remainder + value limbs.
pub(crate) fn limbs_needed(q: &QGraph, b: u32) -> usize {
    range_checks(q).map(|r| r.limbs(b)).max().unwrap_or(0).max(1)
}

/// Every limb width the graph's range checks use with `b`-bit limbs (the range table's tags).
pub(crate) fn range_widths(q: &QGraph, b: u32) -> Vec<u32> {
    let widths: BTreeSet<u32> = range_checks(q)
        .flat_map(|r| {
            let (remainder, value) = r.limb_widths(b);
            remainder.into_iter().chain(value)
        })
        .collect();
    widths.into_iter().collect()
}

/// Rows the range table of `q` with `b`-bit limbs needs: its rows, plus the one halo2 fills the
/// rest of a table column from (it must be a usable row, as for the nonlinear tables).
pub(crate) fn range_table_rows(q: &QGraph, b: u32) -> usize {
    1 + crate::chips::range::range_table_rows(&range_widths(q, b), b)
}

/// Shape of the constraint system of a plan (independent of `k`).
#[derive(Debug, Clone, Copy)]
struct ConstraintShape {
    advice: usize,
    fixed: usize,
    selectors: usize,
    lookups: usize,
    instance: usize,
    equality: usize,
    degree: usize,
    blinding: usize,
    minimum_rows: usize,
    /// Polynomial queries (evaluations in the proof).
    queries: usize,
    /// Nodes of the gate and lookup expressions (the verifier interprets each).
    terms: usize,
}

impl ConstraintShape {
    /// Permutation argument sets (`degree - 2` columns each): one grand product each.
    fn permutation_sets(&self) -> usize {
        self.equality.div_ceil(self.degree.saturating_sub(2).max(1))
    }

    /// Pieces of the quotient polynomial (`degree - 1`).
    fn quotient_pieces(&self) -> usize {
        self.degree.saturating_sub(1)
    }

    /// Fixed columns the key commits to: keygen compresses the selectors about three to a column.
    fn committed_fixed(&self) -> usize {
        self.fixed - self.selectors + self.selectors.div_ceil(3)
    }
}

/// Nodes of an expression tree.
fn terms(e: &halo2_axiom::plonk::Expression<Fr>) -> usize {
    e.evaluate(
        &|_| 1,
        &|_| 1,
        &|_| 1,
        &|_| 1,
        &|_| 1,
        &|_| 1,
        &|a| a + 1,
        &|a, b| a + b + 1,
        &|a, b| a + b + 1,
        &|a, _| a + 1,
    )
}

fn constraint_shape(plan: &CircuitPlan) -> ConstraintShape {
    let mut cs = ConstraintSystem::<Fr>::default();
    let _ = ModelCircuit::configure_with_params(&mut cs, plan.clone());
    ConstraintShape {
        advice: cs.num_advice_columns(),
        fixed: cs.num_fixed_columns() + cs.num_selectors(),
        selectors: cs.num_selectors(),
        lookups: cs.lookups().len(),
        instance: cs.num_instance_columns(),
        equality: cs.permutation().get_columns().len(),
        degree: cs.degree(),
        blinding: cs.blinding_factors(),
        minimum_rows: cs.minimum_rows(),
        queries: cs.advice_queries().len() + cs.fixed_queries().len() + cs.instance_queries().len(),
        terms: cs.gates().iter().flat_map(|g| g.polynomials()).map(terms).sum::<usize>()
            + cs.lookups()
                .iter()
                .flat_map(|l| l.input_expressions().iter().chain(l.table_expressions()))
                .map(terms)
                .sum::<usize>(),
    }
}

/// Under [`Objective::Verifier`], a millisecond of estimated proving counts as this much gas, so
/// that a one-commitment saving (~7.4k gas) is not bought with more than ~1.5 s of proving (a
/// 17-bit range table at k=18 instead of k=12, say).
const VERIFIER_GAS_PER_PROVER_MS: f64 = 5.0;

/// Estimated gas of the Solidity verifier (`crates/verifier/src/evm.rs`) for a shape.
///
/// Every commitment costs one ecMul + ecAdd in the final MSM, its SHPLONK bookkeeping and (for
/// proof points) its calldata (~7.4k): advice columns, fixed columns (selectors compressed),
/// permutation sigmas and products, three per lookup (two permuted columns and a product),
/// quotient pieces. Every evaluation in the proof costs calldata and SHPLONK arithmetic (~0.8k;
/// lookups and permutation products add several), every constraint node ~150 gas in the fused
/// interpreted program, every public instance a term of one batched Lagrange sum (~0.3k), plus
/// ~200k of fixed work (base, pairing, transcript, one inversion). Calibrated on mlp_digits
/// (k=7, 21 advice / 54 fixed / 7 lookups: 1,319k measured; k=12 with stacked limbs, 7 / 13 /
/// 1: 521k; since the range-check fix, 21 / 50 / 7: 1,315k and 7 / 14 / 1: 539k, estimated
/// 1,211k and 500k); it does not depend on `k`.
fn gas(s: &ConstraintShape, instance_len: usize) -> f64 {
    let (perm, quotient, fixed) = (s.permutation_sets(), s.quotient_pieces(), s.committed_fixed());
    let commitments = s.advice + fixed + s.equality + perm + 3 * s.lookups + quotient;
    let evaluations = s.queries + s.equality + 3 * perm + 5 * s.lookups;
    7_400.0 * commitments as f64
        + 800.0 * evaluations as f64
        + 150.0 * s.terms as f64
        + 300.0 * instance_len as f64
        + 200_000.0
}

/// Estimated milliseconds of `prove + keygen / 4` on a 2-core x86_64 machine.
///
/// Calibrated on halo2-axiom's per-phase timers for mlp_wide at k=12 (26 advice, 93 fixed,
/// 4 lookups, 8 permutation sets: 1.6 s) and on measured plans at k=11..15 (see
/// `examples/plan_bench.rs`). Per column at k=12: an advice column costs ~12 ms (commitment,
/// IFFT, 4 extended-domain parts), a fixed column ~1 ms at proving (read by the gates on the
/// extended domain; the vendored halo2-axiom keeps its extended evaluations in the key, see
/// vendor/README.md), a lookup ~53 ms, a permutation set ~43 ms, a quotient piece ~25 ms, plus
/// ~150 ms of constant work. Keygen costs ~18 ms per fixed or equality column (a full-size MSM
/// each, as negative weights are 254-bit, and its 4 extended-domain parts).
/// Per-column costs grow a little faster than `2^k` and have a floor at small `k`, hence
/// `scale` rather than `2^k`. Wider dot blocks at a smaller `k` win: the weight cells (fixed
/// columns x rows) stay the same while every other column shrinks with `2^k`.
fn cost(s: &ConstraintShape, k: u32) -> f64 {
    let (perm, quotient, fixed) = (s.permutation_sets() as f64, s.quotient_pieces() as f64, s.committed_fixed() as f64);
    let prove = 11.7 * (s.advice + s.instance) as f64
        + 1.0 * fixed
        + 53.0 * s.lookups as f64
        + 43.0 * perm
        + 25.0 * quotient
        + 150.0;
    let keygen = 18.0 * (fixed + s.equality as f64);
    // The extra 15% per k step matches measured rankings (mlp_digits k=7 0.26 s vs k=8 0.30 s;
    // cnn_digits k=9 < k=10 < k=11): per-column work grows faster than `2^k * k`.
    let scale = ((1u64 << k) as f64 * f64::from(k) / 12.0 + 1000.0) / 5096.0 * 1.15f64.powi(k as i32 - 12);
    (prove + 0.25 * keygen) * scale
}

/// Smallest `k` (at least `min_k`) whose usable rows hold `needed` rows.
fn smallest_k(s: &ConstraintShape, needed: usize, min_k: u32, max_k: u32) -> Option<u32> {
    (min_k..=max_k).find(|&k| {
        let n = 1usize << k;
        n >= s.minimum_rows && n.saturating_sub(s.blinding + 1) >= needed
    })
}

/// Picks the cheapest layout for `q` under `opts`.
pub fn plan_circuit(q: &QGraph, opts: &PlanOptions) -> Result<CircuitPlan, CircuitError> {
    let params_fixed = q.params.is_fixed();
    let has_mul = q.nodes.iter().any(|n| matches!(n.op, QOp::Mul(_) | QOp::Div(_)));
    let lookup = q.nodes.iter().any(|n| matches!(n.op, QOp::Table(_)));
    // The tables are fixed rows: `k` must hold them as well as the chips.
    let table_rows = if lookup { crate::chips::lookup::table_rows(q) } else { 0 };
    let heights: &[usize] = if params_fixed { &DOT_HEIGHTS } else { &[1] };
    let lanes_set: &[usize] = if has_mul { &MUL_LANES } else { &[0] };
    let instances = InstanceLayout::of(q);
    let inst = instances.len();
    let poseidon = instances.segments.iter().any(|s| s.hashed);
    let max_k = opts.force_k.unwrap_or(opts.max_k).min(27);
    let min_k = opts.force_k.unwrap_or(1);

    let mut shapes: HashMap<(usize, usize, usize, usize, bool, bool), ConstraintShape> = HashMap::new();
    let hashing = Hashing::of(q);
    let pairings: &[bool] = match (poseidon, opts.poseidon_pairs) {
        (false, _) => &[false],
        (true, Some(true)) => &[true],
        (true, Some(false)) => &[false],
        (true, None) => &[false, true],
    };
    let stackings: &[bool] = match opts.stacked_limbs {
        Some(true) => &[true],
        Some(false) => &[false],
        None => &[false, true],
    };
    let limb_bits = opts.min_limb_bits.max(1)..=opts.max_limb_bits.max(opts.min_limb_bits.max(1));
    // Every (limb bits, stacking, dot block, lanes) shape; one limb stacks as it sits side by side.
    let shapes_to_try = limb_bits
        .flat_map(|b| stackings.iter().map(move |&st| (b, limbs_needed(q, b), st)))
        .filter(|&(_, limbs, st)| !st || limbs > 1 || stackings.len() == 1)
        .flat_map(|(b, limbs, st)| DOT_WIDTHS.iter().map(move |&n| (b, limbs, st, n)))
        .flat_map(|(b, limbs, st, n)| heights.iter().map(move |&m| (b, limbs, st, n, m)))
        .filter(|&(_, _, _, n, m)| n * m <= opts.max_dot_block.max(1) && opts.force_dot.is_none_or(|d| d == (n, m)))
        .flat_map(|(b, limbs, st, n, m)| lanes_set.iter().map(move |&lanes| (b, limbs, st, n, m, lanes)))
        .flat_map(|(b, limbs, st, n, m, lanes)| pairings.iter().map(move |&pairs| (b, limbs, st, n, m, lanes, pairs)));

    let mut best: Option<((f64, f64), CircuitPlan)> = None;
    let mut smallest_need = usize::MAX;
    for (b, limbs, stacked, n, m, lanes, pairs) in shapes_to_try {
        let layout = LayoutShape { dot_inputs: n, dot_outputs: m, requant_stride: if stacked { limbs } else { 1 } };
        let rows = Rows::count(q, &hashing, layout, lanes, pairs);
        let range_rows = range_table_rows(q, b);
        let needed = rows.max().max(range_rows).max(inst).max(table_rows);
        smallest_need = smallest_need.min(needed);
        let candidate = CircuitPlan {
            k: 0,
            dot_inputs: n,
            dot_outputs: m,
            limb_bits: b,
            limbs,
            stacked_limbs: stacked,
            mul_lanes: lanes,
            lookup,
            params_fixed,
            poseidon,
            poseidon_pairs: pairs,
            pack: hashing.packed > 0,
            stats: CircuitStats::default(),
        };
        let s = *shapes.entry((n, m, limbs, lanes, stacked, pairs)).or_insert_with(|| constraint_shape(&candidate));
        if opts.max_advice_columns.is_some_and(|c| s.advice > c) || opts.max_fixed_columns.is_some_and(|c| s.fixed > c)
        {
            continue;
        }
        let Some(k) = smallest_k(&s, needed, min_k, max_k) else { continue };
        let c = cost(&s, k);
        let g = gas(&s, inst);
        let score = match opts.objective {
            Objective::Prover => (c, 0.0),
            Objective::Verifier => (g + VERIFIER_GAS_PER_PROVER_MS * c, c),
        };
        if best.as_ref().is_some_and(|(bs, _)| *bs <= score) {
            continue;
        }
        let stats = CircuitStats {
            rows_used: needed,
            dot_rows: rows.dot,
            requant_rows: rows.requant,
            mul_rows: rows.mul,
            lookup_rows: rows.lookup,
            poseidon_rows: rows.poseidon,
            pack_rows: rows.pack,
            table_rows,
            range_table_rows: range_rows,
            usable_rows: (1usize << k) - (s.blinding + 1),
            advice_columns: s.advice,
            fixed_columns: s.fixed,
            lookups: s.lookups,
            instance_columns: s.instance,
            instance_len: inst,
            equality_columns: s.equality,
            degree: s.degree,
            estimated_cost: c,
            estimated_gas: g,
        };
        best = Some((score, CircuitPlan { k, stats, ..candidate }));
    }
    match best {
        Some((_, p)) => {
            crate::circuit::validate(q, &p, p.stats.usable_rows)?;
            Ok(p)
        }
        None => Err(match opts.force_k {
            Some(k) => CircuitError::NotEnoughRows {
                needed: smallest_need,
                k,
                available: (1usize << k.min(40)).saturating_sub(6),
            },
            None => CircuitError::TooLarge { needed: smallest_need, max_k: opts.max_k },
        }),
    }
}
