//! The range table `0..2^b` shared by every limb lookup of the requant chip.

use halo2_axiom::circuit::{Layouter, Value};
use halo2_axiom::plonk::{ConstraintSystem, Error, TableColumn};

use crate::Fr;

/// One table column holding `0, 1, ..., 2^bits - 1`.
#[derive(Debug, Clone)]
pub struct RangeTableConfig {
    /// The table column.
    pub table: TableColumn,
    /// Limb size in bits.
    pub bits: u32,
}

impl RangeTableConfig {
    /// Allocates the table column.
    pub fn configure(meta: &mut ConstraintSystem<Fr>, bits: u32) -> Self {
        Self { table: meta.lookup_table_column(), bits }
    }

    /// Fills the table (keygen and proving alike: it is fixed data).
    pub fn load(&self, layouter: &mut impl Layouter<Fr>) -> Result<(), Error> {
        let size = 1u64 << self.bits;
        layouter.assign_table(
            || "range table",
            |mut table| {
                for v in 0..size {
                    table.assign_cell(|| "range", self.table, v as usize, || Value::known(Fr::from(v)))?;
                }
                Ok(())
            },
        )
    }
}
