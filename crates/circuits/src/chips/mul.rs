//! Elementwise product chip: `lanes` triples `(A, B, C)` per row with `A * B = C`.

use halo2_axiom::plonk::{Advice, Column, ConstraintSystem, Selector};
use halo2_axiom::poly::Rotation;

use crate::Fr;

/// Columns of the product chip.
#[derive(Debug, Clone)]
pub struct MulConfig {
    /// Left factors (copies of activations).
    pub a: Vec<Column<Advice>>,
    /// Right factors (copies of activations).
    pub b: Vec<Column<Advice>>,
    /// Products.
    pub c: Vec<Column<Advice>>,
    /// Enables `A * B = C` on every lane of the row.
    pub q_mul: Selector,
}

impl MulConfig {
    /// Allocates `lanes` equality-enabled triples.
    pub fn configure(meta: &mut ConstraintSystem<Fr>, lanes: usize) -> Self {
        let mut col = || {
            let c = meta.advice_column();
            meta.enable_equality(c);
            c
        };
        let a: Vec<_> = (0..lanes).map(|_| col()).collect();
        let b: Vec<_> = (0..lanes).map(|_| col()).collect();
        let c: Vec<_> = (0..lanes).map(|_| col()).collect();
        let q_mul = meta.selector();
        let cfg = Self { a, b, c, q_mul };
        let g = cfg.clone();
        meta.create_gate("mul", |vc| {
            let q = vc.query_selector(g.q_mul);
            (0..lanes)
                .map(|l| {
                    let a = vc.query_advice(g.a[l], Rotation::cur());
                    let b = vc.query_advice(g.b[l], Rotation::cur());
                    let c = vc.query_advice(g.c[l], Rotation::cur());
                    q.clone() * (a * b - c)
                })
                .collect::<Vec<_>>()
        });
        cfg
    }
}
