//! The rank-1 constraint system a model lowers to: rows `⟨a,z⟩ · ⟨b,z⟩ = ⟨c,z⟩` over the
//! assignment `z = (1, public…, witness…)`.
//!
//! Coefficients and honest values are integers (`i128`): every coefficient the lowering writes
//! is a weight, a bias, a table entry or a power of two below `2^126`, and every honest value is
//! an integer of the quantized graph or one of its auxiliary values (bits, quotients, products).
//! So one system serves two fields' worth of tools without conversion loss: Groth16 maps it into
//! `ark_bn254::Fr` ([`crate::groth16`]), the witness search into halo2's `Fr`
//! ([`crate::witness_search`]), and both read the same rows.

use ark_bn254::Fr;
use ark_ff::Field;

/// A variable of the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Var {
    /// The constant 1.
    One,
    /// Public input `i` (the Groth16 statement), in [`zkinfer_graph::InstanceLayout`] order.
    Public(u32),
    /// Witness variable `i`.
    Witness(u32),
}

/// A linear combination `Σ c_i · v_i` with integer coefficients.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lc(pub Vec<(i128, Var)>);

impl Lc {
    /// `c · 1`.
    pub fn constant(c: i128) -> Self {
        if c == 0 {
            Self::default()
        } else {
            Self(vec![(c, Var::One)])
        }
    }

    /// `1 · v`.
    pub fn var(v: Var) -> Self {
        Self(vec![(1, v)])
    }

    /// Adds `c · v`.
    pub fn term(mut self, c: i128, v: Var) -> Self {
        if c != 0 {
            self.0.push((c, v));
        }
        self
    }

    /// Adds every term of `terms`.
    pub fn terms(mut self, terms: impl IntoIterator<Item = (i128, Var)>) -> Self {
        self.0.extend(terms.into_iter().filter(|(c, _)| *c != 0));
        self
    }

    /// The value under `value` (each variable's field element).
    pub fn eval<F: Field>(&self, value: &dyn Fn(Var) -> F) -> F {
        self.0.iter().map(|&(c, v)| int::<F>(c) * value(v)).sum()
    }

    /// The distinct non-constant variables it reads.
    pub fn vars(&self) -> impl Iterator<Item = Var> + '_ {
        self.0.iter().map(|&(_, v)| v).filter(|v| *v != Var::One)
    }
}

/// One constraint `a · b = c`, with what produced it (for people).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Left factor.
    pub a: Lc,
    /// Right factor.
    pub b: Lc,
    /// Product.
    pub c: Lc,
    /// The graph node it proves (`usize::MAX` for the statement's own rows).
    pub node: usize,
    /// Which gadget constraint it is ("bit", "recompose", "relu", ...).
    pub gate: &'static str,
}

impl Row {
    /// Whether it holds under `value`.
    pub fn holds<F: Field>(&self, value: &dyn Fn(Var) -> F) -> bool {
        self.a.eval(value) * self.b.eval(value) == self.c.eval(value)
    }
}

/// The constraint system of one model: its shape depends on the quantized graph alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct R1cs {
    /// Public inputs (the statement), not counting the constant 1.
    pub public: usize,
    /// Witness variables.
    pub witness: usize,
    /// The constraints.
    pub rows: Vec<Row>,
}

/// The values of every variable, for one run of the model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assignment {
    /// The public inputs, in order.
    pub public: Vec<i128>,
    /// The witness, in order.
    pub witness: Vec<i128>,
}

impl Assignment {
    /// The value of `v` (as an integer).
    pub fn get(&self, v: Var) -> i128 {
        match v {
            Var::One => 1,
            Var::Public(i) => self.public[i as usize],
            Var::Witness(i) => self.witness[i as usize],
        }
    }
}

impl R1cs {
    /// The first row `assignment` violates, if any.
    pub fn first_unsatisfied(&self, assignment: &Assignment) -> Option<&Row> {
        let value = |v: Var| int::<Fr>(assignment.get(v));
        self.rows.iter().find(|r| !r.holds(&value))
    }
}

/// The field element of a signed integer.
pub fn int<F: Field>(v: i128) -> F {
    let mag = F::from(v.unsigned_abs());
    if v < 0 {
        -mag
    } else {
        mag
    }
}
