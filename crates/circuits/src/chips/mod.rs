//! The chips, one file per quantized primitive: each with its gates, its columns by name
//! ([`ChipColumns`]), the rows a node takes and its assignment ([`crate::walk::NodeLayout`]);
//! plus the shared range table. `Div` has no gates of its own (it composes the product, dot and
//! requant chips) and `Gather` has no cells.
//!
//! This file is the registry: a chip with columns of its own is its file plus one line in each
//! of [`AdviceRef`], [`FixedRef`], [`SelRef`] (with their `From`), [`Chips`] (its config,
//! configure call and three mapper arms) and [`ChipRows`] (its row counter). Every match here is
//! exhaustive, so a missing line is a compiler error.

pub mod div;
pub mod dot;
pub mod gather;
pub mod lookup;
pub mod mul;
pub mod pack;
pub mod poseidon;
pub mod range;
pub mod requant;

use halo2_axiom::plonk::{Advice, Column, ConstraintSystem, Expression, Fixed, Selector};
use serde::{Deserialize, Serialize};

use self::dot::{DotAdvice, DotConfig, DotFixed, DotSelector};
use self::lookup::{LookupAdvice, LookupConfig, LookupFixed, LookupSelector};
use self::mul::{MulAdvice, MulConfig, MulSelector};
use self::pack::{PackAdvice, PackConfig, PackSelector};
use self::poseidon::{PoseidonAdvice, PoseidonConfig, PoseidonFixed, PoseidonSelector};
use self::range::RangeTableConfig;
use self::requant::{RequantAdvice, RequantConfig, RequantFixed, RequantSelector};
use crate::{CircuitPlan, Fr};

/// Sum of expressions (zero for an empty list).
pub(crate) fn sum(terms: impl IntoIterator<Item = Expression<Fr>>) -> Expression<Fr> {
    terms.into_iter().reduce(|a, b| a + b).unwrap_or(Expression::Constant(Fr::zero()))
}

/// A chip's columns by name: how the names its assignment writes map to halo2 columns.
pub(crate) trait ChipColumns {
    /// The chip's advice columns.
    type Advice;
    /// The chip's fixed columns ([`NoFixed`] if none).
    type Fixed;
    /// The chip's selectors.
    type Selector;
    /// The halo2 column of an advice name (`None`: the plan has no such column).
    fn advice(&self, c: Self::Advice) -> Option<Column<Advice>>;
    /// The halo2 column of a fixed name (`None`: the plan has no such column).
    fn fixed(&self, c: Self::Fixed) -> Option<Column<Fixed>>;
    /// The selector of a name.
    fn selector(&self, s: Self::Selector) -> Selector;
}

/// The fixed columns of a chip that has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoFixed {}

/// A logical advice column of the circuit (chip and column by name): names cells in
/// overrides, audits and the witness search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AdviceRef {
    /// A column of the dot-product chip.
    Dot(DotAdvice),
    /// A column of the requant chip.
    Requant(RequantAdvice),
    /// A column of the product chip.
    Mul(MulAdvice),
    /// A column of the lookup chip.
    Lookup(LookupAdvice),
    /// A column of the Poseidon chip.
    Poseidon(PoseidonAdvice),
    /// A column of the pack chip.
    Pack(PackAdvice),
}

/// A logical fixed column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FixedRef {
    Dot(DotFixed),
    Requant(RequantFixed),
    Lookup(LookupFixed),
    Poseidon(PoseidonFixed),
}

/// A selector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SelRef {
    Dot(DotSelector),
    Requant(RequantSelector),
    Mul(MulSelector),
    Lookup(LookupSelector),
    Poseidon(PoseidonSelector),
    Pack(PackSelector),
}

/// `impl From<$name> for $enum` for each registered chip column name.
macro_rules! names {
    ($enum:ident: $($variant:ident($name:ty)),* $(,)?) => {$(
        impl From<$name> for $enum {
            fn from(c: $name) -> Self {
                Self::$variant(c)
            }
        }
    )*};
}
names!(
    AdviceRef: Dot(DotAdvice),
    Requant(RequantAdvice),
    Mul(MulAdvice),
    Lookup(LookupAdvice),
    Poseidon(PoseidonAdvice),
    Pack(PackAdvice)
);
names!(FixedRef: Dot(DotFixed), Requant(RequantFixed), Lookup(LookupFixed), Poseidon(PoseidonFixed));
names!(
    SelRef: Dot(DotSelector),
    Requant(RequantSelector),
    Mul(MulSelector),
    Lookup(LookupSelector),
    Poseidon(PoseidonSelector),
    Pack(PackSelector)
);

/// The configured chips of one plan (the optional ones only when the plan uses them).
#[derive(Debug, Clone)]
pub struct Chips {
    /// Dot-product chip (Linear nodes).
    pub dot: DotConfig,
    /// Requant chip (rescale, ReLU, range checks; also holds the ZERO/ONE cells).
    pub requant: RequantConfig,
    /// Product chip, when the plan has lanes.
    pub mul: Option<MulConfig>,
    /// Lookup chip and its nonlinear tables, when the plan has them.
    pub lookup: Option<LookupConfig>,
    /// Poseidon chip, when the plan hashes an input, an output or the parameters.
    pub poseidon: Option<PoseidonConfig>,
    /// Pack chip, when the plan hashes parameter weights.
    pub pack: Option<PackConfig>,
}

impl Chips {
    /// Allocates every chip `plan` uses, in a fixed order (the verifying key depends on it).
    pub(crate) fn configure(meta: &mut ConstraintSystem<Fr>, plan: &CircuitPlan, range: &RangeTableConfig) -> Self {
        let (n, m) = (plan.dot_inputs.max(1), plan.dot_outputs.max(1));
        let dot = DotConfig::configure(meta, n, m, plan.params_fixed);
        let requant = RequantConfig::configure(meta, plan.limbs, plan.stacked_limbs, range);
        let mul = (plan.mul_lanes > 0).then(|| MulConfig::configure(meta, plan.mul_lanes));
        let lookup = plan.lookup.then(|| LookupConfig::configure(meta));
        let poseidon = plan.poseidon.then(|| PoseidonConfig::configure(meta, plan.poseidon_pairs));
        let pack = plan.pack.then(|| PackConfig::configure(meta));
        Self { dot, requant, mul, lookup, poseidon, pack }
    }

    /// The halo2 column behind a logical advice column (`None` if the plan has no such column).
    pub(crate) fn advice(&self, r: AdviceRef) -> Option<Column<Advice>> {
        match r {
            AdviceRef::Dot(c) => self.dot.advice(c),
            AdviceRef::Requant(c) => self.requant.advice(c),
            AdviceRef::Mul(c) => self.mul.as_ref()?.advice(c),
            AdviceRef::Lookup(c) => self.lookup.as_ref()?.advice(c),
            AdviceRef::Poseidon(c) => self.poseidon.as_ref()?.advice(c),
            AdviceRef::Pack(c) => self.pack.as_ref()?.advice(c),
        }
    }

    /// The halo2 column behind a logical fixed column.
    pub(crate) fn fixed(&self, r: FixedRef) -> Option<Column<Fixed>> {
        match r {
            FixedRef::Dot(c) => self.dot.fixed(c),
            FixedRef::Requant(c) => self.requant.fixed(c),
            FixedRef::Lookup(c) => self.lookup.as_ref()?.fixed(c),
            FixedRef::Poseidon(c) => self.poseidon.as_ref()?.fixed(c),
        }
    }

    /// The halo2 selector behind a logical one.
    pub(crate) fn selector(&self, s: SelRef) -> Option<Selector> {
        match s {
            SelRef::Dot(s) => Some(self.dot.selector(s)),
            SelRef::Requant(s) => Some(self.requant.selector(s)),
            SelRef::Mul(s) => Some(self.mul.as_ref()?.selector(s)),
            SelRef::Lookup(s) => Some(self.lookup.as_ref()?.selector(s)),
            SelRef::Poseidon(s) => Some(self.poseidon.as_ref()?.selector(s)),
            SelRef::Pack(s) => Some(self.pack.as_ref()?.selector(s)),
        }
    }
}

/// What a node takes in each chip: rows of the dot, requant and lookup chips, and product
/// lanes (several per row, packed across nodes). Also the walker's counters: what the layout
/// has taken so far (the Poseidon and pack rows are the hashes', after the nodes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ChipRows {
    pub dot: usize,
    pub requant: usize,
    pub mul_lanes: usize,
    pub lookup: usize,
    pub poseidon: usize,
    pub pack: usize,
}

impl ChipRows {
    /// `op` applied field by field.
    fn zip(self, o: Self, op: impl Fn(usize, usize) -> usize) -> Self {
        Self {
            dot: op(self.dot, o.dot),
            requant: op(self.requant, o.requant),
            mul_lanes: op(self.mul_lanes, o.mul_lanes),
            lookup: op(self.lookup, o.lookup),
            poseidon: op(self.poseidon, o.poseidon),
            pack: op(self.pack, o.pack),
        }
    }
}

impl std::ops::Add for ChipRows {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        self.zip(o, |a, b| a + b)
    }
}

/// What was taken between two readings of the walker's counters (counters only grow).
impl std::ops::Sub for ChipRows {
    type Output = Self;
    fn sub(self, o: Self) -> Self {
        self.zip(o, |a, b| a - b)
    }
}
