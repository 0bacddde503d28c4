//! The checks a ceremony is made of: pairing ratios, a contributor's proof of knowledge of their
//! secret, and the batched ratio check over a whole vector of points.

use ark_bn254::{Bn254, Fq, Fq2, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{Field, One, PrimeField, UniformRand, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use ark_std::rand::{CryptoRng, RngCore};
use rayon::prelude::*;
use sha3::{Digest, Keccak256};

use crate::groth16::to_bytes;

/// `true` when `g1.1 / g1.0 = g2.1 / g2.0` in the exponent: `e(g1.0, g2.1) = e(g1.1, g2.0)`.
pub(crate) fn same_ratio(g1: (G1Affine, G1Affine), g2: (G2Affine, G2Affine)) -> bool {
    Bn254::multi_pairing([g1.0, -g1.1], [g2.1, g2.0]).0.is_one()
}

/// Keccak-256 of `parts`, each behind its length, so that no two lists of parts collide.
pub(crate) fn digest(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Keccak256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    h.finalize().into()
}

/// A point of G2 whose discrete logarithm nobody knows: try-and-increment from `seed` onto the
/// twist, then the cofactor cleared.
pub(crate) fn hash_to_g2(seed: &[u8; 32]) -> G2Affine {
    let mut counter = 0u64;
    loop {
        let coordinate = |i: u8| Fq::from_be_bytes_mod_order(&digest(&[seed, &counter.to_be_bytes(), &[i]]));
        let x = Fq2::new(coordinate(0), coordinate(1));
        if let Some(p) = G2Affine::get_point_from_x_unchecked(x, false) {
            let p = p.clear_cofactor();
            if !p.is_zero() {
                return p;
            }
        }
        counter += 1;
    }
}

/// A contributor's proof that they know the `x` by which they multiplied a point: `(s·G1,
/// s·x·G1, x·H)` for a fresh `s`, with `H` hashed from the transcript and the first two points
/// (Bowe-Gabizon-Miers). Nobody can scale the point by a ratio they do not know, so a
/// contribution cannot cancel the ones before it.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct Pok {
    s_g1: G1Affine,
    sx_g1: G1Affine,
    x_h: G2Affine,
}

impl Pok {
    /// The proof for `x`, bound to `transcript` (what came before the contribution).
    pub(crate) fn new<R: RngCore + CryptoRng>(x: Fr, transcript: &[u8; 32], rng: &mut R) -> Self {
        let s = nonzero(rng);
        let s_g1 = (G1Projective::generator() * s).into_affine();
        let sx_g1 = (s_g1 * x).into_affine();
        let h = Self::challenge(transcript, &s_g1, &sx_g1);
        Self { s_g1, sx_g1, x_h: (h * x).into_affine() }
    }

    fn challenge(transcript: &[u8; 32], s_g1: &G1Affine, sx_g1: &G1Affine) -> G2Affine {
        hash_to_g2(&digest(&[transcript, &to_bytes(s_g1), &to_bytes(sx_g1)]))
    }

    /// `true` when the proof holds and `after = x·before` for its `x`.
    pub(crate) fn check(&self, transcript: &[u8; 32], before: G1Affine, after: G1Affine) -> bool {
        let h = Self::challenge(transcript, &self.s_g1, &self.sx_g1);
        !self.s_g1.is_zero()
            && !self.x_h.is_zero()
            && !after.is_zero()
            && same_ratio((self.s_g1, self.sx_g1), (h, self.x_h))
            && same_ratio((before, after), (h, self.x_h))
    }
}

/// A uniformly random nonzero scalar.
pub(crate) fn nonzero<R: RngCore + CryptoRng>(rng: &mut R) -> Fr {
    loop {
        let x = Fr::rand(rng);
        if !x.is_zero() {
            return x;
        }
    }
}

/// `points[i] ← first·stepⁱ · points[i]`, on every core.
pub(crate) fn scale_powers<G: CurveGroup<ScalarField = Fr>>(points: &mut [G::Affine], first: Fr, step: Fr) {
    const CHUNK: usize = 1024;
    let scaled: Vec<G> = points
        .par_chunks(CHUNK)
        .enumerate()
        .flat_map_iter(|(c, chunk)| {
            let mut x = first * step.pow([(c * CHUNK) as u64]);
            chunk.iter().map(move |p| {
                let q = *p * x;
                x *= step;
                q
            })
        })
        .collect();
    points.copy_from_slice(&G::normalize_batch(&scaled));
}

/// Random scalars for a batched check: whoever made the points cannot predict them.
pub(crate) fn challenges(n: usize) -> Vec<Fr> {
    let mut rng = rand::rngs::OsRng;
    (0..n).map(|_| Fr::rand(&mut rng)).collect()
}

/// `Σ ρᵢ·pointsᵢ`.
pub(crate) fn combine<G: CurveGroup<ScalarField = Fr>>(points: &[G::Affine], rho: &[Fr]) -> G::Affine {
    G::msm_unchecked(points, &rho[..points.len()]).into_affine()
}

/// One random combination of `v` and the same combination shifted by one place: `v[i+1] =
/// x·v[i]` for every `i` exactly when (but for a chance of about `1/r`) the second is `x` times
/// the first.
fn shifted<G: CurveGroup<ScalarField = Fr>>(v: &[G::Affine]) -> (G::Affine, G::Affine) {
    let n = v.len().saturating_sub(1);
    let rho = challenges(n);
    (combine::<G>(&v[..n], &rho), combine::<G>(v.get(1..).unwrap_or_default(), &rho))
}

/// `true` when `v[i+1] = x·v[i]` for every `i`, with `x` the ratio `ratio.1 / ratio.0` in G2.
pub(crate) fn powers_g1(v: &[G1Affine], ratio: (G2Affine, G2Affine)) -> bool {
    same_ratio(shifted::<G1Projective>(v), ratio)
}

/// [`powers_g1`] for a vector in G2, with the ratio given in G1.
pub(crate) fn powers_g2(v: &[G2Affine], ratio: (G1Affine, G1Affine)) -> bool {
    same_ratio(ratio, shifted::<G2Projective>(v))
}
