//! [`ModelCircuit`]: the whole quantized graph as one halo2 circuit.

use std::collections::HashMap;
use std::sync::Arc;

use halo2_axiom::circuit::{Cell, Layouter, Region, SimpleFloorPlanner, Value};
use halo2_axiom::plonk::{Advice, Circuit, Column, ConstraintSystem, Error, Fixed, Instance};
use zkinfer_graph::{InstanceLayout, InstanceRole, InstanceSegment, ParamSalt, QGraph, Witness};

use crate::chips::range::RangeTableConfig;
use crate::chips::Chips;
use crate::walk::{self, fe, AdviceRef, FixedRef, Loc, SelRef, Sink};
use crate::{CircuitError, CircuitPlan, Fr};

/// A witness value forced into one advice cell at assignment time (soundness tests, mutation audits).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellOverride {
    /// The logical column.
    pub column: AdviceRef,
    /// The absolute row.
    pub row: usize,
    /// The value written instead of the honest one.
    pub value: Fr,
}

/// Columns of the whole circuit.
#[derive(Debug, Clone)]
pub struct ModelConfig {
    /// The chips the plan uses.
    pub chips: Chips,
    /// The range table: `(b - w, v)` for each limb width `w` and `v < 2^w`.
    pub range: RangeTableConfig,
    /// The single instance column, in the order of [`InstanceLayout::of`] the graph.
    pub instance: Column<Instance>,
    /// Fixed column for the ZERO/ONE constants.
    pub constants: Column<Fixed>,
    /// The plan the constraint system was built from.
    pub plan: CircuitPlan,
    /// Rows available for assignment at `plan.k`.
    pub usable_rows: usize,
}

impl ModelConfig {
    /// The halo2 column behind a logical advice column (None if the plan has no such column).
    pub fn advice_column(&self, r: AdviceRef) -> Option<Column<Advice>> {
        self.chips.advice(r)
    }
}

/// The circuit of one quantized model; `witness: None` for keygen.
#[derive(Debug, Clone)]
pub struct ModelCircuit {
    graph: Arc<QGraph>,
    plan: CircuitPlan,
    witness: Option<Arc<Witness>>,
    overrides: Vec<CellOverride>,
}

impl ModelCircuit {
    /// A circuit for `graph` laid out by `plan`, proving `witness` (None: keygen / verification).
    pub fn new(graph: Arc<QGraph>, plan: CircuitPlan, witness: Option<Arc<Witness>>) -> Self {
        Self { graph, plan, witness, overrides: Vec::new() }
    }

    /// Replaces honest witness values in the given cells (for soundness tests and audits).
    pub fn with_overrides(mut self, overrides: Vec<CellOverride>) -> Self {
        self.overrides = overrides;
        self
    }

    /// The plan.
    pub fn plan(&self) -> &CircuitPlan {
        &self.plan
    }

    /// The graph.
    pub fn graph(&self) -> &QGraph {
        &self.graph
    }

    /// Every advice cell the layout assigns, in assignment order (the ZERO/ONE constants first).
    pub fn assigned_advice_cells(&self) -> Result<Vec<(AdviceRef, usize)>, CircuitError> {
        let (rec, _) = walk::assign(&self.graph, &self.plan, None, usize::MAX, Recorder::default())?;
        Ok(rec.cells)
    }

    /// The cells holding input `index` (its range check's input cells), in element order.
    pub fn input_cells(&self, index: usize) -> Result<Vec<(AdviceRef, usize)>, CircuitError> {
        let cells = self.public_cells()?.inputs.into_iter().nth(index).ok_or(CircuitError::NoSuchInput(index))?;
        Ok(cells.iter().map(|l| (l.col, l.row)).collect())
    }

    /// The cells holding output `index`, as (column, row), in element order.
    pub fn output_cells(&self, index: usize) -> Result<Vec<(AdviceRef, usize)>, CircuitError> {
        let cells = self.public_cells()?.outputs.into_iter().nth(index).ok_or(CircuitError::NoSuchOutput(index))?;
        Ok(cells.iter().map(|l| (l.col, l.row)).collect())
    }

    /// The input, output and instance cells of a layout walk without a witness.
    fn public_cells(&self) -> Result<walk::PublicCells, CircuitError> {
        Ok(walk::assign(&self.graph, &self.plan, None, usize::MAX, Recorder::default())?.1)
    }
}

/// The single instance column: the public values of `w` in the order of
/// [`InstanceLayout::of`] `q` (public inputs, then public outputs; a hashed one's
/// [`crate::poseidon::hash_values`] in its place).
pub fn public_instances(q: &QGraph, w: &Witness) -> Vec<Fr> {
    let mut out = Vec::new();
    for s in &InstanceLayout::of(q).segments {
        if s.hashed {
            out.push(crate::poseidon::hash_values(&hashed_values(q, s, &w.values)));
        } else {
            out.extend(s.values(q, &w.values).iter().map(|&v| fe(i128::from(v))));
        }
    }
    out
}

/// The model id of `q` under hashed parameters: [`crate::poseidon::hash_values`] of the packed
/// weights, the biases, then the salt if there is one (instance 0 of every proof).
pub fn model_id(q: &QGraph) -> Option<Fr> {
    let s = InstanceLayout::of(q).segments.into_iter().find(|s| s.role == InstanceRole::Params)?;
    Some(crate::poseidon::hash_values(&hashed_values(q, &s, &[])))
}

/// The field elements a hashed segment hashes: its values ([`InstanceSegment::values`]), or for
/// the parameters the packed weights, the biases and the salt ([`zkinfer_graph::ParamMessage`]).
pub(crate) fn hashed_values(q: &QGraph, s: &InstanceSegment, tensors: &[Vec<i64>]) -> Vec<Fr> {
    if s.role != InstanceRole::Params {
        return s.values(q, tensors).iter().map(|&v| fe(i128::from(v))).collect();
    }
    let m = q.param_message();
    let mut out: Vec<Fr> = m.weight_groups().map(crate::chips::pack::pack_group).collect();
    out.extend(m.biases.iter().map(|&v| fe(i128::from(v))));
    out.extend(q.param_salt.as_ref().map(salt_fe));
    out
}

/// A salt as a field element (31 big-endian bytes: below the modulus).
pub fn salt_fe(salt: &ParamSalt) -> Fr {
    // 2^248 · b₃₀ + … + b₀, by Horner over the big-endian bytes: always below the modulus.
    salt.iter().fold(Fr::zero(), |acc, &b| acc * Fr::from(256) + Fr::from(u64::from(b)))
}

/// Walks the layout of `q` under `plan` without a witness: checks the graph is well formed
/// and fits in `usable_rows`.
pub(crate) fn validate(q: &QGraph, plan: &CircuitPlan, usable_rows: usize) -> Result<(), CircuitError> {
    walk::assign(q, plan, None, usable_rows, Recorder::default()).map(|_| ())
}

/// Lists assigned advice cells; drops everything else.
#[derive(Default)]
struct Recorder {
    cells: Vec<(AdviceRef, usize)>,
}

impl Sink for Recorder {
    fn advice(&mut self, col: AdviceRef, row: usize, _: Value<Fr>) -> Loc {
        self.cells.push((col, row));
        Loc { col, row }
    }
    fn fixed(&mut self, _: FixedRef, _: usize, _: Fr) {}
    fn enable(&mut self, _: SelRef, _: usize) {}
    fn copy(&mut self, _: Loc, _: Loc) {}
    fn constant(&mut self, _: Loc, _: Fr) {}
}

/// Writes into the halo2 region; remembers the first error (sink calls are infallible).
struct RegionSink<'r, 'a> {
    region: &'r mut Region<'a, Fr>,
    cfg: &'r ModelConfig,
    overrides: HashMap<(AdviceRef, usize), Fr>,
    err: Option<Error>,
}

impl RegionSink<'_, '_> {
    fn cell(&mut self, l: Loc) -> Option<Cell> {
        match self.cfg.chips.advice(l.col) {
            Some(c) => Some(Cell { row_offset: l.row, column: c.into() }),
            None => {
                self.err.get_or_insert(Error::Synthesis);
                None
            }
        }
    }
}

impl Sink for RegionSink<'_, '_> {
    fn advice(&mut self, col: AdviceRef, row: usize, v: Value<Fr>) -> Loc {
        let v = match self.overrides.get(&(col, row)) {
            Some(o) => Value::known(*o),
            None => v,
        };
        match self.cfg.chips.advice(col) {
            Some(c) => {
                self.region.assign_advice(c, row, v);
            }
            None => {
                self.err.get_or_insert(Error::Synthesis);
            }
        }
        Loc { col, row }
    }
    fn fixed(&mut self, col: FixedRef, row: usize, v: Fr) {
        match self.cfg.chips.fixed(col) {
            Some(c) => {
                self.region.assign_fixed(c, row, v);
            }
            None => {
                self.err.get_or_insert(Error::Synthesis);
            }
        }
    }
    fn enable(&mut self, s: SelRef, row: usize) {
        let res = match self.cfg.chips.selector(s) {
            Some(sel) => sel.enable(self.region, row),
            None => Err(Error::Synthesis),
        };
        if let Err(e) = res {
            self.err.get_or_insert(e);
        }
    }
    fn copy(&mut self, a: Loc, b: Loc) {
        if let (Some(a), Some(b)) = (self.cell(a), self.cell(b)) {
            self.region.constrain_equal(a, b);
        }
    }
    fn constant(&mut self, a: Loc, v: Fr) {
        if let Some(a) = self.cell(a) {
            if let Err(e) = self.region.constrain_constant(a, v) {
                self.err.get_or_insert(e);
            }
        }
    }
}

fn synthesis_error(e: CircuitError, k: u32) -> Error {
    match e {
        CircuitError::NotEnoughRows { .. } => Error::NotEnoughRowsAvailable { current_k: k },
        _ => Error::Synthesis,
    }
}

impl Circuit<Fr> for ModelCircuit {
    type Config = ModelConfig;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = CircuitPlan;

    fn without_witnesses(&self) -> Self {
        Self { graph: self.graph.clone(), plan: self.plan.clone(), witness: None, overrides: Vec::new() }
    }

    fn params(&self) -> CircuitPlan {
        self.plan.clone()
    }

    fn configure_with_params(meta: &mut ConstraintSystem<Fr>, plan: CircuitPlan) -> ModelConfig {
        let instance = meta.instance_column();
        meta.enable_equality(instance);
        let constants = meta.fixed_column();
        meta.enable_constant(constants);
        let range = RangeTableConfig::configure(meta, plan.limb_bits.clamp(1, 27));
        let chips = Chips::configure(meta, &plan, &range);
        let usable_rows = (1usize << plan.k.min(40)).saturating_sub(meta.blinding_factors() + 1);
        ModelConfig { chips, range, instance, constants, plan, usable_rows }
    }

    fn configure(meta: &mut ConstraintSystem<Fr>) -> ModelConfig {
        Self::configure_with_params(meta, CircuitPlan::default())
    }

    fn synthesize(&self, config: ModelConfig, mut layouter: impl Layouter<Fr>) -> Result<(), Error> {
        let k = self.plan.k;
        if config.plan != self.plan {
            return Err(Error::Synthesis);
        }
        config.range.load(&mut layouter, &crate::plan::range_widths(&self.graph, self.plan.limb_bits))?;
        if let Some(lookup) = &config.chips.lookup {
            let tables: Vec<Vec<(i64, i64)>> =
                crate::chips::lookup::distinct_tables(&self.graph).iter().map(|t| t.table()).collect();
            lookup.load(&mut layouter, &tables)?;
        }
        let overrides: HashMap<(AdviceRef, usize), Fr> =
            self.overrides.iter().map(|o| ((o.column, o.row), o.value)).collect();
        let public = layouter.assign_region(
            || "model",
            |mut region| {
                let sink = RegionSink { region: &mut region, cfg: &config, overrides, err: None };
                let (sink, public) =
                    walk::assign(&self.graph, &self.plan, self.witness.as_deref(), config.usable_rows, sink)
                        .map_err(|e| synthesis_error(e, k))?;
                match sink.err {
                    Some(e) => Err(e),
                    None => Ok(public),
                }
            },
        )?;
        for (row, l) in public.instance.iter().enumerate() {
            let col = config.chips.advice(l.col).ok_or(Error::Synthesis)?;
            layouter.constrain_instance(Cell { row_offset: l.row, column: col.into() }, config.instance, row);
        }
        Ok(())
    }
}
