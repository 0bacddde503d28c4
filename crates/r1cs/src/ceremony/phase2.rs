//! Phase 2: one circuit's Groth16 key, made from phase 1's powers by a computation anyone can
//! repeat, then multiplied by each contributor's secret `δ`.

use ark_bn254::{Bn254, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, BigInteger, Field, PrimeField};
use ark_groth16::{ProvingKey, VerifyingKey};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, Matrix, OptimizationGoal, SynthesisMode, R1CS_PREDICATE_LABEL,
};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use ark_std::rand::{CryptoRng, RngCore};
use rayon::prelude::*;

use super::pok::{challenges, combine, digest, nonzero, same_ratio, scale_powers, Pok};
use super::powers::Powers;
use crate::groth16::{ark, to_bytes, Replay};
use crate::{R1cs, R1csError};

/// A circuit's key in the making: the proving key after the contributions so far, the digest of
/// the phase-1 powers it was made from, and the contributions.
#[derive(Clone, Debug, PartialEq, CanonicalSerialize, CanonicalDeserialize)]
pub struct Phase2 {
    /// The proving key (with `γ = 1`), as the last contribution left it.
    pub key: ProvingKey<Bn254>,
    /// [`Powers::digest`] of the powers the key was made from.
    pub powers: [u8; 32],
    /// What the caller named the circuit with (zkinfer: the circuit digest of the settings).
    pub circuit: String,
    /// The contributions, oldest first.
    pub contributions: Vec<DeltaContribution>,
}

/// One phase-2 contribution: who, `δ·G1` after it, and its proof of knowledge of the factor.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct DeltaContribution {
    /// The name the contributor gave.
    pub name: String,
    /// `δ·G1` after it.
    pub after: G1Affine,
    /// Proof of knowledge of the factor of `δ`.
    pub proof: Pok,
}

fn transcript(powers: &[u8; 32], circuit: &str, before: &G1Affine, name: &str) -> [u8; 32] {
    digest(&[b"zkinfer ceremony phase 2", powers, circuit.as_bytes(), &to_bytes(before), name.as_bytes()])
}

/// `system` as arkworks' setup sees it: the three matrices, the instance variables (with the
/// constant one), the witness variables, and the QAP domain (the rows and one row per instance
/// variable).
struct Qap {
    mats: Vec<Matrix<Fr>>,
    rows: usize,
    instances: usize,
    witnesses: usize,
    domain: Radix2EvaluationDomain<Fr>,
}

impl Qap {
    fn of(system: &R1cs) -> Result<Self, R1csError> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Setup);
        Replay { system, assignment: None }.generate_constraints(cs.clone()).map_err(ark)?;
        cs.finalize();
        let mut all = cs.to_matrices().map_err(ark)?;
        let mats = all.remove(R1CS_PREDICATE_LABEL).ok_or_else(|| R1csError::Invalid("no R1CS rows".into()))?;
        let (rows, instances) = (mats[0].len(), cs.num_instance_variables());
        let domain = Radix2EvaluationDomain::<Fr>::new(rows + instances)
            .ok_or_else(|| R1csError::Invalid("the circuit is too large for an FFT domain".into()))?;
        Ok(Self { mats, rows, instances, witnesses: cs.num_witness_variables(), domain })
    }
}

/// Each variable's terms in `matrix`: `(row, coefficient)` pairs, by variable.
fn columns(matrix: &Matrix<Fr>, vars: usize) -> Vec<Vec<(usize, Fr)>> {
    let mut cols = vec![Vec::new(); vars];
    for (row, terms) in matrix.iter().enumerate() {
        for &(c, j) in terms {
            cols[j].push((row, c));
        }
    }
    cols
}

/// Variables with more terms than this get a multi-scalar multiplication of their own (which
/// runs on every core); the others are summed term by term, many variables at once.
const MSM_TERMS: usize = 64;

/// `c·p`, as a short multiplication when `c` or `−c` is small (bit decompositions' powers of
/// two, small integer coefficients).
fn times<G: CurveGroup<ScalarField = Fr>>(p: &G::Affine, c: &Fr) -> G {
    let (c, negative) = if c.into_bigint().num_bits() <= 128 { (*c, false) } else { (-*c, true) };
    let q: G = p.mul_bigint(c.into_bigint());
    if negative {
        -q
    } else {
        q
    }
}

/// `Σ c·basis[row]` over a variable's terms.
fn sum<G: CurveGroup<ScalarField = Fr>>(basis: &[G::Affine], terms: &[(usize, Fr)]) -> G {
    if terms.len() > MSM_TERMS {
        let (points, scalars): (Vec<G::Affine>, Vec<Fr>) = terms.iter().map(|&(row, c)| (basis[row], c)).unzip();
        return G::msm_unchecked(&points, &scalars);
    }
    terms.iter().map(|(row, c)| times::<G>(&basis[*row], c)).sum()
}

/// The Lagrange basis of `domain` at `τ`, in the group, from the powers `τⁱ·G`: their inverse
/// FFT.
fn lagrange<G: CurveGroup<ScalarField = Fr>>(
    domain: &Radix2EvaluationDomain<Fr>,
    powers: &[G::Affine],
) -> Vec<G::Affine> {
    let mut v: Vec<G> = powers[..domain.size()].iter().map(|p| p.into_group()).collect();
    domain.ifft_in_place(&mut v);
    G::normalize_batch(&v)
}

impl Phase2 {
    /// The key of `system` from `powers` with `δ = 1`: what ark-groth16's generator computes
    /// from the secrets, computed from their powers in the group instead (with `γ = 1`, as
    /// snarkjs does). Anyone holding the powers gets the same key.
    pub fn new(system: &R1cs, powers: &Powers, circuit: &str) -> Result<Self, R1csError> {
        let Qap { mats, rows, instances, witnesses, domain } = Qap::of(system)?;
        let m = domain.size();
        if m > powers.domain_size() {
            return Err(R1csError::Ceremony(format!(
                "the circuit needs powers for a domain of {m} points ({rows} rows and {instances} instance \
                 variables); these serve up to {}",
                powers.domain_size()
            )));
        }
        let l1 = lagrange::<G1Projective>(&domain, &powers.tau_g1);
        let l2 = lagrange::<G2Projective>(&domain, &powers.tau_g2);
        let alpha = lagrange::<G1Projective>(&domain, &powers.alpha_tau_g1);
        let beta = lagrange::<G1Projective>(&domain, &powers.beta_tau_g1);

        let vars = instances + witnesses;
        let [ca, cb, cc] = [0, 1, 2].map(|k| columns(&mats[k], vars));
        // Per variable: A, B in G1 and G2, and β·A + α·B + C; an instance variable also has the
        // row `rows + j` of A that ark-groth16 adds for it.
        let each = |j: usize| {
            let mut a = sum::<G1Projective>(&l1, &ca[j]);
            let mut abc = sum::<G1Projective>(&beta, &ca[j])
                + sum::<G1Projective>(&alpha, &cb[j])
                + sum::<G1Projective>(&l1, &cc[j]);
            if j < instances {
                a += l1[rows + j];
                abc += beta[rows + j];
            }
            (a, sum::<G1Projective>(&l1, &cb[j]), sum::<G2Projective>(&l2, &cb[j]), abc)
        };
        // Many-term variables one at a time (their sums are parallel inside), the rest in
        // parallel: never a parallel sum inside a parallel loop, whose nested work stealing
        // can overflow a thread's stack.
        let many = |j: &usize| [&ca, &cb, &cc].iter().any(|c| c[*j].len() > MSM_TERMS);
        let mut per_var: Vec<_> =
            (0..vars).into_par_iter().map(|j| if many(&j) { None } else { Some(each(j)) }).collect();
        for j in (0..vars).filter(many) {
            per_var[j] = Some(each(j));
        }
        let per_var: Vec<_> = per_var.into_iter().flatten().collect();
        let a: Vec<G1Projective> = per_var.iter().map(|v| v.0).collect();
        let b1: Vec<G1Projective> = per_var.iter().map(|v| v.1).collect();
        let b2: Vec<G2Projective> = per_var.iter().map(|v| v.2).collect();
        let abc: Vec<G1Projective> = per_var.iter().map(|v| v.3).collect();
        // τⁱ·(τᵐ − 1)·G1 for i < m − 1: the vanishing polynomial times the powers.
        let h: Vec<G1Projective> =
            (0..m - 1).map(|i| powers.tau_g1[i + m].into_group() - powers.tau_g1[i].into_group()).collect();
        let abc = G1Projective::normalize_batch(&abc);
        let vk = VerifyingKey {
            alpha_g1: powers.alpha_tau_g1[0],
            beta_g2: powers.beta_g2,
            gamma_g2: G2Affine::generator(),
            delta_g2: G2Affine::generator(),
            gamma_abc_g1: abc[..instances].to_vec(),
        };
        let key = ProvingKey {
            vk,
            beta_g1: powers.beta_tau_g1[0],
            delta_g1: G1Affine::generator(),
            a_query: G1Projective::normalize_batch(&a),
            b_g1_query: G1Projective::normalize_batch(&b1),
            b_g2_query: G2Projective::normalize_batch(&b2),
            h_query: G1Projective::normalize_batch(&h),
            l_query: abc[instances..].to_vec(),
        };
        Ok(Self { key, powers: powers.digest(), circuit: circuit.to_string(), contributions: Vec::new() })
    }

    /// Multiplies `δ` by a fresh secret from `rng`, dropped when it returns (the `L` and `H`
    /// queries are divided by it), and records the contribution under `name`.
    pub fn contribute<R: RngCore + CryptoRng>(&mut self, name: &str, rng: &mut R) {
        let before = self.key.delta_g1;
        let x = nonzero(rng);
        let inverse = x.inverse().unwrap_or(Fr::ONE);
        self.key.delta_g1 = (before * x).into_affine();
        self.key.vk.delta_g2 = (self.key.vk.delta_g2 * x).into_affine();
        scale_powers::<G1Projective>(&mut self.key.h_query, inverse, Fr::ONE);
        scale_powers::<G1Projective>(&mut self.key.l_query, inverse, Fr::ONE);
        let proof = Pok::new(x, &transcript(&self.powers, &self.circuit, &before, name), rng);
        self.contributions.push(DeltaContribution { name: name.to_string(), after: self.key.delta_g1, proof });
    }

    /// Checks the whole ceremony behind the key: the powers (phase 1), that the key is the one
    /// they give for `system`, every contribution's proof, and that `L` and `H` were divided by
    /// the `δ` the contributions multiplied. An error names the first thing that fails.
    ///
    /// The key is checked against the powers without repeating [`Phase2::new`]'s group FFTs:
    /// for random `r`, `Σⱼ rⱼ·Aⱼ(τ)·G1` must equal `Σₖ cₖ·τᵏ·G1`, where `c` is the field inverse
    /// FFT of the rows' combination `Σⱼ rⱼ·aᵢⱼ` (the polynomial `Σⱼ rⱼ·Aⱼ` in monomial form). A
    /// key that differs anywhere passes with probability about `1/r`.
    pub fn verify(&self, system: &R1cs, powers: &Powers) -> Result<(), R1csError> {
        let fail = |what: &str| Err(R1csError::Ceremony(format!("phase 2: {what}")));
        powers.verify()?;
        if self.powers != powers.digest() {
            return fail("the key was made from other phase-1 powers than these");
        }
        let Qap { mats, rows, instances, witnesses, domain } = Qap::of(system)?;
        let m = domain.size();
        let k = &self.key;
        let (g1, g2) = (G1Affine::generator(), G2Affine::generator());
        let vars = instances + witnesses;
        let shapes = m <= powers.domain_size()
            && k.a_query.len() == vars
            && k.b_g1_query.len() == vars
            && k.b_g2_query.len() == vars
            && k.vk.gamma_abc_g1.len() == instances
            && k.l_query.len() == witnesses
            && k.h_query.len() == m - 1;
        let fixed = k.vk.alpha_g1 == powers.alpha_tau_g1[0]
            && k.beta_g1 == powers.beta_tau_g1[0]
            && k.vk.beta_g2 == powers.beta_g2
            && k.vk.gamma_g2 == g2;
        if !shapes || !fixed {
            return fail("the key is not the one these powers give for this circuit");
        }

        // The instance and witness variables get separate random weights, since their
        // β·A + α·B + C sit in two vectors (γ_abc and L).
        let r = challenges(vars);
        let (r_in, r_wit) = (&r[..instances], &r[instances..]);
        // Σⱼ rⱼ·(matrix column j) over the rows (and ark-groth16's row per instance variable
        // in A), in monomial form.
        let poly = |matrix: &Matrix<Fr>, weight: &dyn Fn(usize) -> Fr, extra: bool| -> Vec<Fr> {
            let mut w = vec![Fr::ZERO; m];
            for (i, terms) in matrix.iter().enumerate() {
                w[i] = terms.iter().map(|&(c, j)| c * weight(j)).sum();
            }
            if extra {
                for j in 0..instances {
                    w[rows + j] += weight(j);
                }
            }
            domain.ifft_in_place(&mut w);
            w
        };
        let all = |j: usize| r[j];
        let inst = |j: usize| if j < instances { r[j] } else { Fr::ZERO };
        let wit = |j: usize| if j < instances { Fr::ZERO } else { r[j] };
        let at = |v: &[G1Affine], c: &[Fr]| combine::<G1Projective>(&v[..c.len()], c);
        let (a, b) = (poly(&mats[0], &all, true), poly(&mats[1], &all, false));
        let abc = |weight: &dyn Fn(usize) -> Fr| {
            let (a, b, c) =
                (poly(&mats[0], weight, true), poly(&mats[1], weight, false), poly(&mats[2], weight, false));
            (at(&powers.beta_tau_g1, &a).into_group() + at(&powers.alpha_tau_g1, &b) + at(&powers.tau_g1, &c))
                .into_affine()
        };
        let checks = [
            ("A", combine::<G1Projective>(&k.a_query, &r) == at(&powers.tau_g1, &a)),
            ("B in G1", combine::<G1Projective>(&k.b_g1_query, &r) == at(&powers.tau_g1, &b)),
            ("B in G2", combine::<G2Projective>(&k.b_g2_query, &r) == combine::<G2Projective>(&powers.tau_g2[..m], &b)),
            ("γ_abc", combine::<G1Projective>(&k.vk.gamma_abc_g1, r_in) == abc(&inst)),
        ];
        if let Some((what, _)) = checks.iter().find(|(_, ok)| !ok) {
            return fail(&format!("the {what} query is not the one these powers give for this circuit"));
        }

        let mut before = G1Affine::generator();
        for (i, c) in self.contributions.iter().enumerate() {
            if !c.proof.check(&transcript(&self.powers, &self.circuit, &before, &c.name), before, c.after) {
                return fail(&format!("contribution {} ('{}'): its proof of knowledge does not hold", i + 1, c.name));
            }
            before = c.after;
        }
        if before != k.delta_g1 {
            return fail("δ·G1 is not the one the last contribution left");
        }
        if !same_ratio((g1, k.delta_g1), (g2, k.vk.delta_g2)) {
            return fail("δ·G2 does not match δ·G1");
        }
        // L·δ must be the start's β·A + α·B + C of the witness variables, H·δ the start's
        // τⁱ·(τᵐ − 1)·G1.
        let rho = challenges(m - 1);
        let h_start = (at(&powers.tau_g1[m..], &rho).into_group() - at(&powers.tau_g1, &rho)).into_affine();
        for (now, start, what) in
            [(combine::<G1Projective>(&k.l_query, r_wit), abc(&wit), "L"), (at(&k.h_query, &rho), h_start, "H")]
        {
            if !same_ratio((now, start), (g2, k.vk.delta_g2)) {
                return fail(&format!("the {what} query is not the start's divided by δ"));
            }
        }
        Ok(())
    }
}
