//! Proving with a stopwatch on each phase of the protocol.
//!
//! halo2's prover is one call, so the phases are read off the proof as it is written: every
//! commitment and evaluation reaches the transcript the moment the prover has it, and the
//! verifying key fixes how many bytes each phase writes (the layout the EVM verifier uses,
//! [`zkinfer_verifier::evm::plan`]). A [`Write`] sink that notes the time of each write thus
//! gives the end of each phase; the circuit's `synthesize` is timed on its own by a wrapper.

use std::io::{self, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use halo2_axiom::circuit::Layouter;
use halo2_axiom::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_axiom::plonk::{Circuit, ConstraintSystem, Error, ProvingKey};
use halo2_axiom::poly::kzg::commitment::ParamsKZG;

use crate::prove::prove_into;
use crate::{Backend, ProveError, ProverError};

/// Wall time of each proving phase. They add up to [`ProvePhases::total`] (up to rounding).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ProvePhases {
    /// `Circuit::synthesize`: assigning the witness into the advice columns.
    pub witness: Duration,
    /// Committing to the advice columns (MSMs; the rest of halo2's first phase).
    pub advice_commit: Duration,
    /// Permuting and committing each lookup's input and table columns.
    pub lookup_permute: Duration,
    /// Permutation and lookup grand products, and the vanishing argument's random polynomial.
    pub grand_products: Duration,
    /// The quotient polynomial h(X): evaluation on the extended domain and its commitments.
    pub quotient: Duration,
    /// Evaluations at x and the SHPLONK multi-opening.
    pub opening: Duration,
    /// The whole proof.
    pub total: Duration,
}

impl ProvePhases {
    /// `(name, time)` per phase, in protocol order (names as in `zkinfer bench`'s JSON).
    pub fn named(&self) -> [(&'static str, Duration); 6] {
        [
            ("witness", self.witness),
            ("advice_commit", self.advice_commit),
            ("lookup_permute", self.lookup_permute),
            ("grand_products", self.grand_products),
            ("quotient", self.quotient),
            ("opening", self.opening),
        ]
    }
}

/// [`crate::prove`], timing each phase. The proof is the same as `prove`'s (the timing only
/// observes the transcript's output).
pub fn prove_profiled<C: Circuit<Fr>>(
    params: &ParamsKZG<Bn256>,
    pk: &ProvingKey<G1Affine>,
    circuit: &C,
    instances: &[Fr],
) -> Result<(Vec<u8>, ProvePhases), ProveError> {
    prove_profiled_on(Backend::Cpu, params, pk, circuit, instances)
}

/// [`prove_profiled`] on `backend` (see [`crate::prove_on`]). The GPU prover writes the same
/// transcript as it goes, so the phases are read off it the same way.
pub fn prove_profiled_on<C: Circuit<Fr>>(
    backend: Backend,
    params: &ParamsKZG<Bn256>,
    pk: &ProvingKey<G1Affine>,
    circuit: &C,
    instances: &[Fr],
) -> Result<(Vec<u8>, ProvePhases), ProveError> {
    let layout_err = |detail: String| ProverError::Halo2 { stage: "prove (phase layout)", detail };
    let key = zkinfer_verifier::CircuitKey::new(pk.get_vk(), instances.len()).map_err(|e| layout_err(e.to_string()))?;
    let layout = zkinfer_verifier::evm::plan::plan_verifier(&key).map_err(|e| layout_err(e.to_string()))?;
    let at = |id: usize| layout.squeeze_at.get(id).copied().unwrap_or(usize::MAX);
    let bounds = [at(layout.ids.theta), at(layout.ids.beta), at(layout.ids.y), at(layout.ids.x)];

    let timed = Timed { inner: circuit, synthesis: Mutex::new(Duration::ZERO) };
    let start = Instant::now();
    let clock = prove_into(backend, params, pk, &timed, instances, Clock::default())?;
    let end = Instant::now();
    let witness = timed.synthesis.into_inner().unwrap_or_else(|e| e.into_inner());

    let ends = bounds.map(|b| clock.time_at(b).unwrap_or(end));
    let span = |a: Instant, b: Instant| b.saturating_duration_since(a);
    let phases = ProvePhases {
        witness,
        advice_commit: span(start, ends[0]).saturating_sub(witness),
        lookup_permute: span(ends[0], ends[1]),
        grand_products: span(ends[1], ends[2]),
        quotient: span(ends[2], ends[3]),
        opening: span(ends[3], end),
        total: span(start, end),
    };
    Ok((clock.bytes, phases))
}

/// A proof sink that remembers when each byte count was reached.
#[derive(Default)]
struct Clock {
    bytes: Vec<u8>,
    marks: Vec<(usize, Instant)>,
}

impl Clock {
    /// When the proof first held at least `len` bytes.
    fn time_at(&self, len: usize) -> Option<Instant> {
        let i = self.marks.partition_point(|(n, _)| *n < len);
        self.marks.get(i).map(|(_, t)| *t)
    }
}

impl Write for Clock {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes.extend_from_slice(buf);
        self.marks.push((self.bytes.len(), Instant::now()));
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `C` with its `synthesize` timed; the same constraint system (configure is forwarded).
struct Timed<'a, C> {
    inner: &'a C,
    synthesis: Mutex<Duration>,
}

impl<C: Circuit<Fr>> Circuit<Fr> for Timed<'_, C> {
    type Config = C::Config;
    type FloorPlanner = C::FloorPlanner;
    type Params = C::Params;

    fn without_witnesses(&self) -> Self {
        // halo2 calls this in keygen only, never in `create_proof`, so the wrapper (which only
        // ever proves) keeps the borrowed circuit.
        Self { inner: self.inner, synthesis: Mutex::new(Duration::ZERO) }
    }

    fn params(&self) -> C::Params {
        self.inner.params()
    }

    fn configure_with_params(meta: &mut ConstraintSystem<Fr>, params: C::Params) -> C::Config {
        C::configure_with_params(meta, params)
    }

    fn configure(meta: &mut ConstraintSystem<Fr>) -> C::Config {
        C::configure(meta)
    }

    fn synthesize(&self, config: C::Config, layouter: impl Layouter<Fr>) -> Result<(), Error> {
        let start = Instant::now();
        let result = self.inner.synthesize(config, layouter);
        let mut total = self.synthesis.lock().unwrap_or_else(|e| e.into_inner());
        *total += start.elapsed();
        result
    }
}
