//! Pack chip: folds the range-checked weights of hashed parameters into field elements, so the
//! Poseidon chain hashes [`PACK_PER_ELEMENT`] weights per element instead of one
//! ([`zkinfer_graph::ParamMessage`] defines the packing).
//!
//! Columns `VALUE` and `ACC` (both with equality), one row per weight, and two selectors:
//! * `q_first` (a group's first weight): `ACC = VALUE + 2^(B-1)`;
//! * `q_next` (every other weight of the group): `ACC = ACC(prev) · 2^B + VALUE + 2^(B-1)`.
//!
//! `VALUE` is a copy of the weight's cell in the dot chip, and the same cell is the input of a
//! requant row with shift 0 and `B - 1` value bits, which holds it to the integers
//! `[-2^(B-1), 2^(B-1))` as a field element. So every `VALUE + 2^(B-1)` is one of `0..2^B`, the
//! last `ACC` of a group is the integer `Σ u_i · 2^(B·(g-1-i))` below `2^(14·18) < p` (no
//! wrap-around), and distinct weight groups give distinct elements. That last `ACC` is copied
//! into the Poseidon chain. SOUNDNESS.md has the argument.

use halo2_axiom::plonk::{Advice, Column, ConstraintSystem, Expression, Selector};
use halo2_axiom::poly::Rotation;
use serde::{Deserialize, Serialize};
use zkinfer_graph::{RequantOp, PACK_BITS, PACK_OFFSET, PACK_PER_ELEMENT};

use super::{ChipColumns, NoFixed};
use crate::walk::{fe, Loc, Sink, Walker};
use crate::{CircuitError, Fr};

/// The range check of a packed weight: shift 0 (`IN = Z`), `Z` in `[-2^(B-1), 2^(B-1))`.
pub fn weight_range_check() -> RequantOp {
    RequantOp { shift: 0, relu: false, bits: PACK_BITS - 1 }
}

/// Columns and selectors of the pack chip.
#[derive(Debug, Clone)]
pub struct PackConfig {
    /// A weight (copy of its dot-chip cell).
    pub value: Column<Advice>,
    /// The group's packed value so far.
    pub acc: Column<Advice>,
    /// A group starts on the row.
    pub q_first: Selector,
    /// A group goes on on the row.
    pub q_next: Selector,
}

impl PackConfig {
    /// Allocates the columns and the gate.
    pub fn configure(meta: &mut ConstraintSystem<Fr>) -> Self {
        let (value, acc) = (meta.advice_column(), meta.advice_column());
        meta.enable_equality(value);
        meta.enable_equality(acc);
        let cfg = Self { value, acc, q_first: meta.selector(), q_next: meta.selector() };
        let g = cfg.clone();
        meta.create_gate("pack", |vc| {
            let (first, next) = (vc.query_selector(g.q_first), vc.query_selector(g.q_next));
            let v = vc.query_advice(g.value, Rotation::cur());
            let acc = vc.query_advice(g.acc, Rotation::cur());
            let prev = vc.query_advice(g.acc, Rotation::prev());
            let u = v + Expression::Constant(fe(i128::from(PACK_OFFSET)));
            let shift = Expression::Constant(fe(1i128 << PACK_BITS));
            vec![first * (acc.clone() - u.clone()), next * (acc - prev * shift - u)]
        });
        cfg
    }
}

/// One Horner step of the packing: `acc · 2^B + w + 2^(B-1)`.
fn pack_step(acc: Fr, w: i64) -> Fr {
    acc * Fr::from(1u64 << PACK_BITS) + fe(i128::from(w) + i128::from(PACK_OFFSET))
}

/// The packed field element of one group of weights (Horner, first weight most significant).
pub fn pack_group(group: &[i64]) -> Fr {
    group.iter().fold(Fr::zero(), |acc, &w| pack_step(acc, w))
}

impl<S: Sink> Walker<'_, S> {
    /// Range-checks the weight in each of `cells` (value `weights[i]`) and packs them group by
    /// group; returns the cell of each group's packed element.
    pub(crate) fn pack_weights(&mut self, cells: &[Loc], weights: &[i64]) -> Result<Vec<Loc>, CircuitError> {
        if cells.len() != weights.len() {
            return Err(crate::walk::malformed("hashed parameters", "weight cells and values differ in number"));
        }
        let check = weight_range_check();
        self.check_limbs("hashed parameters", &check)?;
        let mut packed = Vec::with_capacity(weights.len().div_ceil(PACK_PER_ELEMENT));
        for (group_cells, group) in cells.chunks(PACK_PER_ELEMENT).zip(weights.chunks(PACK_PER_ELEMENT)) {
            let (mut acc, mut last) = (Fr::zero(), None);
            for (i, (&cell, &w)) in group_cells.iter().zip(group).enumerate() {
                self.requant_elem(&check, i128::from(w), Some(cell))?;
                let row = self.taken.pack;
                self.check_row(row)?;
                self.taken.pack += 1;
                self.sink.enable(if i == 0 { PackSelector::First } else { PackSelector::Next }.into(), row);
                let v = self.val(i128::from(w));
                let value = self.sink.advice(PackAdvice::Value.into(), row, v);
                self.sink.copy(value, cell);
                acc = pack_step(acc, w);
                let a = self.val_fe(acc);
                last = Some(self.sink.advice(PackAdvice::Acc.into(), row, a));
            }
            packed.extend(last);
        }
        Ok(packed)
    }
}

/// The pack chip's advice columns, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PackAdvice {
    /// A weight.
    Value,
    /// The packed value of the group so far.
    Acc,
}

/// The pack chip's selectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PackSelector {
    /// A group's first weight.
    First,
    /// A later weight of the group.
    Next,
}

impl ChipColumns for PackConfig {
    type Advice = PackAdvice;
    type Fixed = NoFixed;
    type Selector = PackSelector;

    fn advice(&self, c: PackAdvice) -> Option<Column<Advice>> {
        Some(match c {
            PackAdvice::Value => self.value,
            PackAdvice::Acc => self.acc,
        })
    }

    fn fixed(&self, c: NoFixed) -> Option<Column<halo2_axiom::plonk::Fixed>> {
        match c {}
    }

    fn selector(&self, s: PackSelector) -> Selector {
        match s {
            PackSelector::First => self.q_first,
            PackSelector::Next => self.q_next,
        }
    }
}
