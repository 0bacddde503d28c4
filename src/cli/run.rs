use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use zkinfer::metrics::{fmt_bytes, measure};
use zkinfer::{Backend, Srs};

use super::compile::{compile, print_plan};
use super::progress::step;
use super::prove::read_input;
use super::{CalibrationArgs, Outcome, VisibilityArgs};

#[derive(Args)]
pub struct RunArgs {
    /// The ONNX model.
    pub model: PathBuf,
    /// The input, in EZKL's format: {"input_data": [[...flattened values...]]}, one row per model input.
    #[arg(long)]
    pub input: PathBuf,
    /// Also write the artifacts (settings, circuit, keys, proof) here.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// KZG parameters file (halo2 format); default: an INSECURE development SRS.
    #[arg(long)]
    pub srs: Option<PathBuf>,
    /// Also write the summary as JSON (times in seconds, memory in bytes).
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Proving backend: cpu, or cuda (needs a build with `--features cuda` and a GPU).
    #[arg(long, default_value = "cpu")]
    pub backend: Backend,
    #[command(flatten)]
    pub calibration: CalibrationArgs,
    #[command(flatten)]
    pub visibility: VisibilityArgs,
}

pub fn run(args: RunArgs) -> Result<Outcome> {
    args.backend.select()?;
    let (compiled, t_compile) =
        measure(|| compile(&args.model, &args.calibration, &args.visibility, Some(&args.input)));
    let (model, compiled) = compiled?;
    print_plan(&compiled);
    let input = read_input(&args.input, &compiled)?;
    let srs = args.srs.clone().map(Srs::File).unwrap_or(Srs::Dev);

    let (keys, t_setup) =
        measure(|| step(&format!("key generation (k={})", compiled.circuit().k()), || zkinfer::setup(&compiled, srs)));
    let keys = keys?;
    if let Some(w) = keys.insecure_srs_warning() {
        eprintln!("WARNING: {w}");
    }
    let (witness, t_witness) = measure(|| step("computing witness", || compiled.witness(&input)));
    let witness = witness?;
    let (bundle, t_prove) = measure(|| {
        step(&format!("proving (k={}, {})", compiled.circuit().k(), args.backend), || {
            zkinfer::prove_witness_on(&compiled, &keys, witness, args.backend)
        })
    });
    let bundle = bundle?;
    let vkeys = keys.verifier();
    let (verified, t_verify) = measure(|| step("verifying", || zkinfer::verify(&vkeys, &bundle)));

    if let Some(dir) = &args.out {
        compiled.save(dir)?;
        keys.save(dir)?;
        bundle.save(&dir.join("proof.json"))?;
        println!("artifacts written to {}", dir.display());
    }

    let reference = model.eval(&input)?;
    let err = bundle.max_abs_error(&reference);
    let argmax = |v: &[f64]| v.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i);
    // The argmax row compares the first public output with the f32 model's.
    let first = bundle.outputs.first();
    let ref64: Vec<f64> = first
        .and_then(|o| reference.get(o.index))
        .map(|r| r.iter().map(|&v| f64::from(v)).collect())
        .unwrap_or_default();
    let zk: &[f64] = first.map_or(&[], |o| o.values.as_slice());

    println!();
    println!("| {:<22} | {:>14} |", "zkinfer run", compiled.settings.model);
    println!("|{:-<24}|{:->16}|", "", "");
    row("proof system", compiled.settings.proof_system().to_string());
    match compiled.circuit() {
        zkinfer::CircuitSpec::Halo2(plan) => {
            row("k (2^k rows)", format!("{}", plan.k));
            row("rows used", format!("{}", plan.summary_rows()));
            row("columns (adv/fix/lkp)", plan.summary_columns());
        }
        zkinfer::CircuitSpec::Groth16(plan) => {
            row("constraints", format!("{}", plan.constraints));
            row("public inputs", format!("{}", plan.public_inputs));
        }
    }
    for (name, p) in [
        ("compile", t_compile),
        ("setup (keygen)", t_setup),
        ("witness", t_witness),
        ("prove", t_prove),
        ("verify", t_verify),
    ] {
        row(&format!("{name} time"), format!("{:.3} s", p.wall.as_secs_f64()));
    }
    row("peak memory (prove)", t_prove.peak_rss.map(fmt_bytes).unwrap_or_else(|| "n/a".into()));
    row("proof size", format!("{} B", bundle.proof_bytes()?.len()));
    if !bundle.outputs.is_empty() {
        row("max |out - f32|", format!("{err:.2e}"));
        row("argmax (zk / f32)", format!("{:?} / {:?}", argmax(zk).unwrap_or(0), argmax(&ref64).unwrap_or(0)));
    }
    if let Some(path) = &args.json {
        let summary = serde_json::json!({
            "model": compiled.settings.model,
            "proof_system": compiled.settings.proof_system().to_string(),
            "k": compiled.circuit().k(),
            "rows": compiled.circuit().halo2().map(|p| p.stats.rows_used),
            "advice_columns": compiled.circuit().halo2().map(|p| p.stats.advice_columns),
            "fixed_columns": compiled.circuit().halo2().map(|p| p.stats.fixed_columns),
            "lookups": compiled.circuit().halo2().map(|p| p.stats.lookups),
            "constraints": match compiled.circuit() {
                zkinfer::CircuitSpec::Groth16(plan) => Some(plan.constraints),
                zkinfer::CircuitSpec::Halo2(_) => None,
            },
            "compile_s": t_compile.wall.as_secs_f64(),
            "setup_s": t_setup.wall.as_secs_f64(),
            "witness_s": t_witness.wall.as_secs_f64(),
            "prove_s": t_prove.wall.as_secs_f64(),
            "verify_s": t_verify.wall.as_secs_f64(),
            "setup_peak_rss_bytes": t_setup.peak_rss,
            "prove_peak_rss_bytes": t_prove.peak_rss,
            "proof_bytes": bundle.proof_bytes()?.len(),
            "max_abs_err": err,
            "argmax_agree": argmax(zk) == argmax(&ref64),
            "verified": verified.is_ok(),
        });
        std::fs::write(path, serde_json::to_string_pretty(&summary)?)?;
    }
    match verified {
        Ok(()) => {
            row("verified", "yes".into());
            println!("verified");
            Ok(Outcome::Ok)
        }
        Err(e) => {
            row("verified", "NO".into());
            println!("rejected: {e}");
            Ok(Outcome::Rejected)
        }
    }
}

fn row(name: &str, value: String) {
    println!("| {name:<22} | {value:>14} |");
}
