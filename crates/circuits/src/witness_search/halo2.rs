//! A halo2 constraint system and one recorded synthesis as a search [`Problem`]: the
//! variables are the copy classes of advice cells (and of the instance cells left free), the
//! constraints every gate polynomial and every lookup on every usable row that can see a
//! variable.

use std::collections::{BTreeMap, HashMap, HashSet};

use halo2_axiom::halo2curves::ff::Field;
use halo2_axiom::plonk::{ConstraintSystem, Expression};

use super::solver::{Constraint, Solve};
use super::synthesis::{AnyCell, ColumnKind, Synthesis};
use crate::Fr;

/// What one constraint instance is, for reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConstraintName {
    /// Polynomial `poly` of gate `gate` on `row`.
    Gate {
        /// The gate's name.
        gate: String,
        /// Index of the polynomial in the gate.
        poly: usize,
        /// Row the gate is evaluated on.
        row: usize,
    },
    /// Lookup `lookup` on `row`.
    Lookup {
        /// The lookup's name.
        lookup: String,
        /// Row of the input.
        row: usize,
    },
}

/// How the cells of one constraint instance are read.
#[derive(Debug)]
enum Body<'a> {
    Gate(&'a Expression<Fr>),
    Lookup { inputs: &'a [Expression<Fr>], table: &'a Table },
}

/// One lookup's table: its rows, and their canonical bytes for membership.
#[derive(Debug)]
struct Table {
    keys: HashSet<Vec<[u8; 32]>>,
    rows: Vec<Vec<Fr>>,
}

/// One gate polynomial or lookup on one row.
#[derive(Debug)]
pub(crate) struct Halo2Constraint<'a> {
    pub name: ConstraintName,
    body: Body<'a>,
    row: usize,
    /// Variables it reads (distinct).
    vars: Vec<usize>,
    ctx: &'a Context<'a>,
}

/// What expressions read besides the variables.
#[derive(Debug)]
pub(crate) struct Context<'a> {
    syn: &'a Synthesis,
    /// Advice cell → variable.
    var_of: HashMap<(usize, usize), usize>,
    /// Advice cells pinned to a value (copies of fixed or instance cells, or cells the caller pins).
    pinned: HashMap<(usize, usize), Fr>,
    max_degree: usize,
}

impl Context<'_> {
    fn eval(&self, e: &Expression<Fr>, row: usize, value: &dyn Fn(usize) -> Fr) -> Fr {
        let n = self.syn.n as i64;
        let at = move |rot: i32| ((row as i64 + i64::from(rot)).rem_euclid(n)) as usize;
        e.evaluate(
            &|c| c,
            &|s| {
                if self.syn.selectors.get(s.index()).and_then(|c| c.get(row)).copied().unwrap_or(false) {
                    Fr::one()
                } else {
                    Fr::zero()
                }
            },
            &|q| self.syn.value(AnyCell { kind: ColumnKind::Fixed, column: q.column_index(), row: at(q.rotation().0) }),
            &|q| {
                let cell = (q.column_index(), at(q.rotation().0));
                match self.var_of.get(&cell) {
                    Some(&v) => value(v),
                    None => match self.pinned.get(&cell) {
                        Some(&p) => p,
                        None => self.syn.value(AnyCell { kind: ColumnKind::Advice, column: cell.0, row: cell.1 }),
                    },
                }
            },
            &|q| {
                self.syn.value(AnyCell {
                    kind: ColumnKind::Instance,
                    column: q.column_index(),
                    row: at(q.rotation().0),
                })
            },
            &|_| Fr::zero(),
            &|a| -a,
            &|a, b| a + b,
            &|a, b| a * b,
            &|a, s| a * s,
        )
    }
}

/// Advice cells an expression reads on `row`, as (column, row).
fn advice_reads(e: &Expression<Fr>, row: usize, n: usize) -> Vec<(usize, usize)> {
    let at = |rot: i32| ((row as i64 + i64::from(rot)).rem_euclid(n as i64)) as usize;
    e.evaluate(
        &|_| vec![],
        &|_| vec![],
        &|_| vec![],
        &|q| vec![(q.column_index(), at(q.rotation().0))],
        &|_| vec![],
        &|_| vec![],
        &|a| a,
        &|mut a, b| {
            a.extend(b);
            a
        },
        &|mut a, b| {
            a.extend(b);
            a
        },
        &|a, _| a,
    )
}

impl Halo2Constraint<'_> {
    /// Whether the constraint's value (or a lookup's input) changes with variable `x`: compared
    /// at pseudo-random points (a nonzero polynomial of low degree vanishes at one with
    /// probability about degree / p).
    fn depends_on(&self, x: usize) -> bool {
        let exprs: Vec<&Expression<Fr>> = match &self.body {
            Body::Gate(e) => vec![*e],
            Body::Lookup { inputs, .. } => inputs.iter().collect(),
        };
        [0x2545_f491_4f6c_dd1du64, 0x9e37_79b9_7f4a_7c15].iter().any(|&seed| {
            let point = |v: usize| Fr::from(seed.rotate_left(v as u32 % 64) ^ (v as u64).wrapping_mul(seed));
            let other = |v: usize| if v == x { point(v) + Fr::from(seed | 1) } else { point(v) };
            exprs.iter().any(|e| self.ctx.eval(e, self.row, &point) != self.ctx.eval(e, self.row, &other))
        })
    }
}

impl Constraint for Halo2Constraint<'_> {
    fn vars(&self) -> &[usize] {
        &self.vars
    }

    fn linear(&self, value: &dyn Fn(usize) -> Option<Fr>) -> Option<(Fr, Vec<(usize, Fr)>)> {
        let Body::Gate(e) = &self.body else { return None };
        let unknown: Vec<usize> = self.vars.iter().copied().filter(|&v| value(v).is_none()).collect();
        let at = |point: &dyn Fn(usize) -> Fr| self.ctx.eval(e, self.row, &|v| value(v).unwrap_or_else(|| point(v)));
        let c = at(&|_| Fr::ZERO);
        let terms: Vec<(usize, Fr)> =
            unknown.iter().map(|&u| (u, at(&|v| if v == u { Fr::ONE } else { Fr::ZERO }) - c)).collect();
        // A polynomial of low degree that matches its linear part at two pseudo-random points
        // is linear (but with probability about degree / p).
        for seed in [0x9e37_79b9_7f4a_7c15u64, 0xbf58_476d_1ce4_e5b9] {
            let point = |v: usize| Fr::from(seed.rotate_left(v as u32 % 64) ^ v as u64) * Fr::from(seed);
            let linear = terms.iter().fold(c, |acc, &(u, a)| acc + a * point(u));
            if at(&point) != linear {
                return None;
            }
        }
        Some((c, terms))
    }

    fn check(&self, value: &dyn Fn(usize) -> Fr) -> bool {
        match &self.body {
            Body::Gate(e) => bool::from(self.ctx.eval(e, self.row, value).is_zero()),
            Body::Lookup { inputs, table } => {
                let t: Vec<[u8; 32]> = inputs.iter().map(|e| repr(self.ctx.eval(e, self.row, value))).collect();
                table.keys.contains(&t)
            }
        }
    }

    fn solve(&self, x: usize, value: &dyn Fn(usize) -> Fr) -> Solve {
        let with = |e: &Expression<Fr>, at: Fr| self.ctx.eval(e, self.row, &|v| if v == x { at } else { value(v) });
        let d = self.ctx.max_degree;
        match &self.body {
            Body::Gate(e) => match univariate(|t| with(e, t), d) {
                Univariate::Constant(c) if bool::from(c.is_zero()) => Solve::Any,
                Univariate::Constant(_) => Solve::Values(vec![]),
                Univariate::Linear(a, b) => Solve::Values(vec![-b * a.invert().unwrap_or(Fr::ZERO)]),
                Univariate::Higher => Solve::Filter,
            },
            Body::Lookup { inputs, table } => {
                let parts: Vec<Univariate> = inputs.iter().map(|e| univariate(|t| with(e, t), d)).collect();
                if let Some((i, (a, b))) = parts.iter().enumerate().find_map(|(i, p)| {
                    if let Univariate::Linear(a, b) = p {
                        Some((i, (*a, *b)))
                    } else {
                        None
                    }
                }) {
                    // Each table row fixes x through component `i`; keep the rows the other
                    // components agree with.
                    let inv = a.invert().unwrap_or(Fr::ZERO);
                    let mut out: Vec<Fr> = table
                        .rows
                        .iter()
                        .map(|t| (t[i] - b) * inv)
                        .filter(|&v| {
                            let tuple: Vec<[u8; 32]> = inputs.iter().map(|e| repr(with(e, v))).collect();
                            table.keys.contains(&tuple)
                        })
                        .collect();
                    out.sort_by_key(|v| repr(*v));
                    out.dedup();
                    return Solve::Values(out);
                }
                if parts.iter().all(|p| matches!(p, Univariate::Constant(_))) {
                    let tuple: Vec<[u8; 32]> = parts
                        .iter()
                        .map(|p| match p {
                            Univariate::Constant(c) => repr(*c),
                            _ => [0; 32],
                        })
                        .collect();
                    return if table.keys.contains(&tuple) { Solve::Any } else { Solve::Values(vec![]) };
                }
                Solve::Filter
            }
        }
    }
}

/// A polynomial in one unknown, classified by its degree.
enum Univariate {
    Constant(Fr),
    /// `a·x + b` with `a ≠ 0`.
    Linear(Fr, Fr),
    /// Degree two or more (or above the bound: not solved, only filtered).
    Higher,
}

/// Classifies `f`, a polynomial of degree at most `max_degree`, by its Newton coefficients
/// (forward differences at `0, 1, …, max_degree`, which determine it).
fn univariate(f: impl Fn(Fr) -> Fr, max_degree: usize) -> Univariate {
    let mut d: Vec<Fr> = (0..=max_degree.max(1) as u64).map(|t| f(Fr::from(t))).collect();
    let (f0, f1) = (d[0], d[1]);
    let mut degree = 0;
    for order in 1..d.len() {
        for i in 0..d.len() - order {
            d[i] = d[i + 1] - d[i];
        }
        if !bool::from(d[0].is_zero()) {
            degree = order;
        }
    }
    match degree {
        0 => Univariate::Constant(f0),
        1 => Univariate::Linear(f1 - f0, f0),
        _ => Univariate::Higher,
    }
}

/// Canonical bytes of a field element (a hashable key).
pub(crate) fn repr(v: Fr) -> [u8; 32] {
    use halo2_axiom::halo2curves::ff::PrimeField;
    v.to_repr()
}

/// Union-find over cells.
#[derive(Default)]
struct Classes {
    parent: HashMap<AnyCell, AnyCell>,
}

impl Classes {
    fn find(&mut self, c: AnyCell) -> AnyCell {
        let p = *self.parent.get(&c).unwrap_or(&c);
        if p == c {
            return c;
        }
        let root = self.find(p);
        self.parent.insert(c, root);
        root
    }

    fn union(&mut self, a: AnyCell, b: AnyCell) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The smaller cell (advice before fixed before instance) is the root.
            let (root, child) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent.insert(child, root);
        }
    }
}

/// Which cells keep their honest value.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pins {
    /// Advice cells (column, row) the statement leaves to the prover by design (private input,
    /// private weights): held at their honest value.
    pub advice: HashSet<(usize, usize)>,
    /// Instance cells (column, row) that are free: their class becomes a variable (the public
    /// outputs, whose claimed value is what an attacker would change).
    pub free_instance: HashSet<(usize, usize)>,
}

/// The variables and constraints of one circuit and witness.
pub(crate) struct Problem<'a> {
    pub context: Context<'a>,
    /// Honest value of each variable.
    pub honest: Vec<Fr>,
    /// One cell of each variable (its first in layout order), for reports.
    pub cell_of: Vec<AnyCell>,
    /// Tables of the lookups, as hashed tuples and as values.
    tables: Vec<Table>,
}

impl<'a> Problem<'a> {
    /// Builds the variables (copy classes of advice cells not pinned) from `syn`.
    pub fn new(syn: &'a Synthesis, cs: &'a ConstraintSystem<Fr>, pins: &Pins) -> Self {
        let mut classes = Classes::default();
        for &(a, b) in &syn.copies {
            classes.union(a, b);
        }
        // Members of each class, and what pins it.
        let mut members: BTreeMap<AnyCell, Vec<AnyCell>> = BTreeMap::new();
        for &(a, b) in &syn.copies {
            for c in [a, b] {
                let root = classes.find(c);
                members.entry(root).or_default().push(c);
            }
        }
        let mut var_of = HashMap::new();
        let mut pinned = HashMap::new();
        let mut honest = Vec::new();
        let mut cell_of = Vec::new();
        let mut add_class = |cells: &[AnyCell],
                             var_of: &mut HashMap<(usize, usize), usize>,
                             pinned: &mut HashMap<(usize, usize), Fr>| {
            let advice: Vec<AnyCell> = cells.iter().copied().filter(|c| c.kind == ColumnKind::Advice).collect();
            if advice.is_empty() {
                return;
            }
            let pin = cells.iter().find_map(|c| match c.kind {
                ColumnKind::Fixed => Some(syn.value(*c)),
                ColumnKind::Instance if !pins.free_instance.contains(&(c.column, c.row)) => Some(syn.value(*c)),
                ColumnKind::Advice if pins.advice.contains(&(c.column, c.row)) => Some(syn.value(*c)),
                _ => None,
            });
            match pin {
                Some(v) => advice.iter().for_each(|c| {
                    pinned.insert((c.column, c.row), v);
                }),
                None => {
                    let id = honest.len();
                    honest.push(syn.value(advice[0]));
                    cell_of.push(advice[0]);
                    advice.iter().for_each(|c| {
                        var_of.insert((c.column, c.row), id);
                    });
                }
            }
        };
        // Copy classes and every other assigned advice cell on its own, numbered in the order
        // the circuit assigned their first cell (the graph's data flow): the solver branches on
        // low numbers first, so a node's cells are decided after its inputs and together.
        let mut groups: Vec<Vec<AnyCell>> = members.into_values().collect();
        let in_class: HashSet<AnyCell> = groups.iter().flatten().copied().collect();
        for &(column, row) in &syn.order {
            let c = AnyCell { kind: ColumnKind::Advice, column, row };
            if !in_class.contains(&c) {
                groups.push(vec![c]);
            }
        }
        for g in &mut groups {
            g.sort();
            g.dedup();
        }
        let rank: HashMap<(usize, usize), usize> = syn.order.iter().enumerate().map(|(i, &c)| (c, i)).collect();
        let first = |g: &Vec<AnyCell>| {
            g.iter()
                .filter(|c| c.kind == ColumnKind::Advice)
                .filter_map(|c| rank.get(&(c.column, c.row)))
                .min()
                .copied()
        };
        groups.sort_by_key(|g| first(g).unwrap_or(usize::MAX));
        for g in &groups {
            add_class(g, &mut var_of, &mut pinned);
        }
        let tables = cs
            .lookups()
            .iter()
            .map(|l| {
                let ctx = Context { syn, var_of: HashMap::new(), pinned: HashMap::new(), max_degree: 0 };
                let tuples: Vec<Vec<Fr>> = (0..syn.usable)
                    .map(|row| l.table_expressions().iter().map(|e| ctx.eval(e, row, &|_| Fr::zero())).collect())
                    .collect();
                Table { keys: tuples.iter().map(|t| t.iter().map(|v| repr(*v)).collect()).collect(), rows: tuples }
            })
            .collect();
        let context = Context { syn, var_of, pinned, max_degree: cs.degree() };
        Self { context, honest, cell_of, tables }
    }

    /// The variable of an advice cell, if it is one.
    pub fn context_var(&self, column: usize, row: usize) -> Option<usize> {
        self.context.var_of.get(&(column, row)).copied()
    }

    /// Every gate polynomial and lookup on every usable row that reads a variable.
    pub fn constraints(&'a self, cs: &'a ConstraintSystem<Fr>) -> Vec<Halo2Constraint<'a>> {
        let syn = self.context.syn;
        let mut out = Vec::new();
        let mut push = |name: ConstraintName, body: Body<'a>, row: usize, reads: Vec<(usize, usize)>| {
            let mut vars: Vec<usize> = reads.iter().filter_map(|c| self.context.var_of.get(c).copied()).collect();
            vars.sort_unstable();
            vars.dedup();
            let mut c = Halo2Constraint { name, body, row, vars, ctx: &self.context };
            // A cell read with a zero coefficient (an unused limb's weight, say) is not read.
            c.vars = c.vars.iter().copied().filter(|&v| c.depends_on(v)).collect();
            if !c.vars.is_empty() {
                out.push(c);
            }
        };
        for row in 0..syn.usable {
            for g in cs.gates() {
                for (i, p) in g.polynomials().iter().enumerate() {
                    // A gate whose selectors are off on this row is identically zero.
                    if !selectors_on(p, row, syn) {
                        continue;
                    }
                    let name = ConstraintName::Gate { gate: g.name().to_string(), poly: i, row };
                    push(name, Body::Gate(p), row, advice_reads(p, row, syn.n));
                }
            }
            for (l, table) in cs.lookups().iter().zip(&self.tables) {
                let reads = l.input_expressions().iter().flat_map(|e| advice_reads(e, row, syn.n)).collect();
                let name = ConstraintName::Lookup { lookup: l.name().to_string(), row };
                push(name, Body::Lookup { inputs: l.input_expressions(), table }, row, reads);
            }
        }
        out
    }
}

/// False when some selector that multiplies the whole of `e` is off on `row` (then `e` is zero
/// whatever the cells hold). Conservative: any other shape counts as on.
fn selectors_on(e: &Expression<Fr>, row: usize, syn: &Synthesis) -> bool {
    match e {
        Expression::Selector(s) => syn.selectors.get(s.index()).and_then(|c| c.get(row)).copied().unwrap_or(false),
        Expression::Product(a, b) => selectors_on(a, row, syn) && selectors_on(b, row, syn),
        Expression::Scaled(a, _) => selectors_on(a, row, syn),
        Expression::Negated(a) => selectors_on(a, row, syn),
        _ => true,
    }
}
