//! Poseidon in R1CS: the chain of circom `Poseidon(5)` permutations that
//! [`zkinfer_poseidon::hash_values`] computes natively and the Halo2 chip lays out, so that a
//! hashed value's public hash is the same field element under both proof systems.
//!
//! The round constants and the MDS matrix are linear, so they cost no row: the state is kept as
//! linear combinations, merged by variable, and only the S-box `x^5` writes rows, three per
//! element it raises (`x·x = x2`, `x2·x2 = x4`, `x4·x = x5`): 8 full rounds of 6 elements and 60
//! partial rounds of one, 108 S-boxes, 324 rows per permutation (circom's own count for
//! `Poseidon(5)` once its linear constraints are folded). Each row determines its product from
//! its inputs, so the whole state, and the hash, is a function of the hashed values
//! (SOUNDNESS.md).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use ark_bn254::Fr;
use ark_ff::Field;
use zkinfer_poseidon::{chain_permutations, Params, CHAIN_RATE, CHAIN_WIDTH};

use crate::builder::Builder;
use crate::system::{from_halo2, Lc, Var};

/// The width-[`CHAIN_WIDTH`] parameters in arkworks' copy of the field.
struct ArkParams {
    round_constants: Vec<Vec<Fr>>,
    mds: Vec<Vec<Fr>>,
    native: &'static Params,
}

fn params() -> &'static ArkParams {
    static PARAMS: OnceLock<ArkParams> = OnceLock::new();
    PARAMS.get_or_init(|| {
        let native = Params::for_width(CHAIN_WIDTH).unwrap_or_else(|_| unreachable!("width 6 has parameters"));
        let matrix =
            |m: &[Vec<zkinfer_poseidon::Fr>]| m.iter().map(|row| row.iter().map(from_halo2).collect()).collect();
        ArkParams { round_constants: matrix(&native.round_constants), mds: matrix(&native.mds), native }
    })
}

/// `Σ k_j · lc_j`, one term per variable.
fn combine<'a>(parts: impl IntoIterator<Item = (Fr, &'a Lc)>) -> Lc {
    let mut terms: BTreeMap<Var, Fr> = BTreeMap::new();
    for (k, lc) in parts {
        for &(c, v) in &lc.0 {
            *terms.entry(v).or_default() += k * c;
        }
    }
    Lc(terms.into_iter().filter(|(_, c)| *c != Fr::from(0u8)).map(|(v, c)| (c, v)).collect())
}

/// `x^5` as a new variable: three rows.
fn sbox(b: &mut Builder, x: &Lc) -> Lc {
    let v = b.value(x);
    let x2 = b.witness_fe(v.map(|v| v.square()));
    b.enforce(x.clone(), x.clone(), Lc::var(x2), "poseidon x^2");
    let x4 = b.witness_fe(v.map(|v| v.square().square()));
    b.enforce(Lc::var(x2), Lc::var(x2), Lc::var(x4), "poseidon x^4");
    let x5 = b.witness_fe(v.map(|v| v.square().square() * v));
    b.enforce(Lc::var(x4), x.clone(), Lc::var(x5), "poseidon x^5");
    Lc::var(x5)
}

/// The permutation of `state` (width [`CHAIN_WIDTH`]) in place.
fn permute(b: &mut Builder, state: &mut [Lc]) {
    let p = params();
    for r in 0..p.native.rounds() {
        for (s, &c) in state.iter_mut().zip(&p.round_constants[r]) {
            *s = combine([(Fr::ONE, &*s), (c, &Lc::var(Var::One))]);
        }
        let raised = if p.native.is_full_round(r) { state.len() } else { 1 };
        for s in &mut state[..raised] {
            *s = sbox(b, s);
        }
        let next: Vec<Lc> = p.mds.iter().map(|row| combine(row.iter().copied().zip(state.iter()))).collect();
        state.clone_from_slice(&next);
    }
}

/// [`zkinfer_poseidon::hash_values`] of `values`, as a linear combination of the rows' variables.
pub(crate) fn hash_values(b: &mut Builder, values: &[Lc]) -> Lc {
    let mut h = Lc::constant(values.len() as i128);
    for k in 0..chain_permutations(values.len()) {
        let chunk = &values[k * CHAIN_RATE..values.len().min((k + 1) * CHAIN_RATE)];
        let mut state = vec![Lc::default(); CHAIN_WIDTH];
        state[1] = h;
        state[2..2 + chunk.len()].clone_from_slice(chunk);
        permute(b, &mut state);
        h = state.swap_remove(0);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::system::int;

    /// The R1CS hash of `values`: its value, and whether its rows hold.
    fn hash_in_r1cs(values: &[i128]) -> (Fr, usize, bool) {
        let mut b = Builder::new(true);
        let vars: Vec<Lc> = values.iter().map(|&v| Lc::var(b.witness(Some(v)))).collect();
        let h = hash_values(&mut b, &vars);
        let value = b.value(&h).unwrap_or_default();
        let (system, assignment) = b.finish();
        let assignment = assignment.unwrap_or_default();
        (value, system.rows.len(), system.first_unsatisfied(&assignment).is_none())
    }

    fn native(values: &[i128]) -> Fr {
        let fe: Vec<zkinfer_poseidon::Fr> = values.iter().map(|&v| crate::to_halo2(&int(v))).collect();
        from_halo2(&zkinfer_poseidon::hash_values(&fe))
    }

    #[test]
    fn the_rows_compute_the_native_hash() {
        // No value, part of one permutation, exactly one, and a chain of three (with negatives).
        for values in [vec![], vec![7], vec![1, 2, 3, 4], (-5..5).collect::<Vec<i128>>()] {
            let (h, rows, holds) = hash_in_r1cs(&values);
            assert!(holds, "{values:?}");
            assert_eq!(h, native(&values), "{values:?}");
            assert_eq!(rows, 324 * chain_permutations(values.len()), "{values:?}");
        }
        // The count comes first in the chain, so a value list and its prefix hash apart.
        assert_ne!(native(&[1, 2, 3, 4]), native(&[1, 2, 3]));
    }

    #[test]
    fn a_changed_sbox_value_breaks_a_row() {
        let mut b = Builder::new(true);
        let x = Lc::var(b.witness(Some(3)));
        let h = hash_values(&mut b, &[x]);
        assert!(!h.0.is_empty());
        let (system, assignment) = b.finish();
        let mut assignment = assignment.unwrap();
        for i in [1, 2, 3, 100, assignment.witness.len() - 1] {
            let mut bad = assignment.clone();
            bad.witness[i] += Fr::ONE;
            assert!(system.first_unsatisfied(&bad).is_some(), "witness {i}");
        }
        assignment.witness[0] += Fr::ONE;
        assert!(system.first_unsatisfied(&assignment).is_some(), "the hashed value itself");
    }
}
