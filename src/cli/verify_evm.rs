use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use zkinfer::{ProofBundle, VerifierKeys};

use super::Outcome;

#[derive(Args)]
pub struct VerifyEvmArgs {
    /// Directory holding settings.json, vk.bin and srs.bin.
    pub dir: PathBuf,
    /// Proof file written by `zkinfer prove`.
    #[arg(long)]
    pub proof: PathBuf,
    /// Solidity compiler (solcjs or solc). Default: $ZKINFER_SOLC, evm/node_modules/.bin/solcjs,
    /// then solc on PATH.
    #[arg(long)]
    pub solc: Option<PathBuf>,
}

pub fn run(args: VerifyEvmArgs) -> Result<Outcome> {
    let keys = VerifierKeys::load(&args.dir)?;
    let bundle = ProofBundle::load(&args.proof)?;
    let report = match zkinfer::evm::verify_evm(&keys, &bundle, args.solc.as_deref()) {
        Ok(r) => r,
        Err(e @ zkinfer::Error::BadProof(_)) => {
            println!("rejected: {e}");
            return Ok(Outcome::Rejected);
        }
        Err(e) => return Err(e.into()),
    };
    println!("{}", if report.accepted { "verified" } else { "rejected: verifyProof returned false" });
    if let VerifierKeys::Groth16(_) = &keys {
        println!("gas: {} (hard fork {})", report.gas_used, zkinfer::evm::hard_fork());
        println!("verifier runtime bytes: {} (ZkinferGroth16Verifier, the key inside)", report.verifier_size);
        return Ok(if report.accepted { Outcome::Ok } else { Outcome::Rejected });
    }
    println!("gas: {} (hard fork {})\n{}", report.gas_used, zkinfer::evm::hard_fork(), report.gas);
    println!("verifier runtime bytes: {} (ZkinferVerifier, any model)", report.verifier_size);
    println!(
        "verifying-key runtime bytes: {} in {} contract(s) (ZkinferVerifyingKey0..)",
        report.key_size, report.key_contracts
    );
    Ok(if report.accepted { Outcome::Ok } else { Outcome::Rejected })
}
