//! The rank-1 constraint system a model lowers to: rows `⟨a,z⟩ · ⟨b,z⟩ = ⟨c,z⟩` over the
//! assignment `z = (1, public…, witness…)`.
//!
//! Coefficients and honest values are elements of BN254's scalar field (`ark_bn254::Fr`). Most
//! are small integers (a weight, a bias, a table entry, a power of two; a value of the quantized
//! graph or one of its auxiliary values), written with the `i128` helpers; the packed statement
//! words ([`crate::Packing`]) are full field elements. Groth16 proves the rows as they are
//! ([`crate::groth16`]); the witness search reads the same rows in halo2's `Fr`, the same field.

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};
use halo2_axiom::halo2curves::bn256::Fr as HaloFr;
use halo2_axiom::halo2curves::ff::PrimeField as _;

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

/// A linear combination `Σ c_i · v_i`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lc(pub Vec<(Fr, Var)>);

impl Lc {
    /// `c · 1`.
    pub fn constant(c: i128) -> Self {
        if c == 0 {
            Self::default()
        } else {
            Self(vec![(int(c), Var::One)])
        }
    }

    /// `1 · v`.
    pub fn var(v: Var) -> Self {
        Self(vec![(Fr::from(1u8), v)])
    }

    /// Adds `c · v`.
    pub fn term(self, c: i128, v: Var) -> Self {
        self.term_fe(int(c), v)
    }

    /// Adds `c · v` for a field element `c`.
    pub fn term_fe(mut self, c: Fr, v: Var) -> Self {
        if c != Fr::from(0u8) {
            self.0.push((c, v));
        }
        self
    }

    /// Adds every term of `terms`.
    pub fn terms(mut self, terms: impl IntoIterator<Item = (i128, Var)>) -> Self {
        self.0.extend(terms.into_iter().filter(|(c, _)| *c != 0).map(|(c, v)| (int(c), v)));
        self
    }

    /// Adds every term of `other`.
    pub fn plus(mut self, other: &Lc) -> Self {
        self.0.extend_from_slice(&other.0);
        self
    }

    /// `k · self`.
    pub fn scaled(&self, k: i128) -> Self {
        let k: Fr = int(k);
        Self(self.0.iter().map(|&(c, v)| (c * k, v)).collect())
    }

    /// The value under `value` (each variable's field element).
    pub fn eval(&self, value: &dyn Fn(Var) -> Fr) -> Fr {
        self.0.iter().map(|&(c, v)| c * value(v)).sum()
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
    pub fn holds(&self, value: &dyn Fn(Var) -> Fr) -> bool {
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
    pub public: Vec<Fr>,
    /// The witness, in order.
    pub witness: Vec<Fr>,
}

impl Assignment {
    /// The value of `v`.
    pub fn get(&self, v: Var) -> Fr {
        match v {
            Var::One => Fr::from(1u8),
            Var::Public(i) => self.public[i as usize],
            Var::Witness(i) => self.witness[i as usize],
        }
    }
}

impl R1cs {
    /// The first row `assignment` violates, if any.
    pub fn first_unsatisfied(&self, assignment: &Assignment) -> Option<&Row> {
        let value = |v: Var| assignment.get(v);
        self.rows.iter().find(|r| !r.holds(&value))
    }
}

/// The signed integer `x` stands for, when `|x| < 2^127` (the representative nearest zero).
pub fn to_int(x: Fr) -> Option<i128> {
    let small = |y: Fr| {
        let b = y.into_bigint();
        (b.num_bits() < 128).then(|| b.0[0] as i128 | ((b.0[1] as i128) << 64))
    };
    small(x).or_else(|| small(-x).map(|m| -m))
}

/// The canonical little-endian bytes of `x` (the form halo2's `Fr::from_repr` reads: the
/// witness search moves values and coefficients into halo2's copy of the same field this way).
pub fn le_bytes(x: &Fr) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&x.into_bigint().to_bytes_le());
    out
}

/// The element whose canonical little-endian bytes are `bytes` (`None` when they are `≥ p`).
pub fn from_le_bytes(bytes: &[u8; 32]) -> Option<Fr> {
    let x = Fr::from_le_bytes_mod_order(bytes);
    (le_bytes(&x) == *bytes).then_some(x)
}

/// The same element in halo2's copy of BN254's scalar field (both copies hold canonical
/// elements, so the move cannot fail).
pub fn to_halo2(x: &Fr) -> HaloFr {
    Option::from(HaloFr::from_repr(le_bytes(x))).unwrap_or_default()
}

/// The same element in arkworks' copy of BN254's scalar field (the inverse of [`to_halo2`]).
pub fn from_halo2(x: &HaloFr) -> Fr {
    from_le_bytes(&x.to_repr()).unwrap_or_default()
}

/// The field element of a signed integer.
pub fn int<F: PrimeField>(v: i128) -> F {
    let mag = F::from(v.unsigned_abs());
    if v < 0 {
        -mag
    } else {
        mag
    }
}
