//! The EVM verifier's algorithm, run natively over a [`VerifierPlan`]: the executable specification the
//! Solidity interpreter mirrors line by line, tested against halo2's own verifier.

use halo2_axiom::arithmetic::CurveAffine;
use halo2_axiom::halo2curves::bn256::G2Prepared;
use halo2_axiom::halo2curves::bn256::{Bn256, Fq, Fr, G1Affine, G2Affine, Gt, G1};
use halo2_axiom::halo2curves::ff::{Field, PrimeField};
use halo2_axiom::halo2curves::group::{Curve, Group};
use halo2_axiom::halo2curves::pairing::{MillerLoopResult, MultiMillerLoop};
use sha3::{Digest, Keccak256};

use super::blob;
use super::calldata::fr_to_word;
use super::expr::{self, EvalInputs};
use super::plan::{Commit, EvalRef, VerifierPlan};

/// The SRS points the verifier needs.
#[derive(Debug, Clone, Copy)]
pub struct SrsPoints {
    /// The G1 generator (the SRS's first G1 point).
    pub g1: G1Affine,
    /// The G2 generator.
    pub g2: G2Affine,
    /// `s·g2`, the G2 point of the secret `s`.
    pub s_g2: G2Affine,
}

fn read_point(bytes: &[u8]) -> Option<G1Affine> {
    let coord = |b: &[u8]| {
        let mut le = [0u8; 32];
        le.copy_from_slice(b);
        le.reverse();
        Option::<Fq>::from(Fq::from_repr(le))
    };
    Option::from(G1Affine::from_xy(coord(&bytes[..32])?, coord(&bytes[32..64])?))
}

fn read_scalar(bytes: &[u8]) -> Option<Fr> {
    let mut le = [0u8; 32];
    le.copy_from_slice(&bytes[..32]);
    le.reverse();
    Option::from(Fr::from_repr(le))
}

/// `keccak` output read as a big-endian integer mod r.
fn hash_to_fr(h: &[u8]) -> Fr {
    // 2^256 mod r folding: value = hi·2^128 + lo.
    let two128 = Fr::from_u128(1u128 << 127) * Fr::from(2);
    let part = |b: &[u8]| {
        let mut v = [0u8; 16];
        v.copy_from_slice(b);
        Fr::from_u128(u128::from_be_bytes(v))
    };
    part(&h[..16]) * two128 + part(&h[16..32])
}

/// The challenges, squeezed where the plan says.
pub fn challenges(plan: &VerifierPlan, proof: &[u8], instances: &[Fr]) -> Vec<Fr> {
    let mut buf: Vec<u8> = fr_to_word(&plan.transcript_repr).to_vec();
    for v in instances {
        buf.extend_from_slice(&fr_to_word(v));
    }
    let mut absorbed = 0;
    let mut out = Vec::with_capacity(plan.squeeze_at.len());
    for &at in &plan.squeeze_at {
        buf.extend_from_slice(&proof[absorbed..at]);
        absorbed = at;
        if buf.len() == 32 {
            buf.push(1);
        }
        let h = Keccak256::digest(&buf);
        out.push(hash_to_fr(&h));
        buf = h.to_vec();
    }
    out
}

/// Inverts every element; `None` if any is zero (the Solidity verifier does this with
/// Montgomery's trick and one `modexp`, and rejects when the product is zero).
fn batch_invert(values: &[Fr]) -> Option<Vec<Fr>> {
    values.iter().map(|v| Option::<Fr>::from(v.invert())).collect()
}

/// Verifies `proof` against `instances` with the plan; `false` for anything malformed,
/// including another number of instances than [`VerifierPlan::num_instances`] and another value
/// of the pinned instance ([`VerifierPlan::pinned`]) than the key's.
pub fn verify(plan: &VerifierPlan, srs: &SrsPoints, proof: &[u8], instances: &[Fr]) -> bool {
    verify_inner(plan, srs, proof, instances).unwrap_or(false)
}

fn verify_inner(plan: &VerifierPlan, srs: &SrsPoints, proof: &[u8], instances: &[Fr]) -> Option<bool> {
    let evals_at = plan.num_points * 64;
    if proof.len() != evals_at + plan.num_evals * 32 + 128 || instances.len() != plan.num_instances {
        return None;
    }
    if plan.pinned.is_some_and(|pin| instances[pin.index] != pin.value) {
        return None;
    }
    let points: Vec<G1Affine> = (0..plan.num_points).map(|i| read_point(&proof[64 * i..])).collect::<Option<_>>()?;
    let evals: Vec<Fr> =
        (0..plan.num_evals).map(|i| read_scalar(&proof[evals_at + 32 * i..])).collect::<Option<_>>()?;
    let h1 = read_point(&proof[proof.len() - 128..])?;
    let h2 = read_point(&proof[proof.len() - 64..])?;
    let ch = challenges(plan, proof, instances);
    let ids = &plan.ids;
    let x = ch[ids.x];
    let xn = x.pow_vartime([1u64 << plan.k]);
    let (sy, v, u) = (ch[ids.shplonk_y], ch[ids.v], ch[ids.u]);
    let omega_pow = |r: i32| plan.omega_pow(i64::from(r));
    let point = |r: i32| x * omega_pow(r);
    let mut all: Vec<i32> = plan.sets.iter().flat_map(|s| s.rotations.iter().copied()).collect();
    all.sort_unstable();
    all.dedup();
    let z_diff_of = |set: usize| {
        all.iter().filter(|r| !plan.sets[set].rotations.contains(r)).fold(Fr::ONE, |acc, r| acc * (u - point(*r)))
    };

    // Every denominator the verifier divides by, inverted at once: `x - ω⁻ⁱ` for i = 0..=bf+1
    // (l_0, the blinding rows, l_last), `xⁿ - 1`, `x` (SHPLONK's basis), the first rotation
    // set's `z_diff`, and per instance rotation the denominator of Σ vᵢ·wᵢ/(x - wᵢ) summed as
    // one fraction.
    let bf = plan.blinding_factors;
    let omega_inv: Fr = Option::from(plan.omega.invert())?;
    let mut dens = Vec::new();
    let mut w = Fr::ONE;
    for _ in 0..bf + 2 {
        dens.push(x - w);
        w *= omega_inv;
    }
    dens.push(xn - Fr::ONE);
    dens.push(x);
    dens.push(if plan.sets.is_empty() { Fr::ONE } else { z_diff_of(0) });
    let mut instance_nums = Vec::new();
    for &rot in &plan.instance_rotations {
        // w_i = ω^(i - rot): Σ vᵢ·wᵢ/(x - wᵢ) = num/den.
        let mut wi = omega_pow(-rot);
        let (mut num, mut den) = (Fr::ZERO, Fr::ONE);
        for v in instances {
            let d = x - wi;
            num = num * d + *v * wi * den;
            den *= d;
            wi *= plan.omega;
        }
        instance_nums.push(num);
        dens.push(den);
    }
    let inv = batch_invert(&dens)?;
    let n_inv: Fr = Option::from(Fr::from(1u64 << plan.k).invert())?;
    // L_i(x) = ωⁱ·(xⁿ - 1)/(n·(x - ωⁱ)).
    let common = (xn - Fr::ONE) * n_inv;
    let l0 = common * inv[0];
    let mut w = omega_inv;
    let mut l_blind = Fr::ZERO;
    for inv_i in &inv[1..=bf] {
        l_blind += w * inv_i;
        w *= omega_inv;
    }
    l_blind *= common;
    let l_last = common * w * inv[bf + 1];
    let (xnm1_inv, x_inv, z0_diff_inv) = (inv[bf + 2], inv[bf + 3], inv[bf + 4]);
    let instance_evals: Vec<Fr> =
        instance_nums.iter().zip(&inv[bf + 5..]).map(|(num, inv)| *num * inv * common).collect();
    let inputs = EvalInputs {
        instance: &instance_evals,
        challenges: &ch,
        evals: &evals,
        vars: [l0, l_last, l_blind, x, Fr::ONE - (l_last + l_blind)],
        y: ch[ids.y],
        ..Default::default()
    };
    let numerator = expr::eval(&plan.program, &inputs)?;
    let quotient_eval = numerator * xnm1_inv;

    // SHPLONK. The Lagrange basis of a set's points x·ω^r at u, with t = u/x:
    // Π_{m≠j}(u - x·ω_m)/Π_{m≠j}(x·ω_j - x·ω_m) = weight_j·Π_{m≠j}(t - ω_m).
    let t = u * x_inv;
    let mut msm = G1::identity();
    let (mut z0, mut r_outer) = (Fr::ZERO, Fr::ZERO);
    let mut v_pow = Fr::ONE;
    for (i, set) in plan.sets.iter().enumerate() {
        let mut z_diff = Fr::ONE;
        if i == 0 {
            z0 = set.rotations.iter().fold(Fr::ONE, |acc, r| acc * (u - point(*r)));
        } else {
            z_diff = z_diff_of(i) * z0_diff_inv;
        }
        let omegas: Vec<Fr> = set.rotations.iter().map(|r| omega_pow(*r)).collect();
        let weights = blob::barycentric_weights(plan, &set.rotations);
        let mut basis = Vec::with_capacity(omegas.len());
        for (j, weight) in weights.iter().enumerate() {
            let prod = omegas.iter().enumerate().filter(|(m, _)| *m != j).fold(Fr::ONE, |acc, (_, wm)| acc * (t - wm));
            basis.push(*weight * prod);
        }
        let mut y_pow = Fr::ONE;
        let mut r_inner = Fr::ZERO;
        for (c, erefs) in &set.commitments {
            let mut r = Fr::ZERO;
            for (e, b) in erefs.iter().zip(&basis) {
                r += *b
                    * match e {
                        EvalRef::Proof(i) => *evals.get(*i)?,
                        EvalRef::Quotient => quotient_eval,
                    };
            }
            r_inner += y_pow * r;
            let scalar = v_pow * z_diff * y_pow;
            match c {
                Commit::Proof(p) => msm += *points.get(*p)? * scalar,
                Commit::Vk(p) => msm += *plan.vk_points.get(*p)? * scalar,
                Commit::Quotient => {
                    let mut s = scalar;
                    for piece in 0..plan.quotient_pieces {
                        msm += *points.get(plan.quotient_start + piece)? * s;
                        s *= xn;
                    }
                }
            }
            y_pow *= sy;
        }
        r_outer += v_pow * r_inner * z_diff;
        v_pow *= v;
    }
    msm += srs.g1 * (-r_outer) + h1 * (-z0) + h2 * u;
    let right = msm.to_affine();
    let terms = [(&h2, &G2Prepared::from(srs.s_g2)), (&right, &G2Prepared::from(-srs.g2))];
    Some(Bn256::multi_miller_loop(&terms).final_exponentiation() == Gt::identity())
}
