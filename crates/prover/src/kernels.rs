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
//! * `P` MSMs — every point in the proof is one commitment. The advice columns and the permuted
//!   lookup columns hold witness values, small integers, and an MSM over small scalars is much
//!   cheaper (Pippenger skips empty windows): those are timed with scalars below
//!   `2^`[`SMALL_BITS`] ([`Kernel::SmallMsm`]); the rest (grand products, quotient pieces,
//!   openings) are dense ([`Kernel::Msm`]). A negative witness value is a full-width field
//!   element, so real advice commitments cost at least this much;
//! * `W·(1 + m) + m` FFTs — each witness polynomial is interpolated once and evaluated on the
//!   `m` cosets of the extended domain, and the quotient is interpolated back from them.

use std::time::{Duration, Instant};

use halo2_axiom::arithmetic::best_multiexp;
use halo2_axiom::halo2curves::bn256::{Fr, G1Affine, G1};
use halo2_axiom::halo2curves::ff::Field;
use halo2_axiom::halo2curves::group::Curve;
use halo2_axiom::plonk::VerifyingKey;
use halo2_axiom::poly::EvaluationDomain;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::ProverError;

/// Bits of the scalars of a [`Kernel::SmallMsm`]: zkinfer's default activation width.
pub const SMALL_BITS: u32 = 20;
/// Stop repeating a kernel once this much time was spent on it (its minimum is reported).
const BUDGET: Duration = Duration::from_millis(400);
/// At most this many runs per kernel and size.
const MAX_RUNS: usize = 5;

/// A kernel the prover runs many times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// MSM of uniformly random scalars and points.
    Msm,
    /// MSM of random non-negative scalars below `2^SMALL_BITS` (a committed witness column).
    SmallMsm,
    /// One (inverse) FFT of random scalars.
    Fft,
}

/// Random inputs for the kernels, grown on demand and reused across sizes.
pub struct Kernels {
    bases: Vec<G1Affine>,
    scalars: Vec<Fr>,
    small: Vec<Fr>,
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
        Self { bases: Vec::new(), scalars: Vec::new(), small: Vec::new(), rng: StdRng::seed_from_u64(0x7a6b_696e) }
    }

    fn ensure(&mut self, k: u32) -> Result<(), ProverError> {
        if !(1..=crate::MAX_K).contains(&k) {
            return Err(ProverError::InvalidK { k, max: crate::MAX_K });
        }
        let n = 1usize << k;
        if self.scalars.len() < n {
            let have = self.scalars.len();
            let rng = &mut self.rng;
            self.scalars.extend((have..n).map(|_| Fr::random(&mut *rng)));
            self.small.extend((have..n).map(|_| Fr::from(rng.gen_range(0..1u64 << SMALL_BITS))));
            // i·G for consecutive i: an addition per point instead of a scalar multiplication.
            let mut acc = G1::generator() * Fr::from(have as u64 + 1);
            let mut projective = Vec::with_capacity(n - have);
            for _ in have..n {
                projective.push(acc);
                acc += G1::generator();
            }
            let mut affine = vec![G1Affine::default(); projective.len()];
            G1::batch_normalize(&projective, &mut affine);
            self.bases.extend(affine);
        }
        Ok(())
    }

    /// Fastest of a few runs of `kernel` at size `2^k`.
    pub fn time(&mut self, kernel: Kernel, k: u32) -> Result<Duration, ProverError> {
        self.ensure(k)?;
        let domain = (kernel == Kernel::Fft).then(|| fft_domain(k));
        Ok(fastest(|| self.run(kernel, k, domain.as_ref())))
    }

    /// One run of `kernel` at size `2^k` (for harnesses that repeat on their own, like criterion).
    pub fn once(&mut self, kernel: Kernel, k: u32) -> Result<Duration, ProverError> {
        self.ensure(k)?;
        let domain = (kernel == Kernel::Fft).then(|| fft_domain(k));
        Ok(self.run(kernel, k, domain.as_ref()))
    }

    fn run(&self, kernel: Kernel, k: u32, domain: Option<&EvaluationDomain<Fr>>) -> Duration {
        let n = 1usize << k;
        match (kernel, domain) {
            (Kernel::Fft, Some(domain)) => {
                let poly = domain.lagrange_from_vec(self.scalars[..n].to_vec());
                let start = Instant::now();
                std::hint::black_box(domain.lagrange_to_coeff(poly));
                start.elapsed()
            }
            _ => {
                let scalars = if kernel == Kernel::SmallMsm { &self.small } else { &self.scalars };
                let start = Instant::now();
                std::hint::black_box(best_multiexp(&scalars[..n], &self.bases[..n]));
                start.elapsed()
            }
        }
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
    /// Dense MSMs: grand products, the vanishing argument, quotient pieces, the opening.
    pub msms: usize,
    /// MSMs over witness values: advice columns and permuted lookup columns.
    pub small_msms: usize,
    /// FFTs of size `2^k`.
    pub ffts: usize,
}

impl FloorShape {
    /// The kernel counts of a proof for `vk`.
    pub fn of(vk: &VerifyingKey<G1Affine>) -> Result<Self, ProverError> {
        let layout_err = |detail: String| ProverError::Halo2 { stage: "floor (proof layout)", detail };
        // The proof's layout does not depend on the instance count: any valid count will do.
        let key = zkinfer_verifier::CircuitKey::new(vk, 0).map_err(|e| layout_err(e.to_string()))?;
        let layout = zkinfer_verifier::evm::plan::plan_verifier(&key).map_err(|e| layout_err(e.to_string()))?;
        let domain = vk.get_domain();
        let k = domain.k();
        let cosets = 1usize << (domain.extended_k() - k);
        let cs = vk.cs();
        let small_msms = cs.num_advice_columns() + 2 * cs.lookups().len();
        // All points, with SHPLONK's two.
        let points = layout.num_points + 2;
        // The points before the quotient pieces, less the vanishing argument's random
        // polynomial (made in coefficient form), plus the instance column.
        let witness_polys = layout.num_points - layout.quotient_pieces;
        Ok(Self { k, msms: points - small_msms, small_msms, ffts: witness_polys * (1 + cosets) + cosets })
    }

    /// Every commitment in the proof.
    pub fn commitments(&self) -> usize {
        self.msms + self.small_msms
    }

    /// The floor, given each kernel's time at size `2^k`.
    pub fn time(&self, mut kernel: impl FnMut(Kernel) -> Duration) -> Duration {
        kernel(Kernel::Msm) * self.msms as u32
            + kernel(Kernel::SmallMsm) * self.small_msms as u32
            + kernel(Kernel::Fft) * self.ffts as u32
    }
}
