//! The range table shared by every limb lookup of the requant chip: rows `(w, v)` for every
//! limb width `w` the circuit uses and every `v` in `0..2^w`.
//!
//! A limb `l` of width `w` is looked up as the pair `(W, l)`, with `W` a fixed cell holding `w`.
//! The pair is in the table exactly when `l` is one of the field elements `0, 1, …, 2^w - 1`:
//! the width is part of the lookup, so no scaling of `l` is involved and no fraction passes.
//! (A single column `0..2^b` with a partial top limb scaled up to `l·2^(b-w)` admitted every
//! `l = v·2^-(b-w) mod p`, `v < 2^b`.) Width 0 holds only `(0, 0)`, the pair every unused limb
//! cell (width and value both zero) presents.

use halo2_axiom::circuit::{Layouter, Value};
use halo2_axiom::plonk::{ConstraintSystem, Error, TableColumn};

use crate::Fr;

/// The two table columns: limb width and value.
#[derive(Debug, Clone)]
pub struct RangeTableConfig {
    /// The width `w` of the row's range.
    pub width: TableColumn,
    /// A value in `0..2^w`.
    pub value: TableColumn,
    /// The widest limb, `b` bits.
    pub bits: u32,
}

/// Rows of a range table holding `widths` (each width once; width 0 is always there).
pub fn range_table_rows(widths: &[u32]) -> usize {
    let mut w: Vec<u32> = widths.iter().copied().chain([0]).collect();
    w.sort_unstable();
    w.dedup();
    w.iter().map(|&w| 1usize << w.min(40)).sum()
}

impl RangeTableConfig {
    /// Allocates the table columns.
    pub fn configure(meta: &mut ConstraintSystem<Fr>, bits: u32) -> Self {
        Self { width: meta.lookup_table_column(), value: meta.lookup_table_column(), bits }
    }

    /// Fills the table with every width in `widths` (plus 0), in increasing order (keygen and
    /// proving alike: it is fixed data).
    pub fn load(&self, layouter: &mut impl Layouter<Fr>, widths: &[u32]) -> Result<(), Error> {
        let mut widths: Vec<u32> = widths.iter().copied().chain([0]).collect();
        widths.sort_unstable();
        widths.dedup();
        layouter.assign_table(
            || "range table",
            |mut table| {
                let mut row = 0;
                for &w in &widths {
                    for v in 0..1u64 << w {
                        table.assign_cell(|| "width", self.width, row, || Value::known(Fr::from(u64::from(w))))?;
                        table.assign_cell(|| "value", self.value, row, || Value::known(Fr::from(v)))?;
                        row += 1;
                    }
                }
                Ok(())
            },
        )
    }
}
