//! Depth-first search for every assignment of the variables that satisfies all constraints.
//!
//! The search branches on one variable at a time, and gives it the values that can still lead
//! to a solution:
//!
//! * a constraint that reads it as its only unknown allows exactly: the root of a polynomial
//!   linear in it (over the whole field), the values that put a lookup's input in its table
//!   (every table row solved for it), or the candidates that pass a constraint of higher degree;
//! * a linear constraint `k·x + Σ a_i·x_i + c = 0` whose other unknowns each have a finite set of
//!   small integer values allows `x = -(c + t) / k` for each integer `t` their sum can take —
//!   so `x` ranges over everything the constraint admits, fractions included;
//! * a value that leaves some linear constraint on `x` unsatisfiable (its constant outside the
//!   integer range its bounded unknowns span) is dropped: no solution has it.
//!
//! A variable nothing determines takes every value of its candidate set. So the search is
//! exhaustive over the candidate sets and, wherever a constraint determines a cell, over the
//! whole field. Variables are numbered in data-flow order; the next one is chosen near the
//! lowest-numbered unassigned variable (its neighbours through constraints, up to
//! [`NEAR_HOPS`] away), the one with the fewest values, so wrong branches die within one
//! element instead of multiplying across elements. The search stops at `max_nodes` assignments
//! and says so.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use halo2_axiom::halo2curves::ff::{Field, PrimeField};

use super::candidates::small_int;
use crate::Fr;

/// Sums of bounded terms are compared as integers only below this magnitude.
const BOUND: i128 = 1 << 100;
/// A linear constraint narrows a variable to the values its bounded terms imply when they span
/// fewer integers than this.
const IMPLIED: i128 = 1 << 12;

/// How far from the lowest-numbered unassigned variable the choice looks for a determined domain.
const NEAR_HOPS: usize = 3;

/// `c + Σ a_i·x_i` over the unknowns of a constraint.
type LinearForm = (Fr, Vec<(usize, Fr)>);

/// Linear forms computed during one choice.
#[derive(Default)]
struct Memo {
    forms: HashMap<usize, Option<LinearForm>>,
}

fn fe(v: i128) -> Fr {
    let x = Fr::from_u128(v.unsigned_abs());
    if v < 0 {
        -x
    } else {
        x
    }
}

/// What one constraint allows for its last unknown.
#[derive(Debug)]
pub(crate) enum Solve {
    /// Every value (the constraint does not depend on it, and holds).
    Any,
    /// Exactly these values.
    Values(Vec<Fr>),
    /// Too hard to solve: filter the other values through [`Constraint::check`].
    Filter,
}

/// A constraint over numbered variables.
pub(crate) trait Constraint {
    /// The variables it reads (distinct).
    fn vars(&self) -> &[usize];
    /// Whether it holds when every variable it reads has a value.
    fn check(&self, value: &dyn Fn(usize) -> Fr) -> bool;
    /// The values of `x` that satisfy it when every other variable has a value.
    fn solve(&self, x: usize, value: &dyn Fn(usize) -> Fr) -> Solve;
    /// The constraint as `c + Σ a_i·x_i` over the variables that `value` leaves unknown, when it
    /// is linear in them (`None`: not linear, or not a polynomial).
    fn linear(&self, value: &dyn Fn(usize) -> Option<Fr>) -> Option<(Fr, Vec<(usize, Fr)>)>;
}

/// Counters of one search.
#[derive(Debug, Clone, Default)]
pub struct SearchCounts {
    /// Assignments of one variable made.
    pub nodes: u64,
    /// Values taken from a candidate set (a variable no constraint pinned down yet).
    pub candidates_tried: u64,
    /// Values that a constraint determined (roots, table rows).
    pub solved_tried: u64,
    /// Complete assignments that satisfy every constraint.
    pub solutions: u64,
    /// The search visited every branch (it did not stop at `max_nodes`).
    pub complete: bool,
}

struct State<'c, C> {
    constraints: &'c [C],
    /// Constraints reading each variable.
    by_var: Vec<Vec<usize>>,
    value: Vec<Option<Fr>>,
    unknown: Vec<usize>,
    /// Constraints with exactly one unknown, with it and what they allow for it (computed
    /// when the constraint becomes a unit, dropped when it stops being one).
    units: BTreeMap<usize, (usize, Solve)>,
    counts: SearchCounts,
    max_nodes: u64,
}

/// Runs the search. `active` marks the variables to search (the others keep `honest`);
/// `on_solution` sees every satisfying assignment and returns false to stop.
///
/// Variables are numbered in layout order (row, then column), and the search branches on the
/// lowest-numbered variable some constraint has as its last unknown (a variable with a single
/// allowed value first): that closes one element's constraints before it opens the next
/// element's, so wrong branches die locally instead of multiplying across elements.
pub(crate) fn search<C: Constraint>(
    honest: &[Fr],
    active: &[bool],
    constraints: &[C],
    candidates: &dyn Fn(usize) -> Vec<Fr>,
    max_nodes: u64,
    on_solution: &mut dyn FnMut(&[Fr]) -> bool,
) -> SearchCounts {
    let n = honest.len();
    let mut by_var = vec![Vec::new(); n];
    for (i, c) in constraints.iter().enumerate() {
        for &v in c.vars() {
            by_var[v].push(i);
        }
    }
    let value: Vec<Option<Fr>> = (0..n).map(|v| if active[v] { None } else { Some(honest[v]) }).collect();
    let unknown: Vec<usize> = constraints.iter().map(|c| c.vars().iter().filter(|&&v| active[v]).count()).collect();
    let mut s = State {
        constraints,
        by_var,
        value,
        unknown,
        units: BTreeMap::new(),
        counts: SearchCounts { complete: true, ..SearchCounts::default() },
        max_nodes,
    };
    for c in 0..constraints.len() {
        if s.unknown[c] == 1 {
            s.make_unit(c);
        }
    }
    // Constraints with no unknown at all must hold already.
    let all_known = (0..constraints.len()).filter(|&i| s.unknown[i] == 0).all(|i| s.holds(i));
    if all_known {
        s.dfs(candidates, on_solution);
    }
    s.counts
}

impl<C: Constraint> State<'_, C> {
    fn get(&self, v: usize) -> Fr {
        self.value[v].unwrap_or_default()
    }

    fn holds(&self, c: usize) -> bool {
        self.constraints[c].check(&|v| self.get(v))
    }

    fn make_unit(&mut self, c: usize) {
        if let Some(&x) = self.constraints[c].vars().iter().find(|&&v| self.value[v].is_none()) {
            let solve = self.constraints[c].solve(x, &|v| self.get(v));
            self.units.insert(c, (x, solve));
        }
    }

    /// The constraint as `c + Σ a_i·x_i` over its unknowns (memoised for one `choose`).
    fn form<'m>(&self, c: usize, memo: &'m mut Memo) -> Option<&'m LinearForm> {
        memo.forms.entry(c).or_insert_with(|| self.constraints[c].linear(&|v| self.value[v])).as_ref()
    }

    /// Bounds `[lo, hi]` of an unassigned variable that a constraint restricts to a few small
    /// integers (its table rows, say).
    fn bounds(&self, v: usize) -> Option<(i128, i128)> {
        self.by_var[v].iter().find_map(|c| match self.units.get(c) {
            Some((x, Solve::Values(vals))) if *x == v => {
                let ints: Option<Vec<i64>> = vals.iter().map(|&a| small_int(a)).collect();
                let ints = ints?;
                Some((i128::from(*ints.iter().min()?), i128::from(*ints.iter().max()?)))
            }
            _ => None,
        })
    }

    /// The integer range of `Σ a_i·x_i` over the terms other than `x`, when every one has
    /// bounds and a small integer coefficient.
    fn others_range(&self, terms: &[(usize, Fr)], x: usize) -> Option<(i128, i128)> {
        let (mut lo, mut hi) = (0i128, 0i128);
        for &(u, coeff) in terms.iter().filter(|(u, _)| *u != x) {
            let k = i128::from(small_int(coeff)?);
            let (l, h) = self.bounds(u)?;
            let (p, q) = (k * l, k * h);
            lo += p.min(q);
            hi += p.max(q);
        }
        (lo.abs() < BOUND && hi.abs() < BOUND).then_some((lo, hi))
    }

    /// The values `x` may take: those its unit constraints allow, narrowed by every linear
    /// constraint whose other unknowns are bounded (`k·x = -c - Σ a_i·x_i` for each integer the
    /// sum can take), else its candidates; then only those that keep every linear constraint on
    /// `x` feasible. `true`: determined by constraints, not by the candidate set.
    fn domain(&self, x: usize, candidates: &dyn Fn(usize) -> Vec<Fr>, memo: &mut Memo) -> (Vec<Fr>, bool) {
        let mut values: Option<Vec<Fr>> = None;
        let narrow = |values: &mut Option<Vec<Fr>>, v: Vec<Fr>| {
            *values = Some(match values.take() {
                None => v,
                Some(prev) => prev.into_iter().filter(|a| v.contains(a)).collect(),
            });
        };
        let mut filters = Vec::new();
        for &c in &self.by_var[x] {
            match self.units.get(&c) {
                Some((_, Solve::Values(v))) => narrow(&mut values, v.clone()),
                Some((_, Solve::Filter)) => filters.push(c),
                Some((_, Solve::Any)) => {}
                None if self.unknown[c] >= 2 => {
                    let Some((c0, terms)) = self.form(c, memo).cloned() else { continue };
                    let Some(&(_, k)) = terms.iter().find(|(u, _)| *u == x) else { continue };
                    let (Some((lo, hi)), Some(inv)) = (self.others_range(&terms, x), Option::<Fr>::from(k.invert()))
                    else {
                        continue;
                    };
                    if hi - lo < IMPLIED {
                        narrow(&mut values, (lo..=hi).map(|t| -(c0 + fe(t)) * inv).collect());
                    }
                }
                None => {}
            }
            if values.as_ref().is_some_and(Vec::is_empty) {
                return (Vec::new(), true);
            }
        }
        let solved = values.is_some();
        let mut dom = values.unwrap_or_else(|| candidates(x));
        dom.retain(|&a| filters.iter().all(|&c| self.constraints[c].check(&|v| if v == x { a } else { self.get(v) })));
        let linear: Vec<usize> = self.by_var[x].iter().copied().filter(|&c| self.unknown[c] >= 2).collect();
        for c in linear {
            let Some((c0, terms)) = self.form(c, memo).cloned() else { continue };
            let k = terms.iter().find(|(u, _)| *u == x).map_or(Fr::ZERO, |t| t.1);
            let Some((lo, hi)) = self.others_range(&terms, x) else { continue };
            dom.retain(|&a| small_int(-(c0 + k * a)).is_some_and(|t| lo <= i128::from(t) && i128::from(t) <= hi));
        }
        (dom, solved)
    }

    /// The next variable: one some constraint allows a single value; else, near the
    /// lowest-numbered unassigned variable (it and its neighbours in a constraint, and theirs
    /// when none of those has a determined domain), the one with the fewest values,
    /// preferring values determined by constraints over a candidate set.
    fn choose(&self, candidates: &dyn Fn(usize) -> Vec<Fr>) -> Option<(usize, Vec<Fr>, bool)> {
        let mut memo = Memo::default();
        for (x, solve) in self.units.values() {
            if matches!(solve, Solve::Values(v) if v.len() <= 1) {
                let (dom, solved) = self.domain(*x, candidates, &mut memo);
                return Some((*x, dom, solved));
            }
        }
        let x0 = self.value.iter().position(Option::is_none)?;
        let rank = |dom: &Vec<Fr>, solved: bool| {
            (
                if dom.len() <= 1 {
                    0
                } else if solved {
                    1
                } else {
                    2
                },
                dom.len(),
            )
        };
        let mut best: Option<(usize, Vec<Fr>, bool)> = None;
        let mut seen = BTreeSet::from([x0]);
        let mut ring = vec![x0];
        for _hop in 0..=NEAR_HOPS {
            ring.sort_unstable();
            for &x in &ring {
                let (dom, solved) = self.domain(x, candidates, &mut memo);
                if best.as_ref().is_none_or(|b| rank(&dom, solved) < rank(&b.1, b.2)) {
                    best = Some((x, dom, solved));
                }
            }
            if best.as_ref().is_some_and(|b| rank(&b.1, b.2).0 <= 1) {
                break;
            }
            ring = ring
                .iter()
                .flat_map(|&x| self.by_var[x].iter())
                .flat_map(|&c| self.constraints[c].vars().iter().copied())
                .filter(|&v| self.value[v].is_none() && seen.insert(v))
                .collect();
        }
        best
    }

    fn assign(&mut self, x: usize, a: Option<Fr>) -> bool {
        let was_set = self.value[x].is_some();
        self.value[x] = a;
        let mut ok = true;
        for i in 0..self.by_var[x].len() {
            let c = self.by_var[x][i];
            if a.is_some() && !was_set {
                self.unknown[c] -= 1;
            } else if a.is_none() && was_set {
                self.unknown[c] += 1;
            }
            self.units.remove(&c);
            match self.unknown[c] {
                1 => self.make_unit(c),
                0 => ok &= self.holds(c),
                _ => {}
            }
        }
        ok
    }
    /// Returns false to stop the whole search.
    fn dfs(&mut self, candidates: &dyn Fn(usize) -> Vec<Fr>, on_solution: &mut dyn FnMut(&[Fr]) -> bool) -> bool {
        let Some((x, dom, solved)) = self.choose(candidates) else {
            self.counts.solutions += 1;
            let full: Vec<Fr> = (0..self.value.len()).map(|v| self.get(v)).collect();
            return on_solution(&full);
        };
        for a in dom {
            if self.counts.nodes >= self.max_nodes {
                self.counts.complete = false;
                return false;
            }
            self.counts.nodes += 1;
            if solved {
                self.counts.solved_tried += 1;
            } else {
                self.counts.candidates_tried += 1;
            }
            let ok = self.assign(x, Some(a));
            let go_on = !ok || self.dfs(candidates, on_solution);
            self.assign(x, None);
            if !go_on {
                return false;
            }
        }
        true
    }
}
