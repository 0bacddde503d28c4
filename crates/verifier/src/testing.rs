//! A tiny circuit for tests (feature `testing`): `a·b = c` per row, a 4-bit range lookup on
//! `a`, and every `c` copied to the instance column. Its [`ToyParams`] go through
//! `Circuit::Params`, so key (de)serialization is exercised the way `ModelCircuit` uses it.

use halo2_axiom::circuit::{Layouter, SimpleFloorPlanner, Value};
use halo2_axiom::halo2curves::bn256::Fr;
use halo2_axiom::plonk::{Advice, Circuit, Column, ConstraintSystem, Error, Instance, Selector, TableColumn};
use halo2_axiom::poly::Rotation;

/// Size of the range table: `a` must be in `0..TABLE_SIZE`.
pub const TABLE_SIZE: u64 = 16;

/// Circuit parameters: the number of multiplication rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToyParams {
    /// Number of `a·b = c` rows (and public outputs).
    pub rows: usize,
}

impl Default for ToyParams {
    fn default() -> Self {
        Self { rows: 2 }
    }
}

/// Columns and selectors of [`ToyCircuit`].
#[derive(Debug, Clone)]
pub struct ToyConfig {
    a: Column<Advice>,
    b: Column<Advice>,
    c: Column<Advice>,
    q: Selector,
    table: TableColumn,
    instance: Column<Instance>,
}

/// `rows` products `a_i · b_i`, each exposed as public input `i`.
#[derive(Debug, Clone)]
pub struct ToyCircuit {
    /// Shape of the circuit.
    pub params: ToyParams,
    /// Witness pairs `(a_i, b_i)`; `a_i` must be below [`TABLE_SIZE`].
    pub inputs: Vec<(u64, u64)>,
}

impl ToyCircuit {
    /// A circuit whose witness is `(i + 1, 7 + i)` for each row.
    pub fn new(rows: usize) -> Self {
        let inputs = (0..rows as u64).map(|i| ((i % TABLE_SIZE) + 1, 7 + i)).collect();
        Self { params: ToyParams { rows }, inputs }
    }

    /// The public instances a correct proof is made against: the products.
    pub fn instances(&self) -> Vec<Fr> {
        self.inputs.iter().map(|(a, b)| Fr::from(a * b)).collect()
    }
}

impl Circuit<Fr> for ToyCircuit {
    type Config = ToyConfig;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = ToyParams;

    fn without_witnesses(&self) -> Self {
        Self { params: self.params, inputs: vec![(0, 0); self.params.rows] }
    }

    fn params(&self) -> ToyParams {
        self.params
    }

    fn configure_with_params(meta: &mut ConstraintSystem<Fr>, _params: ToyParams) -> ToyConfig {
        Self::configure(meta)
    }

    fn configure(meta: &mut ConstraintSystem<Fr>) -> ToyConfig {
        let a = meta.advice_column();
        let b = meta.advice_column();
        let c = meta.advice_column();
        let instance = meta.instance_column();
        meta.enable_equality(c);
        meta.enable_equality(instance);
        // A lookup input may not contain a simple selector in halo2-axiom.
        let q = meta.complex_selector();
        let table = meta.lookup_table_column();
        meta.create_gate("a*b=c", |meta| {
            let q = meta.query_selector(q);
            let a = meta.query_advice(a, Rotation::cur());
            let b = meta.query_advice(b, Rotation::cur());
            let c = meta.query_advice(c, Rotation::cur());
            vec![q * (a * b - c)]
        });
        meta.lookup("a in range", |meta| {
            let q = meta.query_selector(q);
            let a = meta.query_advice(a, Rotation::cur());
            vec![(q * a, table)]
        });
        ToyConfig { a, b, c, q, table, instance }
    }

    fn synthesize(&self, config: ToyConfig, mut layouter: impl Layouter<Fr>) -> Result<(), Error> {
        layouter.assign_table(
            || "range table",
            |mut table| {
                for i in 0..TABLE_SIZE {
                    table.assign_cell(|| "range", config.table, i as usize, || Value::known(Fr::from(i)))?;
                }
                Ok(())
            },
        )?;
        let cells = layouter.assign_region(
            || "products",
            |mut region| {
                let mut cells = Vec::with_capacity(self.inputs.len());
                for (row, (a, b)) in self.inputs.iter().enumerate() {
                    config.q.enable(&mut region, row)?;
                    region.assign_advice(config.a, row, Value::known(Fr::from(*a)));
                    region.assign_advice(config.b, row, Value::known(Fr::from(*b)));
                    let c = region.assign_advice(config.c, row, Value::known(Fr::from(a * b)));
                    cells.push(c.cell());
                }
                Ok(cells)
            },
        )?;
        for (row, cell) in cells.into_iter().enumerate() {
            layouter.constrain_instance(cell, config.instance, row);
        }
        Ok(())
    }
}
