use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use zkinfer::{Compiled, Srs};

use super::progress::step;
use super::Outcome;

#[derive(Args)]
pub struct SetupArgs {
    /// Directory written by `zkinfer compile`.
    pub dir: PathBuf,
    /// KZG parameters in halo2's format (e.g. from a powers-of-tau ceremony). Without it a
    /// development SRS is generated: INSECURE, for testing only.
    #[arg(long)]
    pub srs: Option<PathBuf>,
}

pub fn run(args: SetupArgs) -> Result<Outcome> {
    let compiled = Compiled::load(&args.dir)?;
    let srs = args.srs.map(Srs::File).unwrap_or(Srs::Dev);
    if compiled.settings.proof_system() == zkinfer::ProofSystem::Groth16 {
        let serves = if compiled.qgraph.params.is_fixed() {
            "this model's circuit only (its weights are in it)"
        } else {
            "every model of this architecture (the circuit holds no weights; the model id is in each proof)"
        };
        eprintln!("groth16: the setup is circuit-specific: these keys serve {serves}");
    }
    let keys = step(&format!("key generation (k={})", compiled.circuit().k()), || zkinfer::setup(&compiled, srs))?;
    if let Some(w) = keys.insecure_srs_warning() {
        eprintln!("WARNING: {w}");
    }
    keys.save(&args.dir)?;
    println!("wrote {} to {}", keys.files().join(", "), args.dir.display());
    Ok(Outcome::Ok)
}
