//! Phase 1: the powers of a secret `τ`, with `α` and `β`, that any circuit of up to `m` rows can
//! be set up from. Each contributor multiplies the secrets by their own and proves they know
//! them, so the result is secret as long as one contributor dropped theirs.

use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::Field;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use ark_std::rand::{CryptoRng, RngCore};

use super::pok::{digest, nonzero, powers_g1, powers_g2, same_ratio, scale_powers, Pok};
use crate::groth16::to_bytes;
use crate::R1csError;

/// The phase-1 state for circuits whose QAP domain has at most `m` points (a power of two):
/// `τⁱ·G1` for `i < 2m−1`, `τⁱ·G2`, `α·τⁱ·G1` and `β·τⁱ·G1` for `i < m`, and `β·G2`, with every
/// contribution that made them.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct Powers {
    /// `τⁱ·G1`, `i < 2m−1`.
    pub tau_g1: Vec<G1Affine>,
    /// `τⁱ·G2`, `i < m`.
    pub tau_g2: Vec<G2Affine>,
    /// `α·τⁱ·G1`, `i < m`.
    pub alpha_tau_g1: Vec<G1Affine>,
    /// `β·τⁱ·G1`, `i < m`.
    pub beta_tau_g1: Vec<G1Affine>,
    /// `β·G2`.
    pub beta_g2: G2Affine,
    /// The contributions, oldest first.
    pub contributions: Vec<Contribution>,
}

/// One phase-1 contribution: who, the points it left, and its proofs of knowledge of the three
/// factors it multiplied `τ`, `α` and `β` by.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct Contribution {
    /// The name the contributor gave.
    pub name: String,
    /// `τ·G1`, `α·G1` and `β·G1` after it.
    pub after: [G1Affine; 3],
    /// Proofs of knowledge of the factors of `τ`, `α` and `β`.
    pub proofs: [Pok; 3],
}

/// The three points a contribution to phase 1 moves, before any contribution.
fn start() -> [G1Affine; 3] {
    [G1Affine::generator(); 3]
}

/// What a contribution's proofs are bound to: the points before it, the secret's name and the
/// contributor's name.
fn transcript(before: &[G1Affine; 3], which: usize, name: &str) -> [u8; 32] {
    let points: Vec<u8> = before.iter().flat_map(to_bytes).collect();
    digest(&[b"zkinfer ceremony phase 1", &points, &[which as u8], name.as_bytes()])
}

impl Powers {
    /// The untouched state (every secret 1) for QAP domains of up to `m` points.
    pub fn new(m: usize) -> Result<Self, R1csError> {
        if !m.is_power_of_two() || m < 2 {
            return Err(R1csError::Invalid(format!(
                "a ceremony's domain size is a power of two of at least 2, not {m}"
            )));
        }
        Ok(Self {
            tau_g1: vec![G1Affine::generator(); 2 * m - 1],
            tau_g2: vec![G2Affine::generator(); m],
            alpha_tau_g1: vec![G1Affine::generator(); m],
            beta_tau_g1: vec![G1Affine::generator(); m],
            beta_g2: G2Affine::generator(),
            contributions: Vec::new(),
        })
    }

    /// The largest QAP domain these powers serve.
    pub fn domain_size(&self) -> usize {
        self.tau_g2.len()
    }

    /// `τ·G1`, `α·G1` and `β·G1` now.
    fn points(&self) -> [G1Affine; 3] {
        let one = G1Affine::generator();
        [
            self.tau_g1.get(1).copied().unwrap_or(one),
            self.alpha_tau_g1.first().copied().unwrap_or(one),
            self.beta_tau_g1.first().copied().unwrap_or(one),
        ]
    }

    /// Multiplies `τ`, `α` and `β` by fresh secrets from `rng`, which are dropped when it
    /// returns, and records the contribution under `name`.
    pub fn contribute<R: RngCore + CryptoRng>(&mut self, name: &str, rng: &mut R) {
        let before = self.points();
        let [tau, alpha, beta] = [nonzero(rng), nonzero(rng), nonzero(rng)];
        scale_powers::<G1Projective>(&mut self.tau_g1, Fr::ONE, tau);
        scale_powers::<G2Projective>(&mut self.tau_g2, Fr::ONE, tau);
        scale_powers::<G1Projective>(&mut self.alpha_tau_g1, alpha, tau);
        scale_powers::<G1Projective>(&mut self.beta_tau_g1, beta, tau);
        self.beta_g2 = (self.beta_g2 * beta).into_affine();
        let factors = [tau, alpha, beta];
        let proofs = std::array::from_fn(|i| Pok::new(factors[i], &transcript(&before, i, name), rng));
        self.contributions.push(Contribution { name: name.to_string(), after: self.points(), proofs });
    }

    /// Checks every contribution's proofs, and that the points are the powers they claim to be:
    /// an error names the first thing that fails.
    pub fn verify(&self) -> Result<(), R1csError> {
        let fail = |what: String| Err(R1csError::Ceremony(format!("phase 1: {what}")));
        let m = self.domain_size();
        if !m.is_power_of_two()
            || m < 2
            || self.tau_g1.len() != 2 * m - 1
            || self.alpha_tau_g1.len() != m
            || self.beta_tau_g1.len() != m
        {
            return fail(format!(
                "the vectors have the wrong lengths ({} τ·G1, {} τ·G2, {} α·τ·G1, {} β·τ·G1)",
                self.tau_g1.len(),
                m,
                self.alpha_tau_g1.len(),
                self.beta_tau_g1.len()
            ));
        }
        if self.tau_g1[0] != G1Affine::generator() || self.tau_g2[0] != G2Affine::generator() {
            return fail("the powers do not start at the generators".into());
        }
        let mut before = start();
        for (k, c) in self.contributions.iter().enumerate() {
            for (i, secret) in ["τ", "α", "β"].iter().enumerate() {
                if !c.proofs[i].check(&transcript(&before, i, &c.name), before[i], c.after[i]) {
                    return fail(format!(
                        "contribution {} ('{}'): its proof of knowledge of the factor of {secret} does not hold",
                        k + 1,
                        c.name
                    ));
                }
            }
            before = c.after;
        }
        if before != self.points() {
            return fail("the points are not the ones the last contribution left".into());
        }
        let g1 = G1Affine::generator();
        let g2 = G2Affine::generator();
        let tau = (g2, self.tau_g2[1]);
        if !powers_g1(&self.tau_g1, tau) || !powers_g1(&self.alpha_tau_g1, tau) || !powers_g1(&self.beta_tau_g1, tau) {
            return fail("a G1 vector is not a sequence of powers of the τ in τ·G2".into());
        }
        if !powers_g2(&self.tau_g2, (g1, self.tau_g1[1])) {
            return fail("τ·G2 is not a sequence of powers of the τ in τ·G1".into());
        }
        if !same_ratio((g1, self.beta_tau_g1[0]), (g2, self.beta_g2)) {
            return fail("β·G2 does not match β·G1".into());
        }
        Ok(())
    }

    /// Keccak-256 of the state (without the contribution list), which phase 2 records.
    pub fn digest(&self) -> [u8; 32] {
        let mut state = Vec::new();
        for p in self.tau_g1.iter().chain(&self.alpha_tau_g1).chain(&self.beta_tau_g1) {
            state.extend(to_bytes(p));
        }
        for p in self.tau_g2.iter().chain([&self.beta_g2]) {
            state.extend(to_bytes(p));
        }
        digest(&[b"zkinfer ceremony powers", &state])
    }
}
