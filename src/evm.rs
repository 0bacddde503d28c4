//! On-chain verification helpers: the calldata for the Solidity verifier's
//! `verifyProof(bytes proof, uint256[] instances)`.
//!
//! Instance order: the circuit's instance column in row order — the public model input (when
//! the input is `public`) first, then the public output, each row-major. Each instance is a
//! field element of BN254's scalar field `r`; a signed fixed-point value `v` at scale `s` is the
//! integer `round(x · 2^s)` encoded as `v` when `v >= 0` and `r - |v|` when negative (see
//! `examples/OutputConsumer.sol` for decoding it in Solidity).

use crate::{Error, ProofBundle, Settings};

/// `examples/ModelRegistry.sol`: models with hashed parameters by model id, each with its
/// verifier and owner; `verify(modelId, proof, instances)` accepts a proof only when the
/// model's verifier does and `instances[0] == modelId` (docs/src/onchain.md).
pub const MODEL_REGISTRY_SOL: &str = include_str!("../examples/ModelRegistry.sol");

pub use zkinfer_verifier::evm::VERIFY_SIGNATURE;

/// The exact calldata of `verifyProof(proof, instances)` for a proof file, after checking that
/// it has as many instances as the model in `settings` exposes.
pub fn calldata(settings: &Settings, bundle: &ProofBundle) -> Result<Vec<u8>, Error> {
    let instances = bundle.instances_for(settings)?;
    match settings.proof_system() {
        crate::ProofSystem::Halo2 => Ok(zkinfer_verifier::evm::encode_calldata(&bundle.proof_bytes()?, &instances)),
        crate::ProofSystem::Groth16 => crate::groth16_backend::calldata(bundle, &instances),
    }
}

pub use crate::proof::to_hex;

/// The `Verifier.sol` for a model: the circuit-independent `ZkinferVerifier`, the model's key
/// hash `ZKINFER_KEY_HASH`, and `ZkinferVerifyingKey0..` contracts holding this model's
/// verifying key (with its exact instance count) as code. Deploy the keys, then
/// `ZkinferVerifier(ZKINFER_KEY_HASH, key0, key1, key2, key3)` (`address(0)` for unused ones).
///
/// With hashed parameters the key pins the model id: `verifyProof` accepts only proofs whose
/// instance 0 is this model's id, and `modelId()` returns it. `any_model` leaves it out: one
/// verifier for every model of the architecture, whose callers check instance 0 themselves
/// (`ModelRegistry.sol`).
pub fn solidity(keys: &crate::VerifierKeys, any_model: bool) -> Result<String, Error> {
    let keys = match keys {
        crate::VerifierKeys::Halo2(keys) => keys,
        crate::VerifierKeys::Groth16(keys) => {
            let pin = if any_model { None } else { groth16_model_id(&keys.settings)? };
            return crate::groth16::solidity(&keys.vk, pin);
        }
    };
    let key = if any_model { keys.any_model_key()? } else { keys.circuit_key()? };
    zkinfer_verifier::evm::solidity::solidity(&keys.params, &key).map_err(|e| Error::Config(e.to_string()))
}

pub use zkinfer_verifier::evm::{GasItem, GasProfile};

/// The hard fork [`verify_evm`] runs: "Osaka", mainnet's since December 2025.
pub fn hard_fork() -> &'static str {
    zkinfer_verifier::evm::SPEC.into()
}

/// What running the Solidity verifier in an in-process EVM gave.
#[derive(Debug, Clone, Copy)]
pub struct EvmReport {
    /// `verifyProof` returned `true`.
    pub accepted: bool,
    /// Gas of the `verifyProof` transaction (including the 21,000 base and calldata gas).
    pub gas_used: u64,
    /// Where that gas went (precompiles, hashing, calldata, the rest).
    pub gas: GasProfile,
    /// Runtime bytes of `ZkinferVerifier` (the same for every model).
    pub verifier_size: usize,
    /// Runtime bytes of the model's `ZkinferVerifyingKey*` contracts, all together.
    pub key_size: usize,
    /// How many key contracts (each under EIP-170's 24,576 bytes).
    pub key_contracts: usize,
}

/// Compiles the verifier with `solc` (optimizer on; `solc` = a solcjs or solc path, else the
/// default search: `$ZKINFER_SOLC`, `evm/node_modules/.bin/solcjs`, `solc` on PATH), deploys it
/// and the model's key in revm under the hard fork mainnet runs ([`hard_fork`]), and calls
/// `verifyProof` with the proof file's calldata. A revert (no verdict: the verifier could not
/// run a precompile) is an error, not a rejection.
pub fn verify_evm(
    keys: &crate::VerifierKeys,
    bundle: &ProofBundle,
    solc: Option<&std::path::Path>,
) -> Result<EvmReport, Error> {
    use zkinfer_verifier::evm::{self as zevm, solidity as zsol};
    let data = calldata(keys.settings(), bundle)?;
    let solc = zevm::find_solc(solc).map_err(|e| Error::Config(e.to_string()))?;
    let keys = match keys {
        crate::VerifierKeys::Halo2(keys) => keys,
        crate::VerifierKeys::Groth16(keys) => {
            return groth16_evm(&solc, &keys.vk, groth16_model_id(&keys.settings)?, data);
        }
    };
    let verifier = zevm::compile(&solc, &[("Verifier.sol", zsol::VERIFIER_SOL)], "Verifier.sol", "ZkinferVerifier")
        .map_err(|e| Error::Config(e.to_string()))?;
    let key = keys.key_contracts()?;
    let mut evm = zevm::Evm::new();
    let deployed = zsol::deploy(&mut evm, &verifier, &key).map_err(|e| Error::Config(e.to_string()))?;
    let sizes = (deployed.verifier_size, deployed.key_size, deployed.key_contracts);
    call(&mut evm, deployed.verifier, data, sizes)
}

/// Calls `verifyProof` on `verifier` with `data`; a revert is an error (no verdict).
fn call(
    evm: &mut zkinfer_verifier::evm::Evm,
    verifier: zkinfer_verifier::evm::Address,
    data: Vec<u8>,
    (verifier_size, key_size, key_contracts): (usize, usize, usize),
) -> Result<EvmReport, Error> {
    let (out, gas) = evm.call_profiled(verifier, data).map_err(|e| Error::Config(e.to_string()))?;
    if !out.success {
        return Err(Error::Config(format!("verifyProof reverted: {}", to_hex(&out.output))));
    }
    Ok(EvmReport { accepted: out.returned_true(), gas_used: out.gas_used, gas, verifier_size, key_size, key_contracts })
}

/// The model id a Groth16 verifier for `settings` pins (hashed parameters), in arkworks' field.
fn groth16_model_id(settings: &crate::Settings) -> Result<Option<crate::groth16::Fr>, Error> {
    let Some(id) = &settings.model_id else { return Ok(None) };
    let id = crate::proof::fr_from_hex(id)
        .ok_or_else(|| Error::Config(format!("settings.json's model id {id} is no field element")))?;
    Ok(Some(zkinfer_r1cs::from_halo2(&id)))
}

/// [`verify_evm`] for Groth16: one contract, `ZkinferGroth16Verifier`, with the key inside
/// (pinned to `model_id` when there is one).
pub(crate) fn groth16_evm(
    solc: &std::path::Path,
    vk: &crate::groth16::VerifyingKey,
    model_id: Option<crate::groth16::Fr>,
    data: Vec<u8>,
) -> Result<EvmReport, Error> {
    use zkinfer_verifier::evm as zevm;
    let config = |e: zevm::EvmError| Error::Config(e.to_string());
    let source = crate::groth16::solidity(vk, model_id)?;
    let contract = zevm::compile(solc, &[("Groth16.sol", &source)], "Groth16.sol", "ZkinferGroth16Verifier")
        .map_err(|e| Error::Config(e.to_string()))?;
    let mut evm = zevm::Evm::new();
    let (verifier, verifier_size) = evm.deploy(contract.creation).map_err(config)?;
    call(&mut evm, verifier, data, (verifier_size, 0, 0))
}
