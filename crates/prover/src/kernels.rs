//! The proof's unavoidable kernels — multi-scalar multiplications and FFTs over BN254 — timed
//! on their own, and the *floor*: what those kernels alone cost at a circuit's shape.
//!
//! `zkinfer bench` reports `prove time / floor`: how much of the proving time is anything but
//! the big kernels (witness assignment, grand products, quotient arithmetic, overheads).
//!
//! The floor of a circuit with `2^k` rows, `P` proof commitments, `W` witness-dependent
//! polynomials (advice, instance, three per lookup, permutation products) and a quotient of
//! degree `m` (the extended domain has `m·2^k` points) is, all kernels of size `2^k`:
//!
//! * `P` MSMs — every point in the proof is one commitment;
//! * `W·(1 + m) + m` FFTs — each witness polynomial is interpolated once and evaluated on the
//!   `m` cosets of the extended domain, and the quotient is interpolated back from them.
//!
//! Kernels run on uniformly random scalars. A committed witness column of small integers makes
//! an MSM cheaper than that, so a prover can beat this floor on its advice commitments.

use std::time::{Duration, Instant};

use halo2_axiom::arithmetic::best_multiexp;
use halo2_axiom::halo2curves::bn256::{Fr, G1Affine, G1};
use halo2_axiom::halo2curves::ff::Field;
use halo2_axiom::halo2curves::group::Curve;
use halo2_axiom::plonk::VerifyingKey;
use halo2_axiom::poly::EvaluationDomain;
use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::ProverError;

/// Stop repeating a kernel once this much time was spent on it (its minimum is reported).
const BUDGET: Duration = Duration::from_millis(400);
/// At most this many runs per kernel and size.
const MAX_RUNS: usize = 5;

/// Random inputs for the kernels, grown on demand and reused across sizes.
pub struct Kernels {
    bases: Vec<G1Affine>,
    scalars: Vec<Fr>,
    rng: StdRng,
}

impl Default for Kernels {
    fn default() -> Self {
        Self::new()
    }
}

impl Kernels {
    /// An empty kernel bench (inputs are generated at the first use of each size).
    pub fn new() -> Self {
        Self { bases: Vec::new(), scalars: Vec::new(), rng: StdRng::seed_from_u64(0x7a6b_696e) }
    }

    fn ensure(&mut self, k: u32) -> Result<(), ProverError> {
        if !(1..=crate::MAX_K).contains(&k) {
            return Err(ProverError::InvalidK { k, max: crate::MAX_K });
        }
        let n = 1usize << k;
        if self.scalars.len() < n {
            let rng = &mut self.rng;
            self.scalars.extend((self.scalars.len()..n).map(|_| Fr::random(&mut *rng)));
            // i·G for consecutive i: an addition per point instead of a scalar multiplication.
            let mut acc = G1::generator() * Fr::from(self.bases.len() as u64 + 1);
            let mut projective = Vec::with_capacity(n - self.bases.len());
            for _ in self.bases.len()..n {
                projective.push(acc);
                acc += G1::generator();
            }
            let mut affine = vec![G1Affine::default(); projective.len()];
            G1::batch_normalize(&projective, &mut affine);
            self.bases.extend(affine);
        }
        Ok(())
    }

    /// Fastest of a few runs of an MSM of `2^k` random scalars and points.
    pub fn msm(&mut self, k: u32) -> Result<Duration, ProverError> {
        self.ensure(k)?;
        Ok(fastest(|| self.run_msm(k)))
    }

    /// Fastest of a few runs of one (inverse) FFT of `2^k` random scalars.
    pub fn fft(&mut self, k: u32) -> Result<Duration, ProverError> {
        self.ensure(k)?;
        let domain = fft_domain(k);
        Ok(fastest(|| self.run_fft(&domain)))
    }

    /// One MSM of size `2^k` (for harnesses that do their own repetition, like criterion).
    pub fn msm_once(&mut self, k: u32) -> Result<Duration, ProverError> {
        self.ensure(k)?;
        Ok(self.run_msm(k))
    }

    /// One FFT of size `2^k` (for harnesses that do their own repetition).
    pub fn fft_once(&mut self, k: u32) -> Result<Duration, ProverError> {
        self.ensure(k)?;
        Ok(self.run_fft(&fft_domain(k)))
    }

    fn run_msm(&self, k: u32) -> Duration {
        let n = 1usize << k;
        let start = Instant::now();
        std::hint::black_box(best_multiexp(&self.scalars[..n], &self.bases[..n]));
        start.elapsed()
    }

    fn run_fft(&self, domain: &EvaluationDomain<Fr>) -> Duration {
        let poly = domain.lagrange_from_vec(self.scalars[..domain.get_n() as usize].to_vec());
        let start = Instant::now();
        std::hint::black_box(domain.lagrange_to_coeff(poly));
        start.elapsed()
    }
}

/// j = 2: a quotient of degree 1, so no extended-domain tables are built.
fn fft_domain(k: u32) -> EvaluationDomain<Fr> {
    EvaluationDomain::new(2, k)
}

fn fastest(mut run: impl FnMut() -> Duration) -> Duration {
    let mut best = Duration::MAX;
    let mut spent = Duration::ZERO;
    for _ in 0..MAX_RUNS {
        let t = run();
        best = best.min(t);
        spent += t;
        if spent >= BUDGET {
            break;
        }
    }
    best
}

/// The kernel counts of one proof (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FloorShape {
    /// Rows: every kernel has size `2^k`.
    pub k: u32,
    /// MSMs: the commitments in the proof.
    pub msms: usize,
    /// FFTs of size `2^k`.
    pub ffts: usize,
}

impl FloorShape {
    /// The kernel counts of a proof for `vk`.
    pub fn of(vk: &VerifyingKey<G1Affine>) -> Result<Self, ProverError> {
        let layout = zkinfer_verifier::evm::plan::plan(vk)
            .map_err(|e| ProverError::Halo2 { stage: "floor (proof layout)", detail: e.to_string() })?;
        let domain = vk.get_domain();
        let k = domain.k();
        let cosets = 1usize << (domain.extended_k() - k);
        // The points before the quotient pieces, less the vanishing argument's random
        // polynomial (made in coefficient form), plus the instance column.
        let witness_polys = layout.num_points - layout.quotient_pieces;
        Ok(Self { k, msms: layout.num_points + 2, ffts: witness_polys * (1 + cosets) + cosets })
    }

    /// The floor, given the time of one MSM and one FFT of size `2^k`.
    pub fn time(&self, msm: Duration, fft: Duration) -> Duration {
        msm * self.msms as u32 + fft * self.ffts as u32
    }
}
