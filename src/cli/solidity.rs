use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use zkinfer::VerifierKeys;

use super::Outcome;

#[derive(Args)]
pub struct SolidityArgs {
    /// Directory holding settings.json, vk.bin and srs.bin (after `zkinfer setup`).
    pub dir: PathBuf,
    /// Where to write the Solidity source.
    #[arg(long, default_value = "Verifier.sol")]
    pub out: PathBuf,
    /// Also write `ModelRegistry.sol` here: models with hashed parameters by model id, each with
    /// its verifier (docs/src/onchain.md).
    #[arg(long)]
    pub registry: Option<PathBuf>,
}

pub fn run(args: SolidityArgs) -> Result<Outcome> {
    let keys = VerifierKeys::load(&args.dir)?;
    let source = zkinfer::evm::solidity(&keys)?;
    std::fs::write(&args.out, source).with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!(
        "wrote {}: deploy each ZkinferVerifyingKeyN, then ZkinferVerifier(ZKINFER_KEY_HASH, key0, key1, key2, key3); \
         call {}",
        args.out.display(),
        zkinfer::evm::VERIFY_SIGNATURE
    );
    if let Some(path) = &args.registry {
        std::fs::write(path, zkinfer::evm::MODEL_REGISTRY_SOL)
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {}: deploy ModelRegistry once; register(modelId, verifier, uri) per model", path.display());
    }
    if let Some(id) = &keys.settings().model_id {
        eprintln!("model id (instance 0 of every proof; check it, or register it): {id}");
    }
    Ok(Outcome::Ok)
}
