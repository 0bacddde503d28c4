use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use zkinfer::bench::{BenchOptions, BenchReport};
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
    /// Also write the report as JSON (schema in the README).
    #[arg(long)]
    pub json: Option<PathBuf>,
}

pub fn run(args: BenchArgs) -> Result<Outcome> {
    let opts = BenchOptions {
        models_dir: args.models.clone(),
        only: args.only.clone(),
        backend: args.backend,
        sweep: (!args.no_kernels).then_some((args.min_k, args.max_k)),
    };
    let mut step = 0;
    let report = zkinfer::bench::run(&opts, &mut |msg| {
        step += 1;
        eprintln!("[{step}] {msg} ...");
    })?;
    print_report(&report);
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    let unverified: Vec<&str> =
        report.models.iter().filter(|m| m.metrics.as_ref().is_some_and(|m| !m.verified)).map(|m| &*m.model).collect();
    if !unverified.is_empty() {
        anyhow::bail!("the proof of {} did not verify", unverified.join(", "));
    }
    Ok(Outcome::Ok)
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
    if !r.kernels.is_empty() {
        println!();
        println!("| kernel size | MSM s | MSM (20-bit scalars) s | FFT s |");
        println!("|---|---|---|---|");
        for t in &r.kernels {
            println!("| 2^{} | {:.4} | {:.4} | {:.4} |", t.k, t.msm_s, t.small_msm_s, t.fft_s);
        }
    }
}
