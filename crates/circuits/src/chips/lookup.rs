//! Lookup chip: elementwise nonlinearities proven against fixed `(tag, x, f(x))` tables.
//!
//! Every table of the graph ([`zkinfer_graph::TableOp::table`], one tag per distinct table,
//! tags from 1) sits in three table columns after a `(0, 0, 0)` row. On a row with `q` on,
//! `(TAG, IN, OUT)` must be a table row: `IN` (a copy of the source cell) lies in the table's
//! domain and `OUT = f(IN)` exactly. `q` is a complex selector (halo2-axiom does not allow a
//! simple selector in a lookup input); with `q` off the input is `(0, 0, 0)`, always present.
//!
//! Layout: a `Table` node takes one row per element; the tables are loaded once.

use halo2_axiom::circuit::{Layouter, Value};
use halo2_axiom::plonk::{Advice, Column, ConstraintSystem, Error, Fixed, Selector, TableColumn};
use halo2_axiom::poly::Rotation;
use zkinfer_graph::{QGraph, QNode, TableOp};

use serde::{Deserialize, Serialize};

use super::ChipColumns;
use crate::walk::{fe, input_len, malformed, ChipRows, LayoutShape, Loc, NodeLayout, Sink, Walker};
use crate::{CircuitError, Fr};

/// Columns of the lookup chip.
#[derive(Debug, Clone)]
pub struct LookupConfig {
    /// Table input (copy of the source activation).
    pub input: Column<Advice>,
    /// Table output.
    pub out: Column<Advice>,
    /// Which table the row reads (fixed: the verifying key binds the function per element).
    pub tag: Column<Fixed>,
    /// Enables the lookup on a row.
    pub q: Selector,
    /// Table columns: tag, input, output.
    pub table: [TableColumn; 3],
}

impl LookupConfig {
    /// Allocates the chip and its lookup argument.
    pub fn configure(meta: &mut ConstraintSystem<Fr>) -> Self {
        let input = meta.advice_column();
        let out = meta.advice_column();
        meta.enable_equality(input);
        meta.enable_equality(out);
        let cfg = Self {
            input,
            out,
            tag: meta.fixed_column(),
            q: meta.complex_selector(),
            table: [meta.lookup_table_column(), meta.lookup_table_column(), meta.lookup_table_column()],
        };
        let g = cfg.clone();
        meta.lookup("nonlinear table", |vc| {
            let q = vc.query_selector(g.q);
            let tag = vc.query_fixed(g.tag, Rotation::cur());
            let x = vc.query_advice(g.input, Rotation::cur());
            let y = vc.query_advice(g.out, Rotation::cur());
            vec![(q.clone() * tag, g.table[0]), (q.clone() * x, g.table[1]), (q * y, g.table[2])]
        });
        cfg
    }

    /// Fills the table columns: the `(0, 0, 0)` row, then table `t` under tag `t + 1`.
    pub fn load(&self, layouter: &mut impl Layouter<Fr>, tables: &[Vec<(i64, i64)>]) -> Result<(), Error> {
        layouter.assign_table(
            || "nonlinear tables",
            |mut t| {
                let rows = std::iter::once((0i128, 0i64, 0i64)).chain(
                    tables.iter().enumerate().flat_map(|(i, e)| e.iter().map(move |&(x, y)| (i as i128 + 1, x, y))),
                );
                for (row, (tag, x, y)) in rows.enumerate() {
                    for (col, v) in self.table.iter().zip([tag, x as i128, y as i128]) {
                        t.assign_cell(|| "table", *col, row, || Value::known(fe(v)))?;
                    }
                }
                Ok(())
            },
        )
    }
}

/// The distinct tables of `q`, in first-use order: table `i` has tag `i + 1`.
pub(crate) fn distinct_tables(q: &QGraph) -> Vec<&TableOp> {
    zkinfer_graph::distinct_tables(q.tables())
}

/// Rows of the table columns: the `(0, 0, 0)` row plus every entry of every distinct table.
pub(crate) fn table_rows(q: &QGraph) -> usize {
    1 + zkinfer_graph::distinct_table_rows(q.tables())
}

impl<S: Sink> Walker<'_, S> {
    /// Lays out `op`; returns the output cells.
    pub(crate) fn table(&mut self, node: &QNode, op: &TableOp) -> Result<Vec<Loc>, CircuitError> {
        if !self.plan.lookup {
            return Err(CircuitError::NoLookupTable);
        }
        let tag = distinct_tables(self.q).iter().position(|t| *t == op).map_or(0, |i| i + 1);
        let src_t = node.inputs.first().copied().ok_or_else(|| malformed(&node.name, "no input"))?;
        let src = self.tensor_cells(&node.name, src_t)?.to_vec();
        let xs = self.values.get(src_t).ok_or_else(|| malformed(&node.name, "input tensor out of range"))?;
        if xs.len() != src.len() {
            return Err(malformed(&node.name, "input shorter than its values"));
        }
        let mut outs = Vec::with_capacity(xs.len());
        for (&x, &s) in xs.iter().zip(&src) {
            let row = self.taken.lookup;
            self.check_row(row)?;
            self.taken.lookup += 1;
            // Outside the domain the honest witness cannot exist (evaluation refuses it first).
            let y = op.value(x).unwrap_or(0);
            self.sink.enable(LookupSelector::Lookup.into(), row);
            self.sink.fixed(LookupFixed::TableTag.into(), row, fe(tag as i128));
            let cell_in = self.sink.advice(LookupAdvice::In.into(), row, self.val(x as i128));
            self.sink.copy(cell_in, s);
            outs.push(self.sink.advice(LookupAdvice::Out.into(), row, self.val(y as i128)));
        }
        Ok(outs)
    }
}

/// One lookup row per element.
impl NodeLayout for TableOp {
    fn rows(&self, q: &QGraph, node: &QNode, _shape: LayoutShape) -> ChipRows {
        ChipRows { lookup: input_len(q, node), ..ChipRows::default() }
    }

    fn assign<S: Sink>(&self, w: &mut Walker<'_, S>, node: &QNode) -> Result<Vec<Loc>, CircuitError> {
        w.table(node, self)
    }
}

/// The lookup chip's advice columns, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum LookupAdvice {
    /// The table input.
    In,
    /// The table output.
    Out,
}

/// The lookup chip's fixed column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LookupFixed {
    /// Which table a row reads.
    TableTag,
}

/// The lookup chip's selector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LookupSelector {
    /// The lookup on a row.
    Lookup,
}

impl ChipColumns for LookupConfig {
    type Advice = LookupAdvice;
    type Fixed = LookupFixed;
    type Selector = LookupSelector;

    fn advice(&self, c: LookupAdvice) -> Option<Column<Advice>> {
        match c {
            LookupAdvice::In => Some(self.input),
            LookupAdvice::Out => Some(self.out),
        }
    }

    fn fixed(&self, c: LookupFixed) -> Option<Column<Fixed>> {
        match c {
            LookupFixed::TableTag => Some(self.tag),
        }
    }

    fn selector(&self, s: LookupSelector) -> Selector {
        match s {
            LookupSelector::Lookup => self.q,
        }
    }
}
