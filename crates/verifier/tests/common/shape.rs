//! A circuit whose shape is a parameter: advice columns, lookups, a rotation gate, a fixed
//! column, equality on every column (so several permutation sets), and public instances.

use halo2_axiom::circuit::{Layouter, SimpleFloorPlanner, Value};
use halo2_axiom::halo2curves::bn256::Fr;
use halo2_axiom::plonk::{Advice, Circuit, Column, ConstraintSystem, Error, Fixed, Instance, Selector, TableColumn};
use halo2_axiom::poly::Rotation;

/// The circuit's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shape {
    /// Advice columns (at least 1).
    pub advice: usize,
    /// Lookup arguments (each on its own advice column, round robin).
    pub lookups: usize,
    /// Witness rows.
    pub rows: usize,
    /// Public instances (at most `rows`): `a_0` of the first rows.
    pub instances: usize,
}

#[derive(Debug, Clone)]
pub struct ShapeConfig {
    a: Vec<Column<Advice>>,
    f: Column<Fixed>,
    q: Selector,
    q_next: Selector,
    table: TableColumn,
    instance: Column<Instance>,
}

/// `a_j[r] = r + j`, `f[r] = r`; gates `a_j - a_{j-1} - 1`, `a_0(next) - a_0 - 1`, `a_0 - f`.
#[derive(Debug, Clone)]
pub struct ShapeCircuit(pub Shape);

/// Size of the lookup table.
pub const TABLE: usize = 16;

impl ShapeCircuit {
    pub fn instances(&self) -> Vec<Fr> {
        (0..self.0.instances).map(|r| Fr::from(r as u64)).collect()
    }
}

impl Circuit<Fr> for ShapeCircuit {
    type Config = ShapeConfig;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = Shape;

    fn without_witnesses(&self) -> Self {
        self.clone()
    }

    fn params(&self) -> Shape {
        self.0
    }

    fn configure(_meta: &mut ConstraintSystem<Fr>) -> ShapeConfig {
        unreachable!("configure_with_params is used")
    }

    fn configure_with_params(meta: &mut ConstraintSystem<Fr>, shape: Shape) -> ShapeConfig {
        let a: Vec<Column<Advice>> = (0..shape.advice.max(1)).map(|_| meta.advice_column()).collect();
        let f = meta.fixed_column();
        let instance = meta.instance_column();
        for c in &a {
            meta.enable_equality(*c);
        }
        meta.enable_equality(instance);
        let q = meta.complex_selector();
        let q_next = meta.selector();
        let table = meta.lookup_table_column();
        meta.create_gate("steps", |meta| {
            let s = meta.query_selector(q);
            let cur: Vec<_> = a.iter().map(|c| meta.query_advice(*c, Rotation::cur())).collect();
            let fixed = meta.query_fixed(f, Rotation::cur());
            let mut polys = vec![s.clone() * (cur[0].clone() - fixed)];
            for j in 1..cur.len() {
                polys.push(
                    s.clone()
                        * (cur[j].clone() - cur[j - 1].clone() - halo2_axiom::plonk::Expression::Constant(Fr::from(1))),
                );
            }
            polys
        });
        meta.create_gate("next", |meta| {
            let s = meta.query_selector(q_next);
            let cur = meta.query_advice(a[0], Rotation::cur());
            let next = meta.query_advice(a[0], Rotation::next());
            vec![s * (next - cur - halo2_axiom::plonk::Expression::Constant(Fr::from(1)))]
        });
        for l in 0..shape.lookups {
            let col = a[l % a.len()];
            meta.lookup("range", |meta| {
                let s = meta.query_selector(q);
                vec![(s * meta.query_advice(col, Rotation::cur()), table)]
            });
        }
        ShapeConfig { a, f, q, q_next, table, instance }
    }

    fn synthesize(&self, config: ShapeConfig, mut layouter: impl Layouter<Fr>) -> Result<(), Error> {
        let shape = self.0;
        if shape.lookups > 0 {
            layouter.assign_table(
                || "table",
                |mut t| {
                    for i in 0..TABLE {
                        t.assign_cell(|| "t", config.table, i, || Value::known(Fr::from(i as u64)))?;
                    }
                    Ok(())
                },
            )?;
        }
        let cells = layouter.assign_region(
            || "rows",
            |mut region| {
                let mut first = Vec::new();
                for r in 0..shape.rows {
                    config.q.enable(&mut region, r)?;
                    if r + 1 < shape.rows {
                        config.q_next.enable(&mut region, r)?;
                    }
                    region.assign_fixed(config.f, r, Fr::from(r as u64));
                    for (j, c) in config.a.iter().enumerate() {
                        let cell = region.assign_advice(*c, r, Value::known(Fr::from((r + j) as u64)));
                        if j == 0 {
                            first.push(cell.cell());
                        }
                    }
                }
                Ok(first)
            },
        )?;
        for (r, cell) in cells.into_iter().take(shape.instances).enumerate() {
            layouter.constrain_instance(cell, config.instance, r);
        }
        Ok(())
    }
}
