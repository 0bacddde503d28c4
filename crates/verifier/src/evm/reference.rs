//! The EVM verifier's algorithm, run natively over a [`Plan`]: the executable specification the
//! Solidity interpreter mirrors line by line, tested against halo2's own verifier.

use halo2_axiom::arithmetic::CurveAffine;
use halo2_axiom::halo2curves::bn256::G2Prepared;
use halo2_axiom::halo2curves::bn256::{Bn256, Fq, Fr, G1Affine, G2Affine, Gt, G1};
use halo2_axiom::halo2curves::ff::{Field, PrimeField};
use halo2_axiom::halo2curves::group::{Curve, Group};
use halo2_axiom::halo2curves::pairing::{MillerLoopResult, MultiMillerLoop};
use sha3::{Digest, Keccak256};

use super::calldata::fr_to_word;
use super::expr::{self, EvalInputs};
use super::plan::{Commit, EvalRef, Plan};

/// The SRS points the verifier needs.
#[derive(Debug, Clone, Copy)]
pub struct SrsPoints {
    pub g1: G1Affine,
    pub g2: G2Affine,
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
pub fn challenges(plan: &Plan, proof: &[u8], instances: &[Fr]) -> Vec<Fr> {
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

/// `L_i(x) = ωⁱ·(xⁿ - 1) / (n·(x - ωⁱ))` for a signed `i`.
fn lagrange(plan: &Plan, x: Fr, xn: Fr, i: i64) -> Option<Fr> {
    let n = 1u64 << plan.k;
    let wi = plan.omega.pow_vartime([i.rem_euclid(n as i64) as u64]);
    let den: Option<Fr> = (Fr::from(n) * (x - wi)).invert().into();
    Some(wi * (xn - Fr::ONE) * den?)
}

/// Verifies `proof` against `instances` with the plan; `false` for anything malformed.
pub fn verify(plan: &Plan, srs: &SrsPoints, proof: &[u8], instances: &[Fr]) -> bool {
    verify_inner(plan, srs, proof, instances).unwrap_or(false)
}

fn verify_inner(plan: &Plan, srs: &SrsPoints, proof: &[u8], instances: &[Fr]) -> Option<bool> {
    let evals_at = plan.num_points * 64;
    if proof.len() != evals_at + plan.num_evals * 32 + 128 || instances.len() > plan.max_instances {
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
    let bf = plan.blinding_factors as i64;
    let l0 = lagrange(plan, x, xn, 0)?;
    let l_last = lagrange(plan, x, xn, -(bf + 1))?;
    let mut l_blind = Fr::ZERO;
    for i in -bf..0 {
        l_blind += lagrange(plan, x, xn, i)?;
    }
    let mut instance_evals = Vec::new();
    for &rot in &plan.instance_rotations {
        let mut acc = Fr::ZERO;
        for (i, v) in instances.iter().enumerate() {
            acc += *v * lagrange(plan, x, xn, i as i64 - i64::from(rot))?;
        }
        instance_evals.push(acc);
    }
    let inputs = EvalInputs {
        instance: &instance_evals,
        challenges: &ch,
        evals: &evals,
        vars: [l0, l_last, l_blind, x],
        y: ch[ids.y],
        ..Default::default()
    };
    let numerator = expr::eval(&plan.program, &inputs)?;
    let quotient_eval = numerator * Option::<Fr>::from((xn - Fr::ONE).invert())?;

    // SHPLONK.
    let (sy, v, u) = (ch[ids.shplonk_y], ch[ids.v], ch[ids.u]);
    let point = |r: i32| x * plan.omega.pow_vartime([(i64::from(r)).rem_euclid(1i64 << plan.k) as u64]);
    let mut all: Vec<i32> = plan.sets.iter().flat_map(|s| s.rotations.iter().copied()).collect();
    all.sort_unstable();
    all.dedup();
    let mut msm = G1::identity();
    let (mut z0, mut z0_diff_inv, mut r_outer) = (Fr::ZERO, Fr::ZERO, Fr::ZERO);
    let mut v_pow = Fr::ONE;
    for (i, set) in plan.sets.iter().enumerate() {
        let mut z_diff = Fr::ONE;
        for r in all.iter().filter(|r| !set.rotations.contains(r)) {
            z_diff *= u - point(*r);
        }
        if i == 0 {
            z0 = set.rotations.iter().fold(Fr::ONE, |acc, r| acc * (u - point(*r)));
            z0_diff_inv = Option::from(z_diff.invert())?;
            z_diff = Fr::ONE;
        } else {
            z_diff *= z0_diff_inv;
        }
        // Lagrange basis of the set's points, at u.
        let pts: Vec<Fr> = set.rotations.iter().map(|r| point(*r)).collect();
        let mut basis = Vec::with_capacity(pts.len());
        for (j, pj) in pts.iter().enumerate() {
            let (mut num, mut den) = (Fr::ONE, Fr::ONE);
            for (m, pm) in pts.iter().enumerate() {
                if m != j {
                    num *= u - pm;
                    den *= *pj - pm;
                }
            }
            basis.push(num * Option::<Fr>::from(den.invert())?);
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
