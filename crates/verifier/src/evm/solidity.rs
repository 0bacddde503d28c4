//! The Solidity verifier: one fixed contract ([`VERIFIER_SOL`], the same for every circuit)
//! plus a per-circuit `ZkinferVerifyingKey` contract whose runtime code is the encoded plan.
//! `ZkinferVerifier`'s constructor takes the key's hash ([`blob::key_hash`]) and the key
//! contracts' addresses, and reverts unless their data hashes to it.

use halo2_axiom::halo2curves::bn256::Bn256;
use halo2_axiom::poly::commitment::ParamsProver;
use halo2_axiom::poly::kzg::commitment::ParamsKZG;
use revm::primitives::Address;

use super::blob;
use super::exec::hex;
use super::plan::{plan_verifier, PlanError};
use super::reference::SrsPoints;
use crate::CircuitKey;

/// The circuit-independent verifier contract `ZkinferVerifier`.
pub const VERIFIER_SOL: &str = include_str!("Verifier.sol");

/// The SRS points a verifier needs.
pub fn srs_points(params: &ParamsKZG<Bn256>) -> SrsPoints {
    SrsPoints { g1: params.get_g()[0], g2: params.g2(), s_g2: params.s_g2() }
}

/// EIP-170's limit on a contract's runtime code.
pub const MAX_CODE_SIZE: usize = 24_576;

/// Most key contracts `ZkinferVerifier` reads.
pub const MAX_KEY_CONTRACTS: usize = 4;

/// Runtime code of the verifying-key contracts: the plan's blob cut into pieces that fit
/// EIP-170, each behind a `0x00` (STOP) byte. The verifier concatenates them in order.
pub fn vk_runtime(params: &ParamsKZG<Bn256>, key: &CircuitKey<'_>) -> Result<Vec<Vec<u8>>, PlanError> {
    let p = plan_verifier(key)?;
    let data = blob::encode(&p, &srs_points(params))?;
    let chunks: Vec<Vec<u8>> = data
        .chunks(MAX_CODE_SIZE - 1)
        .map(|c| {
            let mut code = vec![0u8];
            code.extend_from_slice(c);
            code
        })
        .collect();
    if chunks.len() > MAX_KEY_CONTRACTS {
        return Err(PlanError::TooLarge { bytes: data.len(), max: MAX_KEY_CONTRACTS * (MAX_CODE_SIZE - 1) });
    }
    Ok(chunks)
}

/// Creation code that deploys `runtime` as-is (a 14-byte prefix that copies and returns it).
pub fn data_contract_creation(runtime: &[u8]) -> Vec<u8> {
    let len = runtime.len() as u16;
    let [hi, lo] = len.to_be_bytes();
    // PUSH2 len DUP1 PUSH1 0x0e PUSH1 0 CODECOPY PUSH1 0 RETURN
    let mut code = vec![0x61, hi, lo, 0x80, 0x60, 0x0e, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3];
    code.resize(0x0e, 0x00);
    code.extend_from_slice(runtime);
    code
}

/// The key hash of key contracts with this runtime code: Keccak-256 of their data (each
/// part's code after its leading STOP), concatenated in order.
pub fn key_hash(key_runtime: &[Vec<u8>]) -> [u8; 32] {
    let data: Vec<u8> = key_runtime.iter().flat_map(|code| code.iter().skip(1).copied()).collect();
    blob::key_hash(&data)
}

/// The full `Verifier.sol` for a circuit: the fixed verifier, the file-level constant
/// `ZKINFER_KEY_HASH`, and `ZkinferVerifyingKey0`, `ZkinferVerifyingKey1`, ... contracts whose
/// constructors return this circuit's key data as their code. Deploy the keys, then
/// `ZkinferVerifier(ZKINFER_KEY_HASH, key0, key1, key2, key3)` with `address(0)` for keys the
/// circuit does not need.
pub fn solidity(params: &ParamsKZG<Bn256>, key: &CircuitKey<'_>) -> Result<String, PlanError> {
    let chunks = vk_runtime(params, key)?;
    let hash = hex(&key_hash(&chunks));
    let mut out = String::from(VERIFIER_SOL);
    out.push_str(&format!(
        "
// This circuit's key hash ({n} public instances): the first argument of `ZkinferVerifier`'s
// constructor, which reverts unless the key contracts passed with it hold exactly this key.
bytes32 constant ZKINFER_KEY_HASH = 0x{hash};
",
        n = key.num_instances()
    ));
    if let Some(pin) = key.pinned() {
        out.push_str(&format!(
            "
// The model id this key pins: `verifyProof` accepts a proof only when its instance {i} is this
// value, and `modelId()` returns it.
uint256 constant ZKINFER_MODEL_ID = 0x{id};
",
            i = pin.index,
            id = hex(&super::calldata::fr_to_word(&pin.value))
        ));
    }
    for (i, code) in chunks.iter().enumerate() {
        let code_hex = hex(code);
        out.push_str(&format!(
            "
/// @notice Part {i} of {n} of this circuit's verifying key, as code ({len} bytes): deploy every
/// part, then pass their addresses, in order, to `ZkinferVerifier`'s constructor.
contract ZkinferVerifyingKey{i} {{
    constructor() {{
        bytes memory code = hex\"{code_hex}\";
        assembly {{
            return(add(code, 32), mload(code))
        }}
    }}
}}
",
            n = chunks.len(),
            len = code.len()
        ));
    }
    Ok(out)
}

/// Addresses and runtime sizes of a deployed verifier and its key.
#[derive(Debug, Clone, Copy)]
pub struct Deployed {
    /// The `ZkinferVerifier` contract.
    pub verifier: revm::primitives::Address,
    /// Runtime code bytes of the verifier (the same for every circuit).
    pub verifier_size: usize,
    /// Runtime code bytes of the verifying-key contracts, all together.
    pub key_size: usize,
    /// How many key contracts.
    pub key_contracts: usize,
}

/// Deploys the key's data contracts, then the compiled `ZkinferVerifier` pointing at them.
pub fn deploy(
    evm: &mut super::Evm,
    verifier: &super::CompiledContract,
    key_runtime: &[Vec<u8>],
) -> Result<Deployed, super::EvmError> {
    if key_runtime.len() > MAX_KEY_CONTRACTS {
        let n = key_runtime.len();
        return Err(super::EvmError::Deploy(format!("{n} key contracts (at most {MAX_KEY_CONTRACTS})")));
    }
    let mut keys = Vec::with_capacity(key_runtime.len());
    let mut key_size = 0;
    for chunk in key_runtime {
        let (key, size) = evm.deploy(data_contract_creation(chunk))?;
        key_size += size;
        keys.push(key);
    }
    let (verifier, verifier_size) = deploy_verifier(evm, verifier, key_hash(key_runtime), &keys)?;
    Ok(Deployed { verifier, verifier_size, key_size, key_contracts: key_runtime.len() })
}

/// Deploys the compiled `ZkinferVerifier` with constructor arguments `key_hash` and `keys`
/// (padded with `address(0)` to [`MAX_KEY_CONTRACTS`]); returns its address and runtime size.
/// The constructor reverts unless the key contracts hold a key with this hash.
pub fn deploy_verifier(
    evm: &mut super::Evm,
    verifier: &super::CompiledContract,
    key_hash: [u8; 32],
    keys: &[Address],
) -> Result<(Address, usize), super::EvmError> {
    if keys.len() > MAX_KEY_CONTRACTS {
        let n = keys.len();
        return Err(super::EvmError::Deploy(format!("{n} key contracts (at most {MAX_KEY_CONTRACTS})")));
    }
    let mut creation = verifier.creation.clone();
    creation.extend_from_slice(&key_hash);
    for key in keys {
        creation.extend_from_slice(&[0u8; 12]);
        creation.extend_from_slice(key.as_slice());
    }
    creation.resize(verifier.creation.len() + 32 * (1 + MAX_KEY_CONTRACTS), 0);
    evm.deploy(creation)
}
