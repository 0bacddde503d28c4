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
    /// With hashed parameters, leave the model id out of the key: the verifier then accepts a
    /// proof of any model of this architecture (any weights), so its callers must check
    /// instance 0 themselves, as ModelRegistry.sol does. By default the key pins this model's id.
    #[arg(long)]
    pub any_model: bool,
}

pub fn run(args: SolidityArgs) -> Result<Outcome> {
    let keys = VerifierKeys::load(&args.dir)?;
    let source = zkinfer::evm::solidity(&keys, args.any_model)?;
    std::fs::write(&args.out, source).with_context(|| format!("writing {}", args.out.display()))?;
    if let VerifierKeys::Groth16(_) = &keys {
        eprintln!(
            "wrote {}: deploy ZkinferGroth16Verifier (the key is in its constants); call {} with the packed \
             public inputs (docs/src/groth16.md)",
            args.out.display(),
            zkinfer::evm::VERIFY_SIGNATURE
        );
    } else {
        eprintln!(
            "wrote {}: deploy each ZkinferVerifyingKeyN, then ZkinferVerifier(ZKINFER_KEY_HASH, key0, key1, key2, \
             key3); call {}",
            args.out.display(),
            zkinfer::evm::VERIFY_SIGNATURE
        );
    }
    if let Some(path) = &args.registry {
        std::fs::write(path, zkinfer::evm::MODEL_REGISTRY_SOL)
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {}: deploy ModelRegistry once; register(modelId, verifier, uri) per model", path.display());
    }
    match (&keys.settings().model_id, args.any_model) {
        (Some(id), false) => eprintln!("model id {id}: the verifier accepts proofs of this model only (modelId() returns it)"),
        (Some(id), true) => eprintln!(
            "model id {id}: --any-model: the verifier accepts proofs of any weights; check instance 0 (or register the id)"
        ),
        (None, true) => eprintln!("--any-model has no effect: the parameters are not hashed, so there is no model id"),
        (None, false) => {}
    }
    Ok(Outcome::Ok)
}
