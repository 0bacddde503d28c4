//! `zkinfer snarkjs`: a Groth16 proof file as snarkjs's `verification_key.json`, `proof.json`
//! and `public.json`, so that `snarkjs groth16 verify` checks it without zkinfer.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use zkinfer::{ProofBundle, VerifierKeys};

use super::Outcome;

#[derive(Args)]
pub struct SnarkjsArgs {
    /// The compiled and set-up model directory (compiled with `--proof-system groth16`).
    pub dir: PathBuf,
    /// The proof file (`zkinfer prove`'s output).
    #[arg(long)]
    pub proof: PathBuf,
    /// Folder to write the three files into (created if missing).
    #[arg(long, default_value = ".")]
    pub out: PathBuf,
}

pub fn run(args: SnarkjsArgs) -> Result<Outcome> {
    let keys = VerifierKeys::load(&args.dir)?;
    let bundle = ProofBundle::load(&args.proof)?;
    let files = zkinfer::snarkjs(&keys, &bundle)?;
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    for (name, text) in ["verification_key.json", "proof.json", "public.json"].iter().zip(files) {
        let path = args.out.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    eprintln!(
        "wrote verification_key.json, proof.json, public.json to {}: snarkjs groth16 verify \
         verification_key.json public.json proof.json",
        args.out.display()
    );
    Ok(Outcome::Ok)
}
