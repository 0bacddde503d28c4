//! The witness search over the Groth16 back end's rank-1 constraint system.
//!
//! Same solver, same candidate sets, same verdict as the Halo2 search ([`super::search`]): every
//! variable a row reads is searched, but the private inputs (the prover's by design; one element
//! may be freed, [`SearchOptions::free_input`]), private or hashed parameters (the prover's too)
//! and the public inputs (held by the statement);
//! the public outputs are free, so a changed claimed output shows up as a finding. A row
//! `⟨a,z⟩·⟨b,z⟩ = ⟨c,z⟩` that reads `x` as its last unknown is a polynomial of degree at most 2
//! in it, solved over the whole field (a bit's `b·(b-1) = 0` allows exactly 0 and 1).

use halo2_axiom::halo2curves::ff::Field;
use zkinfer_graph::{InstanceRole, QGraph, Witness};
use zkinfer_r1cs::{lower, to_halo2, Lc, Lowered, PackedSegment, Row, Var};

use super::candidates::small_int;
use super::solver::{Constraint, Solve};
use super::{CellName, SearchError, SearchOptions, SearchReport, Solved};
use crate::Fr;

/// A row over the solver's variables (public inputs first, then witnesses).
struct R1csRow {
    terms: [Vec<(Fr, Option<usize>)>; 3],
    vars: Vec<usize>,
}

/// `l` with coefficients in halo2's field (`None`: the constant 1).
fn terms(l: &Lc, index: &dyn Fn(Var) -> Option<usize>) -> Vec<(Fr, Option<usize>)> {
    l.0.iter().map(|(c, v)| (to_halo2(c), index(*v))).collect()
}

impl R1csRow {
    fn new(row: &Row, index: &dyn Fn(Var) -> Option<usize>) -> Self {
        let terms = [terms(&row.a, index), terms(&row.b, index), terms(&row.c, index)];
        let mut vars: Vec<usize> = terms.iter().flatten().filter_map(|t| t.1).collect();
        vars.sort_unstable();
        vars.dedup();
        Self { terms, vars }
    }

    /// Each factor as `(constant, coefficient of x)` with every other variable at its value.
    fn in_x(&self, x: usize, value: &dyn Fn(usize) -> Fr) -> [(Fr, Fr); 3] {
        self.terms.each_ref().map(|t| {
            t.iter().fold((Fr::ZERO, Fr::ZERO), |(c0, c1), &(k, v)| match v {
                Some(v) if v == x => (c0, c1 + k),
                Some(v) => (c0 + k * value(v), c1),
                None => (c0 + k, c1),
            })
        })
    }

    /// A factor as `c + Σ a_i·x_i` over the unknowns.
    fn form(t: &[(Fr, Option<usize>)], value: &dyn Fn(usize) -> Option<Fr>) -> (Fr, Vec<(usize, Fr)>) {
        let mut c = Fr::ZERO;
        let mut unknown: Vec<(usize, Fr)> = Vec::new();
        for &(k, v) in t {
            match v.map(|v| (v, value(v))) {
                None => c += k,
                Some((_, Some(a))) => c += k * a,
                Some((v, None)) => match unknown.iter_mut().find(|(u, _)| *u == v) {
                    Some(e) => e.1 += k,
                    None => unknown.push((v, k)),
                },
            }
        }
        unknown.retain(|(_, k)| *k != Fr::ZERO);
        (c, unknown)
    }
}

impl Constraint for R1csRow {
    fn vars(&self) -> &[usize] {
        &self.vars
    }

    fn check(&self, value: &dyn Fn(usize) -> Fr) -> bool {
        let eval = |t: &[(Fr, Option<usize>)]| t.iter().map(|&(k, v)| k * v.map_or(Fr::ONE, value)).sum::<Fr>();
        eval(&self.terms[0]) * eval(&self.terms[1]) == eval(&self.terms[2])
    }

    fn solve(&self, x: usize, value: &dyn Fn(usize) -> Fr) -> Solve {
        let [(a0, a1), (b0, b1), (c0, c1)] = self.in_x(x, value);
        // (a0 + a1 x)(b0 + b1 x) - (c0 + c1 x) = A x^2 + B x + C.
        let (qa, qb, qc) = (a1 * b1, a0 * b1 + a1 * b0 - c1, a0 * b0 - c0);
        if qa == Fr::ZERO {
            return match Option::<Fr>::from(qb.invert()) {
                Some(inv) => Solve::Values(vec![-qc * inv]),
                None if qc == Fr::ZERO => Solve::Any,
                None => Solve::Values(Vec::new()),
            };
        }
        let disc = qb.square() - qa * qc * Fr::from(4);
        let (Some(root), Some(inv)) = (Option::<Fr>::from(disc.sqrt()), Option::<Fr>::from(qa.double().invert()))
        else {
            return Solve::Values(Vec::new());
        };
        let mut roots = vec![(-qb + root) * inv, (-qb - root) * inv];
        roots.dedup();
        Solve::Values(roots)
    }

    fn linear(&self, value: &dyn Fn(usize) -> Option<Fr>) -> Option<(Fr, Vec<(usize, Fr)>)> {
        let [a, b, c] = &self.terms;
        let (a, b, c) = (Self::form(a, value), Self::form(b, value), Self::form(c, value));
        let (known, (k, mut terms)) = match (a.1.is_empty(), b.1.is_empty()) {
            (true, _) => (a.0, b),
            (_, true) => (b.0, a),
            _ => return None,
        };
        // known · (k + Σ t) - (c + Σ u)
        terms.iter_mut().for_each(|t| t.1 *= known);
        for (u, coeff) in c.1 {
            match terms.iter_mut().find(|t| t.0 == u) {
                Some(t) => t.1 -= coeff,
                None => terms.push((u, -coeff)),
            }
        }
        terms.retain(|t| t.1 != Fr::ZERO);
        Some((known * k - c.0, terms))
    }
}

/// Searches the Groth16 back end's system for `graph` for witnesses other than `witness`'s;
/// see the module docs. Findings name variables as [`CellName::Variable`].
pub fn search(graph: &QGraph, witness: &Witness, opts: &SearchOptions) -> Result<SearchReport, SearchError> {
    let r1cs = |e: zkinfer_r1cs::R1csError| SearchError::Synthesis(e.to_string());
    let Lowered { system, assignment, inputs, packing, params, .. } = lower(graph, Some(witness)).map_err(r1cs)?;
    let assignment = assignment.ok_or_else(|| SearchError::Synthesis("no assignment".into()))?;
    // Solver variables in data-flow order, which the solver branches in: the public inputs,
    // the witness (allocated node by node), then the claimed outputs (the statement's last
    // variables), so that an output is reached once the values it is bound to are.
    let publics = system.public;
    let claimed_outputs = packing.segments.iter().filter(|s| s.role == InstanceRole::Output);
    let claimed: usize = claimed_outputs.map(PackedSegment::words).sum();
    let (stated, witnesses) = (publics - claimed, system.witness);
    let index = |v: Var| match v {
        Var::One => None,
        Var::Public(i) if (i as usize) < stated => Some(i as usize),
        Var::Public(i) => Some(witnesses + i as usize),
        Var::Witness(i) => Some(stated + i as usize),
    };
    let var_of = |i: usize| match i {
        i if i < stated => Var::Public(i as u32),
        i if i < stated + witnesses => Var::Witness((i - stated) as u32),
        i => Var::Public((i - witnesses) as u32),
    };
    let honest_of = |a: &zkinfer_r1cs::Assignment| -> Vec<Fr> {
        let (inputs, outputs) = a.public.split_at(stated);
        inputs.iter().chain(&a.witness).chain(outputs).map(to_halo2).collect()
    };
    let honest = honest_of(&assignment);
    let constraints: Vec<R1csRow> = system.rows.iter().map(|r| R1csRow::new(r, &index)).collect();
    if let Some(r) = constraints.iter().position(|c| !c.check(&|v| honest[v])) {
        return Err(SearchError::Synthesis(format!("the honest witness fails row {r} ({})", system.rows[r].gate)));
    }
    let input_len = inputs.first().map_or(0, Vec::len);
    if let Some(i) = opts.free_input.filter(|&i| i >= input_len) {
        return Err(SearchError::NoSuchInput { index: i, len: input_len });
    }
    let mut read = vec![false; honest.len()];
    constraints.iter().for_each(|c| c.vars.iter().for_each(|&v| read[v] = true));
    // Held: the statement (its input words) and every input element but the free one. A
    // public input's values are held with its words: that the words determine them is the
    // packing's own argument (each slot range-checked below 2^width, so a word has one
    // decoding; SOUNDNESS.md), which a search over many values in one row would spend a million
    // nodes confirming.
    let mut active = read.clone();
    (0..stated).for_each(|v| active[v] = false);
    for (k, vars) in inputs.iter().enumerate() {
        for (i, &v) in vars.iter().enumerate() {
            let held = k != 0 || opts.free_input != Some(i);
            if let Some(v) = index(v).filter(|_| held) {
                active[v] = false;
            }
        }
    }
    // Held: the parameters when they are witnesses (private or hashed), the prover's by design
    // as in the Halo2 search; what binds hashed ones is the model id (its rows are searched).
    params.iter().filter_map(|&v| index(v)).for_each(|v| active[v] = false);
    // Free: the claimed outputs.
    (stated + witnesses..honest.len()).for_each(|v| active[v] = read[v]);
    let input_var = opts.free_input.and_then(|i| index(*inputs.first()?.get(i)?));
    if let Some(v) = input_var {
        active[v] = true;
    }
    let mut report = SearchReport {
        variables: honest.len(),
        constraints: constraints.len(),
        unconstrained: (stated..honest.len()).filter(|&v| !read[v]).map(|v| CellName::Variable(var_of(v))).collect(),
        ..SearchReport::default()
    };
    let expected = |solution: &[Fr]| -> Option<Vec<Fr>> {
        let Some(v) = input_var else { return Some(honest.clone()) };
        let x = small_int(solution[v])?;
        let mut ins: Vec<Vec<i64>> = graph.input_tensors().map(|t| witness.values[t].clone()).collect();
        ins[0][opts.free_input?] = x;
        let w = graph.eval_inputs(ins).ok()?;
        Some(honest_of(&lower(graph, Some(&w)).ok()?.assignment?))
    };
    let solved = Solved { honest: &honest, active: &active, input_var, opts };
    solved.run(&constraints, &mut report, &|v| CellName::Variable(var_of(v)), &expected)?;
    Ok(report)
}
