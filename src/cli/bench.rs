use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result};
use clap::Args;
use zkinfer::bench::{self, BenchOptions, BenchReport, ModelBench};
use zkinfer::metrics::fmt_bytes;
use zkinfer::Backend;

use super::Outcome;

#[derive(Args)]
pub struct BenchArgs {
    /// Folder of models: each `<name>.onnx` with `<name>.input.json` beside it (and optionally
    /// `<name>.calibration.json`).
    #[arg(long, default_value = "examples/models")]
    pub models: PathBuf,
    /// Run only this model (file stem; repeatable).
    #[arg(long = "model")]
    pub only: Vec<String>,
    /// Proving backend: cpu, or cuda (needs a build with `--features cuda`).
    #[arg(long, default_value = "cpu")]
    pub backend: Backend,
    /// Kernel sweep: smallest size 2^K.
    #[arg(long, default_value_t = 12)]
    pub min_k: u32,
    /// Kernel sweep: largest size 2^K.
    #[arg(long, default_value_t = 20)]
    pub max_k: u32,
    /// Skip the kernel sweep (the per-model floors are still measured).
    #[arg(long)]
    pub no_kernels: bool,
    /// Also set up, prove and verify each model with Groth16 (the second proof system, on the
    /// same graph and input), and measure its Solidity verifier's gas, beside Halo2 in the same
    /// run.
    #[arg(long)]
    pub groth16: bool,
    /// `groth16`: the same as `--groth16` (Halo2 still runs: every Groth16 figure is reported
    /// beside Halo2's from the same run); `halo2`: Halo2 only (the default).
    #[arg(long)]
    pub proof_system: Option<zkinfer::ProofSystem>,
    /// Also write the report as JSON (schema in the README).
    #[arg(long)]
    pub json: Option<PathBuf>,
}

impl BenchArgs {
    /// Whether Groth16 runs beside Halo2 (`--groth16` or `--proof-system groth16`).
    fn with_groth16(&self) -> bool {
        self.groth16 || self.proof_system == Some(zkinfer::ProofSystem::Groth16)
    }
}

pub fn run(args: BenchArgs) -> Result<Outcome> {
    let opts = BenchOptions {
        models_dir: args.models.clone(),
        only: args.only.clone(),
        backend: args.backend,
        sweep: (!args.no_kernels).then_some((args.min_k, args.max_k)),
        groth16: args.with_groth16(),
    };
    let mut step = 0;
    let mut progress = |msg: &str| {
        step += 1;
        eprintln!("[{step}] {msg} ...");
    };
    let models = bench::find_models(&opts.models_dir, &opts.only)?;
    let report = if models.len() > 1 {
        // One child process per model, so that each model's peak memory is its own (see
        // `zkinfer::bench::run`); a model that crashes its process is reported, not fatal.
        opts.backend.select()?;
        let sizes = bench::sweep_sizes(opts.sweep)?;
        let mut report = BenchReport::new(opts.backend);
        for (name, _) in &models {
            progress(&format!("{name}: in a process of its own"));
            report.models.push(run_child(&args, name));
        }
        report.kernels = bench::run_kernels(&sizes, &mut progress)?;
        report
    } else {
        bench::run(&opts, &mut progress)?
    };
    print_report(&report);
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    let unverified: Vec<&str> = report
        .models
        .iter()
        .filter(|m| {
            m.metrics.as_ref().is_some_and(|m| {
                !m.verified || m.groth16.as_ref().and_then(|g| g.metrics.as_ref()).is_some_and(|g| !g.verified)
            })
        })
        .map(|m| &*m.model)
        .collect();
    if !unverified.is_empty() {
        anyhow::bail!("the proof of {} did not verify", unverified.join(", "));
    }
    Ok(Outcome::Ok)
}

/// Benchmarks `model` in `zkinfer bench --model MODEL --no-kernels` run as a child process.
fn run_child(args: &BenchArgs, model: &str) -> ModelBench {
    let json = std::env::temp_dir().join(format!("zkinfer-bench-{}-{model}.json", std::process::id()));
    let result = child_report(args, model, &json);
    std::fs::remove_file(&json).ok();
    let failed = |error: String| ModelBench { model: model.into(), error: Some(error), metrics: None };
    match result {
        Ok(mut report) if report.models.len() == 1 => report.models.remove(0),
        Ok(report) => failed(format!("the child process reported {} models, expected 1", report.models.len())),
        Err(e) => failed(format!("{e:#}")),
    }
}

fn child_report(args: &BenchArgs, model: &str, json: &Path) -> Result<BenchReport> {
    let exe = std::env::current_exe().context("locating the zkinfer binary to run each model in")?;
    let status = Command::new(exe)
        .arg("bench")
        .arg("--models")
        .arg(&args.models)
        .args(["--model", model, "--no-kernels", "--backend", args.backend.name(), "--json"])
        .arg(json)
        .args(args.with_groth16().then_some("--groth16"))
        .stdout(Stdio::null())
        .status()
        .context("starting the benchmark's child process")?;
    // The child writes its report before it exits 1 for a proof that did not verify.
    let text = std::fs::read_to_string(json)
        .with_context(|| format!("the child process for {model} wrote no report ({status})"))?;
    serde_json::from_str(&text).with_context(|| format!("reading the child process's report for {model}"))
}

fn print_report(r: &BenchReport) {
    let s = &r.system;
    println!();
    println!(
        "zkinfer {} ({}) on {} — {} threads, backend {}, asm {}",
        r.zkinfer_version,
        s.git_revision,
        s.cpu_model,
        s.threads,
        r.backend,
        if s.asm { "on" } else { "off" }
    );
    println!();
    println!(
        "| model | k | adv/fix/lkp | keygen s | witness s | prove s | verify s | peak mem | proof B | floor s | prove/floor |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for m in &r.models {
        let Some(x) = &m.metrics else {
            println!("| {} | skipped: {} |", m.model, m.error.as_deref().unwrap_or("?"));
            continue;
        };
        println!(
            "| {} | {} | {}/{}/{} | {:.3} | {:.4} | {:.3} | {:.4} | {} | {} | {:.3} | {:.2} |",
            m.model,
            x.k,
            x.advice_columns,
            x.fixed_columns,
            x.lookups,
            x.keygen_s,
            x.witness_s,
            x.prove_s,
            x.verify_s,
            x.prove_peak_rss_bytes.map(fmt_bytes).unwrap_or_else(|| "n/a".into()),
            x.proof_bytes,
            x.floor.floor_s,
            x.floor.prove_over_floor,
        );
    }
    println!();
    println!(
        "prove phases (s): | model | witness | advice commit | lookup permute | grand products | quotient | opening |"
    );
    println!("|---|---|---|---|---|---|---|");
    for m in &r.models {
        if let Some(x) = &m.metrics {
            let p = &x.prove_phases_s;
            println!(
                "| {} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} |",
                m.model, p.witness, p.advice_commit, p.lookup_permute, p.grand_products, p.quotient, p.opening
            );
        }
    }
    print_groth16(r);
    if !r.kernels.is_empty() {
        println!();
        println!("| kernel size | MSM s | MSM (20-bit scalars) s | FFT s |");
        println!("|---|---|---|---|");
        for t in &r.kernels {
            println!("| 2^{} | {:.4} | {:.4} | {:.4} |", t.k, t.msm_s, t.small_msm_s, t.fft_s);
        }
    }
}

/// The Groth16 table, when the run measured it: each figure beside Halo2's from the same run.
fn print_groth16(r: &BenchReport) {
    let rows: Vec<_> =
        r.models.iter().filter_map(|m| Some((m, m.metrics.as_ref()?, m.metrics.as_ref()?.groth16.as_ref()?))).collect();
    if rows.is_empty() {
        return;
    }
    println!();
    println!(
        "groth16 (same run): | model | constraints | public inputs | setup s | prove s | prove vs halo2 | verify s | peak mem | proof B | gas |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (m, halo2, g) in rows {
        match (&g.metrics, &g.error) {
            (Some(g), _) => println!(
                "| {} | {} | {} | {:.3} | {:.3} | {:.2}x | {:.4} | {} | {} | {} |",
                m.model,
                g.constraints,
                g.public_inputs,
                g.setup_s,
                g.prove_s,
                g.prove_s / halo2.prove_s.max(f64::MIN_POSITIVE),
                g.verify_s,
                g.prove_peak_rss_bytes.map(fmt_bytes).unwrap_or_else(|| "n/a".into()),
                g.proof_bytes,
                g.gas.map_or_else(|| "n/a (no solc)".into(), |g| g.to_string())
            ),
            (None, e) => println!("| {} | not proven: {} |", m.model, e.as_deref().unwrap_or("?")),
        }
    }
}
