use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use clap::Args;
use zkinfer::{AuditOptions, Compiled};

use super::progress::step;
use super::prove::read_input;
use super::Outcome;

#[derive(Args)]
pub struct AuditArgs {
    /// Directory written by `zkinfer compile` (settings.json, circuit.bin; no keys needed).
    pub dir: PathBuf,
    /// The input whose honest witness is mutated, in EZKL's format.
    #[arg(long)]
    pub input: PathBuf,
    /// Audit a random sample of this many cells instead of every assigned advice cell.
    #[arg(long)]
    pub sample: Option<usize>,
    /// Seed of the sample and of the random replacement values.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

pub fn run(args: AuditArgs) -> Result<Outcome> {
    let compiled = Compiled::load(&args.dir)?;
    let input = read_input(&args.input, &compiled)?;
    let opts = AuditOptions { sample: args.sample, seed: args.seed };
    let start = Instant::now();
    let report =
        step(&format!("mutation audit (k={})", compiled.circuit().k()), || zkinfer::audit(&compiled, &input, &opts))?;
    println!("{} in {:.1} s", report.summary(), start.elapsed().as_secs_f64());
    for m in report.accepted.iter().take(20) {
        println!(
            "ACCEPTED: cell {:?} row {} ({:?}: {:?} -> {:?}) is not constrained",
            m.column, m.row, m.kind, m.honest, m.value
        );
    }
    if report.accepted.len() > 20 {
        println!("... and {} more accepted mutations", report.accepted.len() - 20);
    }
    if report.is_sound() {
        Ok(Outcome::Ok)
    } else {
        Ok(Outcome::Rejected)
    }
}
