//! Elementwise product chip: `lanes` triples `(A, B, C)` per row with `A * B = C`.
//!
//! Layout: `Mul` nodes take one lane per element, packed `lanes` per row across nodes.

use halo2_axiom::plonk::{Advice, Column, ConstraintSystem, Fixed, Selector};
use halo2_axiom::poly::Rotation;
use zkinfer_graph::{MulOp, QGraph, QNode};

use serde::{Deserialize, Serialize};

use super::{ChipColumns, NoFixed};
use crate::walk::{malformed, ChipRows, LayoutShape, Loc, NodeLayout, Sink, Walker};
use crate::{CircuitError, Fr};

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

impl<S: Sink> Walker<'_, S> {
    /// Lays out `op`; returns the product cells.
    pub(crate) fn mul(&mut self, node: &QNode, op: &MulOp) -> Result<Vec<Loc>, CircuitError> {
        if self.plan.mul_lanes == 0 {
            return Err(CircuitError::NoMulLanes);
        }
        let (ta, tb) = match node.inputs.as_slice() {
            [a, b] => (*a, *b),
            _ => return Err(malformed(&node.name, "Mul needs exactly two inputs")),
        };
        if op.a_index.len() != op.b_index.len() {
            return Err(malformed(&node.name, "a_index and b_index differ in length"));
        }
        let a_cells = self.tensor_cells(&node.name, ta)?.to_vec();
        let b_cells = self.tensor_cells(&node.name, tb)?.to_vec();
        let mut out = Vec::with_capacity(op.a_index.len());
        for (&ia, &ib) in op.a_index.iter().zip(&op.b_index) {
            let (ia, ib) = (ia as usize, ib as usize);
            let (Some(&ca), Some(&cb)) = (a_cells.get(ia), b_cells.get(ib)) else {
                return Err(malformed(&node.name, "Mul index out of range"));
            };
            let va = self.values[ta][ia] as i128;
            let vb = self.values[tb][ib] as i128;
            out.push(self.mul_lane_assign(Some(ca), cb, va, vb)?.1);
        }
        Ok(out)
    }

    /// A product lane whose left factor is a fresh witness cell (e.g. a quotient); returns the
    /// (factor, product) cells.
    pub(crate) fn mul_fresh_a(&mut self, va: i128, cb: Loc, vb: i128) -> Result<(Loc, Loc), CircuitError> {
        self.mul_lane_assign(None, cb, va, vb)
    }

    /// One product lane `a * b = c`, `a` a copy of `ca` (or fresh), `b` a copy of `cb`; returns
    /// the (a, c) cells.
    fn mul_lane_assign(&mut self, ca: Option<Loc>, cb: Loc, va: i128, vb: i128) -> Result<(Loc, Loc), CircuitError> {
        let lanes = self.plan.mul_lanes;
        if lanes == 0 {
            return Err(malformed("product", "the plan has no product lanes"));
        }
        let (row, lane) = (self.taken.mul_lanes / lanes, self.taken.mul_lanes % lanes);
        if lane == 0 {
            self.check_row(row)?;
            self.sink.enable(MulSelector::Product.into(), row);
        }
        let a = self.sink.advice(MulAdvice::A(lane).into(), row, self.val(va));
        if let Some(ca) = ca {
            self.sink.copy(a, ca);
        }
        let b = self.sink.advice(MulAdvice::B(lane).into(), row, self.val(vb));
        self.sink.copy(b, cb);
        let c = self.sink.advice(MulAdvice::C(lane).into(), row, self.val(va * vb));
        self.taken.mul_lanes += 1;
        Ok((a, c))
    }

    /// Pads the last, partly used product row with `0 * 0 = 0` on copies of ZERO.
    pub(crate) fn finish_mul(&mut self) -> Result<(), CircuitError> {
        while !self.taken.mul_lanes.is_multiple_of(self.plan.mul_lanes) {
            self.mul_lane_assign(Some(self.zero), self.zero, 0, 0)?;
        }
        Ok(())
    }
}

/// One product lane per element.
impl NodeLayout for MulOp {
    fn rows(&self, _q: &QGraph, _node: &QNode, _shape: LayoutShape) -> ChipRows {
        ChipRows { mul_lanes: self.a_index.len(), ..ChipRows::default() }
    }

    fn assign<S: Sink>(&self, w: &mut Walker<'_, S>, node: &QNode) -> Result<Vec<Loc>, CircuitError> {
        w.mul(node, self)
    }
}

/// The product chip's advice columns, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MulAdvice {
    /// Lane `l`, left factor.
    A(usize),
    /// Lane `l`, right factor.
    B(usize),
    /// Lane `l`, product.
    C(usize),
}

/// The product chip's selector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MulSelector {
    /// `A * B = C` on every lane of the row.
    Product,
}

impl ChipColumns for MulConfig {
    type Advice = MulAdvice;
    type Fixed = NoFixed;
    type Selector = MulSelector;

    fn advice(&self, c: MulAdvice) -> Option<Column<Advice>> {
        match c {
            MulAdvice::A(l) => self.a.get(l).copied(),
            MulAdvice::B(l) => self.b.get(l).copied(),
            MulAdvice::C(l) => self.c.get(l).copied(),
        }
    }

    fn fixed(&self, c: NoFixed) -> Option<Column<Fixed>> {
        match c {}
    }

    fn selector(&self, s: MulSelector) -> Selector {
        match s {
            MulSelector::Product => self.q_mul,
        }
    }
}
