//! Writing the system: variables, rows, and the range checks every gadget shares.
//!
//! A builder runs in one of two modes: with the honest values (proving, the witness search),
//! where every variable gets its value as it is allocated, or without (setup, counting), where
//! the same rows are written and the values are never read. Gadgets pass values as
//! `Option<i128>`, `None` exactly when the builder has none, so the two modes cannot write
//! different systems.

use ark_bn254::Fr;

use crate::system::{int, to_int, Assignment, Lc, R1cs, Row, Var};

/// A system under construction, with its assignment when the values are known.
#[derive(Debug)]
pub struct Builder {
    system: R1cs,
    values: Option<Assignment>,
    node: usize,
}

impl Builder {
    /// An empty system; `with_values` when the honest values will be supplied.
    pub fn new(with_values: bool) -> Self {
        Self { system: R1cs::default(), values: with_values.then(Assignment::default), node: usize::MAX }
    }

    /// Whether the builder records the honest values.
    pub fn has_values(&self) -> bool {
        self.values.is_some()
    }

    /// The node the next rows belong to.
    pub fn at_node(&mut self, node: usize) {
        self.node = node;
    }

    /// A new public input holding the field element `value`.
    pub fn public(&mut self, value: Option<Fr>) -> Var {
        let v = Var::Public(self.system.public as u32);
        self.system.public += 1;
        if let Some(a) = &mut self.values {
            a.public.push(value.unwrap_or_default());
        }
        v
    }

    /// Sets the value of public input `v` (one allocated before its value was known).
    pub fn set_public(&mut self, v: Var, value: Option<Fr>) {
        if let (Some(a), Var::Public(i), Some(x)) = (&mut self.values, v, value) {
            a.public[i as usize] = x;
        }
    }

    /// A new witness variable holding the integer `value`.
    pub fn witness(&mut self, value: Option<i128>) -> Var {
        self.witness_fe(value.map(int))
    }

    /// A new witness variable holding the field element `value`.
    pub fn witness_fe(&mut self, value: Option<Fr>) -> Var {
        let v = Var::Witness(self.system.witness as u32);
        self.system.witness += 1;
        if let Some(a) = &mut self.values {
            a.witness.push(value.unwrap_or_default());
        }
        v
    }

    /// The value of `lc` (`None` without values).
    pub fn value(&self, lc: &Lc) -> Option<Fr> {
        let a = self.values.as_ref()?;
        Some(lc.eval(&|v| a.get(v)))
    }

    /// The value of `lc` as a signed integer (`None` without values). An honest gadget only
    /// asks this of values that are integers of the graph; one that is not (a bug) reads as 0,
    /// and the re-check of every row in [`crate::lower`] names the row it breaks.
    pub fn int(&self, lc: &Lc) -> Option<i128> {
        self.value(lc).map(|x| to_int(x).unwrap_or_default())
    }

    /// Enforces `a · b = c`.
    pub fn enforce(&mut self, a: Lc, b: Lc, c: Lc, gate: &'static str) {
        self.system.rows.push(Row { a, b, c, node: self.node, gate });
    }

    /// Enforces `a = b` (one row, `a · 1 = b`).
    pub fn equal(&mut self, a: Lc, b: Lc, gate: &'static str) {
        self.enforce(a, Lc::constant(1), b, gate);
    }

    /// `n` new boolean variables holding the bits of `value` (returned least significant
    /// first), each forced into `{0, 1}` by `b · (b - 1) = 0`; `value` must lie in `[0, 2^n)`.
    /// They are allocated most significant first, so that a search that fixes variables in
    /// allocation order meets the bit that decides the most first.
    pub fn bits(&mut self, value: Option<i128>, n: u32) -> Vec<Var> {
        let mut bits: Vec<Var> = (0..n)
            .rev()
            .map(|i| {
                let b = self.witness(value.map(|x| (x >> i) & 1));
                self.enforce(Lc::var(b), Lc::var(b).term(-1, Var::One), Lc::default(), "bit");
                b
            })
            .collect();
        bits.reverse();
        bits
    }

    /// `Σ 2^i · bits[i]`.
    pub fn weighted(bits: &[Var]) -> Lc {
        Lc::default().terms(bits.iter().enumerate().map(|(i, &b)| (1i128 << i, b)))
    }

    /// Forces `x` into `[0, 2^n)`: `n` bits and one row recomposing `x` from them. Over the field
    /// the bits' weighted sum takes exactly the integers `[0, 2^n)` (`n < 253`, so no two sums
    /// are equal modulo p), so `x` must be one of them.
    pub fn unsigned(&mut self, x: &Lc, n: u32) -> Vec<Var> {
        let value = self.int(x);
        let bits = self.bits(value, n);
        self.equal(Self::weighted(&bits), x.clone(), "recompose");
        bits
    }

    /// The finished system and its assignment (with values).
    pub fn finish(self) -> (R1cs, Option<Assignment>) {
        (self.system, self.values)
    }
}
