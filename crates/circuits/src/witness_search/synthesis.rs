//! A record of one synthesis: every cell a circuit assigns, the selectors it enables, the
//! copies it asks for and its lookup tables, taken through halo2's own floor planner (the same
//! `synthesize` that keygen, proving and `MockProver` run).

use halo2_axiom::circuit::Value;
use halo2_axiom::plonk::{
    Advice, Any, Assigned, Assignment, Challenge, Circuit, Column, ConstraintSystem, Error, Fixed, FloorPlanner,
    Instance, Selector,
};

use crate::Fr;

/// A cell of any column: (column type, column index, row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct AnyCell {
    pub kind: ColumnKind,
    pub column: usize,
    pub row: usize,
}

/// The type of a column, ordered so that cells sort advice first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum ColumnKind {
    Advice,
    Fixed,
    Instance,
}

impl AnyCell {
    fn of(column: Column<Any>, row: usize) -> Self {
        let kind = match column.column_type() {
            Any::Advice(_) => ColumnKind::Advice,
            Any::Fixed => ColumnKind::Fixed,
            Any::Instance => ColumnKind::Instance,
        };
        Self { kind, column: column.index(), row }
    }
}

/// Everything one synthesis wrote.
#[derive(Debug)]
pub(crate) struct Synthesis {
    /// Rows of the domain (`2^k`).
    pub n: usize,
    /// Rows where gates, lookups and copies apply (`n` minus the blinding rows).
    pub usable: usize,
    /// `[column][row]`: the assigned value, `None` where nothing was assigned.
    pub advice: Vec<Vec<Option<Fr>>>,
    /// Advice cells `(column, row)` in the order the circuit first assigned them (for zkinfer's
    /// circuits, the order of the graph's data flow).
    pub order: Vec<(usize, usize)>,
    /// `[column][row]`: unassigned fixed cells are zero (as in keygen).
    pub fixed: Vec<Vec<Fr>>,
    /// `[selector][row]`.
    pub selectors: Vec<Vec<bool>>,
    /// Copy constraints, in the order the circuit asked for them.
    pub copies: Vec<(AnyCell, AnyCell)>,
    /// `[column][row]` of the instance columns (zero past the given values).
    pub instance: Vec<Vec<Fr>>,
    /// The first problem met (a row out of range, an unknown witness value).
    pub error: Option<String>,
}

impl Synthesis {
    /// Synthesizes `circuit` at `k` with the given instance columns.
    pub fn record<C: Circuit<Fr>>(
        circuit: &C,
        k: u32,
        cs: &ConstraintSystem<Fr>,
        config: C::Config,
        instance: &[Vec<Fr>],
    ) -> Result<Self, String> {
        let n = 1usize << k;
        let usable = n.saturating_sub(cs.blinding_factors() + 1);
        if instance.len() != cs.num_instance_columns() {
            return Err(format!(
                "{} instance columns given, the circuit has {}",
                instance.len(),
                cs.num_instance_columns()
            ));
        }
        let instance = instance
            .iter()
            .map(|col| {
                if col.len() > usable {
                    return Err(format!("{} instance values, {usable} usable rows", col.len()));
                }
                let mut v = col.clone();
                v.resize(n, Fr::zero());
                Ok(v)
            })
            .collect::<Result<Vec<_>, String>>()?;
        let mut s = Self {
            n,
            usable,
            advice: vec![vec![None; n]; cs.num_advice_columns()],
            order: Vec::new(),
            fixed: vec![vec![Fr::zero(); n]; cs.num_fixed_columns()],
            selectors: vec![vec![false; n]; cs.num_selectors()],
            copies: Vec::new(),
            instance,
            error: None,
        };
        C::FloorPlanner::synthesize(&mut s, circuit, config, cs.constants().clone())
            .map_err(|e| format!("synthesis failed: {e}"))?;
        match s.error.take() {
            Some(e) => Err(e),
            None => Ok(s),
        }
    }

    /// The value of a cell as the honest synthesis left it (unassigned advice reads as zero).
    pub fn value(&self, c: AnyCell) -> Fr {
        let at = |col: &[Fr]| col.get(c.row % self.n).copied().unwrap_or_default();
        match c.kind {
            ColumnKind::Advice => {
                self.advice.get(c.column).and_then(|col| col.get(c.row % self.n)).copied().flatten().unwrap_or_default()
            }
            ColumnKind::Fixed => self.fixed.get(c.column).map_or(Fr::zero(), |col| at(col)),
            ColumnKind::Instance => self.instance.get(c.column).map_or(Fr::zero(), |col| at(col)),
        }
    }

    fn fail(&mut self, msg: String) {
        self.error.get_or_insert(msg);
    }

    fn check_row(&mut self, what: &str, row: usize) -> bool {
        if row >= self.usable {
            self.fail(format!("{what} at row {row}, past the {} usable rows", self.usable));
            return false;
        }
        true
    }
}

impl Assignment<Fr> for Synthesis {
    fn enter_region<NR, N>(&mut self, _: N)
    where
        NR: Into<String>,
        N: FnOnce() -> NR,
    {
    }

    fn annotate_column<A, AR>(&mut self, _: A, _: Column<Any>)
    where
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
    }

    fn exit_region(&mut self) {}

    fn enable_selector<A, AR>(&mut self, _: A, selector: &Selector, row: usize) -> Result<(), Error>
    where
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        if self.check_row("selector", row) {
            if let Some(cell) = self.selectors.get_mut(selector.index()).and_then(|c| c.get_mut(row)) {
                *cell = true;
            }
        }
        Ok(())
    }

    fn query_instance(&self, column: Column<Instance>, row: usize) -> Result<Value<Fr>, Error> {
        let v = self.instance.get(column.index()).and_then(|c| c.get(row)).ok_or(Error::BoundsFailure)?;
        Ok(Value::known(*v))
    }

    fn assign_advice<'v>(
        &mut self,
        column: Column<Advice>,
        row: usize,
        to: Value<Assigned<Fr>>,
    ) -> Value<&'v Assigned<Fr>> {
        if !self.check_row("advice", row) {
            return Value::unknown();
        }
        let mut value = None;
        to.map(|a| value = Some(a.evaluate()));
        match (value, self.advice.get_mut(column.index()).and_then(|c| c.get_mut(row))) {
            (Some(v), Some(cell)) => {
                if cell.replace(v).is_none() {
                    self.order.push((column.index(), row));
                }
            }
            (None, _) => self.fail(format!("advice column {} row {row}: unknown witness value", column.index())),
            (_, None) => self.fail(format!("advice column {} does not exist", column.index())),
        }
        // Our circuits never read back what they assigned.
        Value::unknown()
    }

    fn assign_fixed(&mut self, column: Column<Fixed>, row: usize, to: Assigned<Fr>) {
        if let Some(cell) = self.fixed.get_mut(column.index()).and_then(|c| c.get_mut(row)) {
            *cell = to.evaluate();
        }
    }

    fn copy(&mut self, left: Column<Any>, left_row: usize, right: Column<Any>, right_row: usize) {
        if self.check_row("copy", left_row) && self.check_row("copy", right_row) {
            self.copies.push((AnyCell::of(left, left_row), AnyCell::of(right, right_row)));
        }
    }

    fn fill_from_row(&mut self, column: Column<Fixed>, row: usize, to: Value<Assigned<Fr>>) -> Result<(), Error> {
        let mut value = None;
        to.map(|a| value = Some(a.evaluate()));
        let v = value.ok_or(Error::Synthesis)?;
        for r in row..self.usable {
            self.assign_fixed(column, r, Assigned::Trivial(v));
        }
        Ok(())
    }

    fn get_challenge(&self, _: Challenge) -> Value<Fr> {
        Value::unknown()
    }

    fn push_namespace<NR, N>(&mut self, _: N)
    where
        NR: Into<String>,
        N: FnOnce() -> NR,
    {
    }

    fn pop_namespace(&mut self, _: Option<String>) {}
}
