use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use zkinfer::{ProofBundle, Settings};

use super::Outcome;

#[derive(Args)]
pub struct CalldataArgs {
    /// Directory holding settings.json (written by `zkinfer compile`).
    pub dir: PathBuf,
    /// Proof file written by `zkinfer prove`.
    #[arg(long)]
    pub proof: PathBuf,
    /// Write the calldata (0x-prefixed hex) here instead of printing it.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: CalldataArgs) -> Result<Outcome> {
    let settings = Settings::load(&args.dir)?;
    let bundle = ProofBundle::load(&args.proof)?;
    let hex = zkinfer::evm::to_hex(&zkinfer::evm::calldata(&settings, &bundle)?);
    match args.out {
        Some(path) => {
            std::fs::write(&path, &hex).with_context(|| format!("writing {}", path.display()))?;
            eprintln!(
                "wrote {} bytes of calldata for {} to {}",
                hex.len() / 2 - 1,
                zkinfer::evm::VERIFY_SIGNATURE,
                path.display()
            );
        }
        None => println!("{hex}"),
    }
    Ok(Outcome::Ok)
}
