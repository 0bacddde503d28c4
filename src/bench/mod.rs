//! The vendor benchmark suite behind `zkinfer bench`: every bundled model end to end, with the
//! prover's phases and its kernel floor, and a sweep of the MSM and FFT kernels — one standard,
//! reproducible workload for comparing machines.
//!
//! The report ([`BenchReport`]) serializes to the JSON documented in the README
//! (schema [`BENCH_SCHEMA`]). Times are seconds of wall time, memory is bytes of peak RSS.

mod groth16;
mod system;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use zkinfer_prover::kernels::{FloorShape, Kernel, Kernels};
use zkinfer_prover::Backend;

use crate::metrics::measure;
use crate::{CompileOptions, Error, Model, Srs};

pub use groth16::{Groth16Bench, Groth16Metrics};
pub use system::SystemInfo;

/// Identifies the JSON layout of [`BenchReport`]; bumped on any incompatible change.
pub const BENCH_SCHEMA: &str = "zkinfer-bench/1";

/// What to run.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Folder of `<name>.onnx` models, each with `<name>.input.json` (and optionally
    /// `<name>.calibration.json`; without it the input is the calibration sample).
    pub models_dir: PathBuf,
    /// Run only these models (by file stem); empty: all.
    pub only: Vec<String>,
    /// The proving backend.
    pub backend: Backend,
    /// Kernel sweep sizes `2^min_k ..= 2^max_k`; `None`: no sweep.
    pub sweep: Option<(u32, u32)>,
    /// Also set up, prove and verify each model with Groth16, beside Halo2 in the same run.
    pub groth16: bool,
}

impl Default for BenchOptions {
    fn default() -> Self {
        Self {
            models_dir: "examples/models".into(),
            only: Vec::new(),
            backend: Backend::Cpu,
            sweep: Some((12, 20)),
            groth16: false,
        }
    }
}

/// The whole run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BenchReport {
    /// [`BENCH_SCHEMA`].
    pub schema: String,
    /// The crate version that ran it.
    pub zkinfer_version: String,
    /// The proving backend (`cpu` or `cuda`).
    pub backend: String,
    /// The machine.
    pub system: SystemInfo,
    /// One entry per model, in the order they ran.
    pub models: Vec<ModelBench>,
    /// The kernel sweep, by size.
    pub kernels: Vec<KernelTiming>,
}

/// One model: its metrics, or why it could not run (an unsupported op, say).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelBench {
    /// The model's name (its file stem).
    pub model: String,
    /// Why it could not run, if it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What was measured, if it ran.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<ModelMetrics>,
}

/// Everything measured on one model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelMetrics {
    /// The circuit has `2^k` rows.
    pub k: u32,
    /// Rows the layout uses.
    pub rows_used: usize,
    /// Advice columns.
    pub advice_columns: usize,
    /// Fixed columns (selectors included).
    pub fixed_columns: usize,
    /// Lookup arguments.
    pub lookups: usize,
    /// Import, calibration, quantization and layout planning.
    pub compile_s: f64,
    /// Generating the (insecure, development) SRS: not part of keygen.
    pub srs_s: f64,
    /// Key generation (proving and verifying keys).
    pub keygen_s: f64,
    /// Peak resident memory during key generation, where the platform reports it.
    pub keygen_peak_rss_bytes: Option<u64>,
    /// Exact integer evaluation of the model (the witness values).
    pub witness_s: f64,
    /// Proving (from the witness to the proof bytes).
    pub prove_s: f64,
    /// The prover's phases.
    pub prove_phases_s: ProvePhasesSecs,
    /// Peak resident memory while proving, where the platform reports it.
    pub prove_peak_rss_bytes: Option<u64>,
    /// Native verification.
    pub verify_s: f64,
    /// Whether the proof verified.
    pub verified: bool,
    /// Size of the proof.
    pub proof_bytes: usize,
    /// Largest |dequantized proven output − f32 output|.
    pub max_abs_err: f64,
    /// The kernel floor of this model's proof.
    pub floor: Floor,
    /// The Groth16 back end on the same graph and input (`--groth16`), or why it could not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groth16: Option<Groth16Bench>,
}

/// [`zkinfer_prover::ProvePhases`] in seconds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProvePhasesSecs {
    /// Synthesis: assigning the witness into the columns.
    pub witness: f64,
    /// Committing to the advice columns.
    pub advice_commit: f64,
    /// Permuting and committing the lookup columns.
    pub lookup_permute: f64,
    /// The permutation and lookup grand products.
    pub grand_products: f64,
    /// The quotient polynomial.
    pub quotient: f64,
    /// Evaluations and the multi-opening.
    pub opening: f64,
}

/// The kernel floor of one model (see [`zkinfer_prover::kernels`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Floor {
    /// Dense MSMs (grand products, quotient, opening).
    pub msms: usize,
    /// MSMs over witness values (advice and permuted lookup columns).
    pub small_msms: usize,
    /// FFTs of size `2^k` (and its extension).
    pub ffts: usize,
    /// One kernel of size `2^k`, measured in this run.
    pub msm_s: f64,
    /// One witness MSM of size `2^k`.
    pub small_msm_s: f64,
    /// One FFT of size `2^k`.
    pub fft_s: f64,
    /// The counts times the kernel times: what the proof's kernels alone cost.
    pub floor_s: f64,
    /// `prove_s / floor_s`.
    pub prove_over_floor: f64,
}

/// One size of the kernel sweep.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KernelTiming {
    /// The size is `2^k`.
    pub k: u32,
    /// MSM of `2^k` random BN254 G1 points and scalars (fastest of up to 5 runs).
    pub msm_s: f64,
    /// The same MSM with scalars below `2^20` (a committed witness column).
    pub small_msm_s: f64,
    /// FFT of `2^k` BN254 scalars (fastest of up to 5 runs).
    pub fft_s: f64,
}

impl BenchReport {
    /// A report with this machine's description and no results yet.
    pub fn new(backend: Backend) -> Self {
        BenchReport {
            schema: BENCH_SCHEMA.into(),
            zkinfer_version: env!("CARGO_PKG_VERSION").into(),
            backend: backend.name().into(),
            system: SystemInfo::read(),
            models: Vec::new(),
            kernels: Vec::new(),
        }
    }
}

/// Runs the suite in this process. `progress` hears of each step before it starts.
///
/// A process keeps the memory its allocator has freed, so every model after the first starts
/// from the largest footprint before it and its peak memory reads high: `zkinfer bench` runs
/// each model in a child process of its own ([`run_model`]) for that reason.
pub fn run(opts: &BenchOptions, progress: &mut dyn FnMut(&str)) -> Result<BenchReport, Error> {
    opts.backend.select()?;
    let sweep = sweep_sizes(opts.sweep)?;
    let models = find_models(&opts.models_dir, &opts.only)?;
    let mut report = BenchReport::new(opts.backend);
    for (name, path) in &models {
        report.models.push(run_model(name, path, opts, progress));
    }
    // Last, so that its buffers never count towards a model's peak memory.
    report.kernels = run_kernels(&sweep, progress)?;
    Ok(report)
}

/// One model's entry: its metrics, or the error that stopped it.
pub fn run_model(name: &str, path: &Path, opts: &BenchOptions, progress: &mut dyn FnMut(&str)) -> ModelBench {
    let (error, metrics) = match bench_model(name, path, opts, progress) {
        Ok(m) => (None, Some(m)),
        Err(e) => (Some(e.to_string()), None),
    };
    ModelBench { model: name.into(), error, metrics }
}

/// The kernel sweep's sizes (`k` values), checked.
pub fn sweep_sizes(sweep: Option<(u32, u32)>) -> Result<Vec<u32>, Error> {
    match sweep {
        Some((lo, hi)) if lo == 0 || lo > hi || hi > zkinfer_prover::MAX_K => Err(Error::Config(format!(
            "kernel sweep 2^{lo}..2^{hi}: sizes must satisfy 1 <= min <= max <= {}",
            zkinfer_prover::MAX_K
        ))),
        Some((lo, hi)) => Ok((lo..=hi).collect()),
        None => Ok(Vec::new()),
    }
}

/// Times the MSM and FFT kernels at each size `2^k` of `sizes`.
pub fn run_kernels(sizes: &[u32], progress: &mut dyn FnMut(&str)) -> Result<Vec<KernelTiming>, Error> {
    let mut kernels = Kernels::new();
    let mut timings = Vec::with_capacity(sizes.len());
    for &k in sizes {
        progress(&format!("kernels: MSM and FFT at 2^{k}"));
        timings.push(KernelTiming {
            k,
            msm_s: kernels.time(Kernel::Msm, k)?.as_secs_f64(),
            small_msm_s: kernels.time(Kernel::SmallMsm, k)?.as_secs_f64(),
            fft_s: kernels.time(Kernel::Fft, k)?.as_secs_f64(),
        });
    }
    Ok(timings)
}

/// `(stem, path)` of each model in `dir` with an input file, sorted; `only` filters by stem.
pub fn find_models(dir: &Path, only: &[String]) -> Result<Vec<(String, PathBuf)>, Error> {
    let entries = std::fs::read_dir(dir).map_err(Error::io(dir))?;
    let mut models = BTreeMap::new();
    for entry in entries {
        let path = entry.map_err(Error::io(dir))?.path();
        let Some(stem) = path.file_stem().map(|s| s.to_string_lossy().into_owned()) else { continue };
        if path.extension().is_some_and(|e| e == "onnx") && input_file(&path).exists() {
            models.insert(stem, path);
        }
    }
    if let Some(missing) = only.iter().find(|m| !models.contains_key(*m)) {
        return Err(Error::Config(format!(
            "no model '{missing}' in {} (a model is <name>.onnx with <name>.input.json beside it; found: {})",
            dir.display(),
            models.keys().cloned().collect::<Vec<_>>().join(", ")
        )));
    }
    if models.is_empty() {
        return Err(Error::Config(format!(
            "no models in {}: expected <name>.onnx files with <name>.input.json beside them",
            dir.display()
        )));
    }
    Ok(models.into_iter().filter(|(stem, _)| only.is_empty() || only.contains(stem)).collect())
}

fn input_file(model: &Path) -> PathBuf {
    let stem = model.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    model.with_file_name(format!("{stem}.input.json"))
}

/// Proving runs on `backend`; everything else (keygen, the kernel floor) on the CPU.
fn bench_model(
    name: &str,
    path: &Path,
    opts: &BenchOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<ModelMetrics, Error> {
    let backend = opts.backend;
    progress(&format!("{name}: compiling"));
    let input_path = input_file(path);
    let (compiled, t_compile) = measure(|| -> Result<_, Error> {
        let model = Model::load(path)?;
        let cal = crate::sibling_calibration(path).unwrap_or_else(|| input_path.clone());
        let samples = crate::read_samples(&cal, &model)?;
        let input = crate::read_input(&input_path, &model.input_lens())?;
        let compiled = model.compile(&samples, &CompileOptions::default())?;
        Ok((model, compiled, input))
    });
    let (model, compiled, input) = compiled?;
    let k = compiled.circuit().k();

    progress(&format!("{name}: development SRS (k={k})"));
    let (params, t_srs) = measure(|| zkinfer_prover::try_dev_srs(k));
    let (params, _warning) = params?;
    progress(&format!("{name}: key generation (k={k})"));
    let (keys, t_keygen) = measure(|| crate::setup(&compiled, Srs::Loaded(Box::new(params))));
    let keys = keys?;
    progress(&format!("{name}: witness"));
    let (witness, t_witness) = measure(|| compiled.witness(&input));
    progress(&format!("{name}: proving (k={k}, {backend})"));
    let (proved, t_prove) = measure(|| crate::prove_witness_profiled(&compiled, &keys, witness?, backend));
    let (bundle, phases) = proved?;
    progress(&format!("{name}: verifying"));
    let vkeys = keys.verifier();
    let (verified, t_verify) = measure(|| crate::verify(&vkeys, &bundle));

    let reference = model.eval(&input)?;
    let max_abs_err = bundle.max_abs_error(&reference);

    progress(&format!("{name}: kernel floor (MSM and FFT at 2^{k})"));
    let halo2_keys = keys.halo2().ok_or_else(|| Error::Config("the benchmark suite compiles for halo2".into()))?;
    let shape = FloorShape::of(halo2_keys.pk.get_vk())?;
    drop((keys, vkeys));
    let floor = {
        let mut kernels = Kernels::new();
        let [msm, small_msm, fft] = [Kernel::Msm, Kernel::SmallMsm, Kernel::Fft].map(|kernel| kernels.time(kernel, k));
        let (msm, small_msm, fft) = (msm?, small_msm?, fft?);
        let floor = shape.time(|kernel| match kernel {
            Kernel::Msm => msm,
            Kernel::SmallMsm => small_msm,
            Kernel::Fft => fft,
        });
        Floor {
            msms: shape.msms,
            small_msms: shape.small_msms,
            ffts: shape.ffts,
            msm_s: msm.as_secs_f64(),
            small_msm_s: small_msm.as_secs_f64(),
            fft_s: fft.as_secs_f64(),
            floor_s: floor.as_secs_f64(),
            prove_over_floor: t_prove.wall.as_secs_f64() / floor.as_secs_f64().max(f64::MIN_POSITIVE),
        }
    };

    let groth16 = opts.groth16.then(|| {
        progress(&format!("{name}: groth16 setup, proof and verification"));
        groth16::bench(&compiled.qgraph, &input)
    });

    let stats = &crate::halo2::plan(&compiled.settings)?.stats;
    let secs = Duration::as_secs_f64;
    Ok(ModelMetrics {
        k,
        rows_used: stats.rows_used,
        advice_columns: stats.advice_columns,
        fixed_columns: stats.fixed_columns,
        lookups: stats.lookups,
        compile_s: secs(&t_compile.wall),
        srs_s: secs(&t_srs.wall),
        keygen_s: secs(&t_keygen.wall),
        keygen_peak_rss_bytes: t_keygen.peak_rss,
        witness_s: secs(&t_witness.wall),
        prove_s: secs(&t_prove.wall),
        prove_phases_s: ProvePhasesSecs {
            witness: secs(&phases.witness),
            advice_commit: secs(&phases.advice_commit),
            lookup_permute: secs(&phases.lookup_permute),
            grand_products: secs(&phases.grand_products),
            quotient: secs(&phases.quotient),
            opening: secs(&phases.opening),
        },
        prove_peak_rss_bytes: t_prove.peak_rss,
        verify_s: secs(&t_verify.wall),
        verified: verified.is_ok(),
        proof_bytes: bundle.proof_bytes()?.len(),
        max_abs_err,
        floor,
        groth16,
    })
}
