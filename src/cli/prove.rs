use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use zkinfer::{Backend, Compiled, Keys, ProofBundle, Sample};

use super::progress::step;
use super::Outcome;

#[derive(Args)]
pub struct ProveArgs {
    /// Directory written by `zkinfer compile` and `zkinfer setup`.
    pub dir: PathBuf,
    /// The input, in EZKL's format: {"input_data": [[...flattened values...]]}, one row per model input.
    #[arg(long)]
    pub input: PathBuf,
    /// Where to write the proof file (proof, public instances, dequantized outputs).
    #[arg(long)]
    pub out: PathBuf,
    /// Proving backend: cpu, or cuda (needs a build with `--features cuda` and a GPU).
    #[arg(long, default_value = "cpu")]
    pub backend: Backend,
}

/// Reads one run's inputs (one row per input) from an EZKL-format file.
pub fn read_input(path: &Path, c: &Compiled) -> Result<Sample> {
    Ok(zkinfer::read_input(path, &c.settings.input_lens())?)
}

/// Prints each public output of a proof, one line each.
pub fn print_outputs(bundle: &ProofBundle) {
    for o in &bundle.outputs {
        println!("output {} '{}': {:?}", o.index, o.name, o.values);
    }
}

pub fn run(args: ProveArgs) -> Result<Outcome> {
    args.backend.select()?;
    let compiled = Compiled::load(&args.dir)?;
    let input = read_input(&args.input, &compiled)?;
    let keys = step("loading proving key", || Keys::load(&args.dir, &compiled.settings))?;
    let witness = step("computing witness", || compiled.witness(&input))?;
    let bundle = step(&format!("proving (k={}, {})", compiled.circuit().k(), args.backend), || {
        zkinfer::prove_witness_on(&compiled, &keys, witness, args.backend)
    })?;
    bundle.save(&args.out)?;
    println!("wrote {} ({} proof bytes)", args.out.display(), bundle.proof_bytes()?.len());
    print_outputs(&bundle);
    Ok(Outcome::Ok)
}
