//! The range table shared by every limb lookup of the requant chip: rows `(b - w, v)` for every
//! limb width `w` the circuit uses (always `b`, the full limb) and every `v` in `0..2^w`.
//!
//! A limb `l` of width `w` is looked up as the pair `(T, l)`, with `T` a fixed cell holding its
//! tag `b - w`. The pair is in the table exactly when `l` is one of the field elements
//! `0, 1, …, 2^w - 1`: the width is part of the lookup, so no scaling of `l` is involved and no
//! fraction passes. (A single column `0..2^b` with a partial top limb scaled up to `l·2^(b-w)`
//! admitted every `l = v·2^-(b-w) mod p`, `v < 2^b`.)
//!
//! Why the tag is `b - w` and not `w`: halo2 compresses a looked-up pair to `T·θ + l` with a
//! random `θ`, and the prover commits to the sorted compressed column. A full limb (the common
//! case) has tag 0, so its compressed value is the small integer `l`, and a commitment to small
//! scalars is far cheaper than one to random ones; only partial top limbs pay for a full-size
//! scalar. A cell no element uses (fixed and advice both 0) presents `(0, 0)`, a row of the
//! full width; no gate reads such a cell (its weights are 0).

use halo2_axiom::circuit::{Layouter, Value};
use halo2_axiom::plonk::{ConstraintSystem, Error, TableColumn};

use crate::Fr;

/// The two table columns: limb tag (`b` minus the width) and value.
#[derive(Debug, Clone)]
pub struct RangeTableConfig {
    /// The tag `b - w` of the row's width `w`.
    pub tag: TableColumn,
    /// A value in `0..2^w`.
    pub value: TableColumn,
    /// The widest limb, `b` bits.
    pub bits: u32,
}

/// The widths a table for `widths` with `b`-bit limbs holds: each once, `b` always, increasing.
fn table_widths(widths: &[u32], b: u32) -> Vec<u32> {
    let mut w: Vec<u32> = widths.iter().copied().chain([b]).collect();
    w.sort_unstable();
    w.dedup();
    w
}

/// Rows of a range table holding `widths` (each width once; `b` is always there).
pub fn range_table_rows(widths: &[u32], b: u32) -> usize {
    table_widths(widths, b).iter().map(|&w| 1usize << w.min(40)).sum()
}

/// The tag under which a limb of width `w` is looked up with `b`-bit limbs: `b - w`.
pub fn limb_tag(b: u32, w: u32) -> u64 {
    u64::from(b.saturating_sub(w))
}

impl RangeTableConfig {
    /// Allocates the table columns.
    pub fn configure(meta: &mut ConstraintSystem<Fr>, bits: u32) -> Self {
        Self { tag: meta.lookup_table_column(), value: meta.lookup_table_column(), bits }
    }

    /// Fills the table with every width in `widths` (plus `b`), in increasing order (keygen and
    /// proving alike: it is fixed data).
    pub fn load(&self, layouter: &mut impl Layouter<Fr>, widths: &[u32]) -> Result<(), Error> {
        let widths = table_widths(widths, self.bits);
        layouter.assign_table(
            || "range table",
            |mut table| {
                let mut row = 0;
                for &w in &widths {
                    let tag = Fr::from(limb_tag(self.bits, w));
                    for v in 0..1u64 << w {
                        table.assign_cell(|| "tag", self.tag, row, || Value::known(tag))?;
                        table.assign_cell(|| "value", self.value, row, || Value::known(Fr::from(v)))?;
                        row += 1;
                    }
                }
                Ok(())
            },
        )
    }
}
