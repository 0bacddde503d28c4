use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use zkinfer::{Error, ProofBundle, VerifierKeys};

use super::Outcome;

#[derive(Args)]
pub struct VerifyArgs {
    /// Directory holding settings.json, vk.bin and srs.bin.
    pub dir: PathBuf,
    /// Proof file written by `zkinfer prove`.
    #[arg(long)]
    pub proof: PathBuf,
}

pub fn run(args: VerifyArgs) -> Result<Outcome> {
    let keys = VerifierKeys::load(&args.dir)?;
    let bundle = ProofBundle::load(&args.proof)?;
    match zkinfer::verify(&keys, &bundle) {
        Ok(()) => {
            println!("verified");
            if let Some(id) = &keys.settings().model_id {
                println!("model id: {id}");
            }
            super::prove::print_outputs(&bundle);
            Ok(Outcome::Ok)
        }
        Err(e @ (Error::Verify(_) | Error::BadProof(_))) => {
            println!("rejected: {e}");
            Ok(Outcome::Rejected)
        }
        Err(e) => Err(e.into()),
    }
}
