//! A multi-party Groth16 setup: whoever joins adds a secret, and the keys are safe as long as
//! one participant dropped theirs.
//!
//! A Groth16 key is made from secrets (`τ, α, β, γ, δ`) that forge proofs in the hands of whoever
//! knows them. The ceremony splits each into factors, one per participant, in two phases as in
//! Bowe, Gabizon and Miers' MMORPG and snarkjs:
//!
//! 1. [`Powers`]: each participant multiplies `τ`, `α` and `β` by their own factors, so the state
//!    holds `τⁱ·G1`, `τⁱ·G2`, `α·τⁱ·G1`, `β·τⁱ·G1` and `β·G2` for every power a circuit of up to
//!    `m` rows needs. This phase does not depend on the circuit.
//! 2. [`Phase2`]: the circuit's key is computed from the powers (a deterministic computation:
//!    anyone repeats it), with `γ = 1` and `δ = 1`, and each participant multiplies `δ` by
//!    their own factor, dividing the `L` and `H` queries by it.
//!
//! Each contribution carries a proof of knowledge of its factors ([`Pok`]): a pairing check
//! that the points moved by a ratio the contributor knows. So nobody can replace the state with
//! one of their own making, which would cancel the factors before theirs. [`Phase2::verify`]
//! checks all of it: the powers are consistent powers, every proof holds, the key is the one the
//! powers give for the circuit, and `L` and `H` were divided by the final `δ`.

mod phase2;
mod pok;
mod powers;

pub use phase2::{DeltaContribution, Phase2};
pub use pok::Pok;
pub use powers::{Contribution, Powers};

/// The QAP domain size (a power of two) that a circuit of `rows` rows and `public` public
/// inputs needs phase-1 powers for: ark-groth16's domain covers the rows and one row per
/// instance variable (the public inputs and the constant one).
pub fn domain_size(rows: usize, public: usize) -> usize {
    (rows + public + 1).max(2).next_power_of_two()
}

#[cfg(test)]
mod tests {
    use ark_bn254::{Fr, G1Affine};
    use ark_ec::{AffineRepr, CurveGroup};
    use rand::SeedableRng;

    use super::*;
    use crate::groth16::{prove, verify};
    use crate::{Assignment, Lc, R1cs, R1csError, Row, Var};

    /// `x·y = t`, `t·x = out` (public), `(x + 3)·1 = s`: three rows, one public input.
    fn system() -> (R1cs, Assignment) {
        let row = |a: Lc, b: Lc, c: Lc| Row { a, b, c, node: 0, gate: "test" };
        let (x, y, t, s) = (Var::Witness(0), Var::Witness(1), Var::Witness(2), Var::Witness(3));
        let rows = vec![
            row(Lc::var(x), Lc::var(y), Lc::var(t)),
            row(Lc::var(t), Lc::var(x), Lc::var(Var::Public(0))),
            row(Lc::var(x).term(3, Var::One), Lc::constant(1), Lc::var(s)),
        ];
        let f = |v: u64| Fr::from(v);
        let assignment = Assignment { public: vec![f(5 * 7 * 5)], witness: vec![f(5), f(7), f(35), f(8)] };
        (R1cs { public: 1, witness: 4, rows }, assignment)
    }

    fn rng() -> rand_chacha::ChaCha20Rng {
        rand_chacha::ChaCha20Rng::seed_from_u64(7)
    }

    fn ceremony() -> (R1cs, Assignment, Powers, Phase2) {
        let (system, assignment) = system();
        let mut powers = Powers::new(domain_size(system.rows.len(), system.public)).unwrap();
        powers.contribute("alice", &mut rng());
        powers.contribute("bob", &mut rand::rngs::OsRng);
        let mut phase2 = Phase2::new(&system, &powers, "test circuit").unwrap();
        phase2.contribute("carol", &mut rng());
        phase2.contribute("dave", &mut rand::rngs::OsRng);
        (system, assignment, powers, phase2)
    }

    fn refused(r: Result<(), R1csError>, what: &str) {
        match r {
            Err(R1csError::Ceremony(m)) => assert!(m.contains(what), "{m}"),
            other => panic!("expected a ceremony error naming '{what}', got {other:?}"),
        }
    }

    #[test]
    fn the_ceremonys_key_proves_and_verifies() {
        let (system, assignment, powers, phase2) = ceremony();
        phase2.verify(&system, &powers).unwrap();
        let proof = prove(&phase2.key, &system, &assignment, &mut rng()).unwrap();
        assert!(verify(&phase2.key.vk, &assignment.public, &proof).unwrap());
        assert!(!verify(&phase2.key.vk, &[Fr::from(176u64)], &proof).unwrap());
        // Before any δ contribution the key is already a working key (δ = 1).
        let start = Phase2::new(&system, &powers, "test circuit").unwrap();
        let proof = prove(&start.key, &system, &assignment, &mut rng()).unwrap();
        assert!(verify(&start.key.vk, &assignment.public, &proof).unwrap());
    }

    #[test]
    fn phase_one_refuses_points_that_are_not_powers() {
        let (_, _, powers, _) = ceremony();
        powers.verify().unwrap();
        let mut bad = powers.clone();
        bad.tau_g1[3] = (bad.tau_g1[3] + G1Affine::generator()).into_affine();
        refused(bad.verify(), "not a sequence of powers");
        let mut bad = powers.clone();
        bad.alpha_tau_g1[2] = bad.alpha_tau_g1[1];
        refused(bad.verify(), "not a sequence of powers");
        let mut bad = powers.clone();
        bad.beta_g2 = bad.tau_g2[1];
        refused(bad.verify(), "β·G2");
    }

    #[test]
    fn a_contribution_cannot_replace_the_ones_before_it() {
        let (_, _, powers, _) = ceremony();
        // Mallory starts over from scratch and presents her state as the continuation.
        let mut fresh = Powers::new(powers.domain_size()).unwrap();
        fresh.contribute("mallory", &mut rng());
        let mut forged = fresh.clone();
        forged.contributions = powers.contributions.clone();
        forged.contributions.push(fresh.contributions[0].clone());
        refused(forged.verify(), "contribution 3 ('mallory')");
        // A proof renamed to someone else no longer holds.
        let mut renamed = powers.clone();
        renamed.contributions[1].name = "eve".into();
        refused(renamed.verify(), "contribution 2 ('eve')");
    }

    #[test]
    fn phase_two_refuses_a_tampered_key() {
        let (system, _, powers, phase2) = ceremony();
        let g = G1Affine::generator();
        let tampered = |edit: &dyn Fn(&mut ark_groth16::ProvingKey<ark_bn254::Bn254>), why: &str| {
            let mut bad = phase2.clone();
            edit(&mut bad.key);
            refused(bad.verify(&system, &powers), why);
        };
        tampered(&|k| k.l_query[0] = (k.l_query[0] + g).into_affine(), "the L query");
        tampered(&|k| k.h_query.swap(0, 1), "the H query");
        tampered(&|k| k.a_query[1] = k.a_query[2], "the A query");
        tampered(&|k| k.b_g1_query.swap(1, 2), "the B in G1 query");
        tampered(&|k| k.b_g2_query[0] = k.b_g2_query[1], "the B in G2 query");
        tampered(&|k| k.vk.gamma_abc_g1[1] = (k.vk.gamma_abc_g1[1] + g).into_affine(), "the γ_abc query");
        tampered(&|k| k.vk.alpha_g1 = k.beta_g1, "not the one these powers give");
        // δ moved without a proof.
        tampered(&|k| k.delta_g1 = (k.delta_g1 * Fr::from(2u8)).into_affine(), "δ·G1");
        let mut other = powers.clone();
        other.contribute("zed", &mut rng());
        refused(phase2.verify(&system, &other), "other phase-1 powers");
    }

    #[test]
    fn powers_too_small_for_the_circuit_are_refused_by_size() {
        let (system, _) = system();
        let powers = Powers::new(4).unwrap();
        match Phase2::new(&system, &powers, "c") {
            Err(R1csError::Ceremony(m)) => assert!(m.contains("domain of 8 points") && m.contains("up to 4"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert!(Powers::new(6).is_err());
    }
}
