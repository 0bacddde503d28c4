use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use zkinfer::{Backend, Compiled, Keys};

use super::progress::step;
use super::Outcome;

#[derive(Args)]
pub struct ProveArgs {
    /// Directory written by `zkinfer compile` and `zkinfer setup`.
    pub dir: PathBuf,
    /// The input, in EZKL's format: {"input_data": [[...flattened values...]]}.
    #[arg(long)]
    pub input: PathBuf,
    /// Where to write the proof file (proof, public instances, dequantized outputs).
    #[arg(long)]
    pub out: PathBuf,
    /// Proving backend: cpu, or cuda (needs a build with `--features cuda` and a GPU).
    #[arg(long, default_value = "cpu")]
    pub backend: Backend,
}

/// Reads exactly one input of the model's length from an EZKL-format file.
pub fn read_input(path: &Path, expected_len: usize) -> Result<Vec<f32>> {
    Ok(zkinfer::read_input(path, expected_len)?)
}

pub fn input_len(c: &Compiled) -> usize {
    c.settings.input_shape.iter().product()
}

pub fn run(args: ProveArgs) -> Result<Outcome> {
    args.backend.select()?;
    let compiled = Compiled::load(&args.dir)?;
    let input = read_input(&args.input, input_len(&compiled))?;
    let keys = step("loading proving key", || Keys::load(&args.dir, &compiled.settings))?;
    let witness = step("computing witness", || compiled.witness(&input))?;
    let bundle = step(&format!("proving (k={}, {})", compiled.plan.k, args.backend), || {
        zkinfer::prove_witness_on(&compiled, &keys, witness, args.backend)
    })?;
    bundle.save(&args.out)?;
    println!("wrote {} ({} proof bytes)", args.out.display(), bundle.proof_bytes()?.len());
    if !bundle.outputs.is_empty() {
        println!("outputs: {:?}", bundle.outputs);
    }
    Ok(Outcome::Ok)
}
