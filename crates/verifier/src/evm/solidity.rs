//! The Solidity verifier: one fixed contract ([`VERIFIER_SOL`], the same for every circuit)
//! plus a per-circuit `ZkinferVerifyingKey` contract whose runtime code is the encoded plan.

use halo2_axiom::halo2curves::bn256::{Bn256, G1Affine};
use halo2_axiom::plonk::VerifyingKey;
use halo2_axiom::poly::commitment::ParamsProver;
use halo2_axiom::poly::kzg::commitment::ParamsKZG;

use super::blob;
use super::plan::{plan, PlanError};
use super::reference::SrsPoints;

/// The circuit-independent verifier contract `ZkinferVerifier`.
pub const VERIFIER_SOL: &str = include_str!("Verifier.sol");

/// The SRS points a verifier needs.
pub fn srs_points(params: &ParamsKZG<Bn256>) -> SrsPoints {
    SrsPoints { g1: params.get_g()[0], g2: params.g2(), s_g2: params.s_g2() }
}

/// Runtime code of the verifying-key contract: `0x00` (STOP) then the plan's blob.
pub fn vk_runtime(params: &ParamsKZG<Bn256>, vk: &VerifyingKey<G1Affine>) -> Result<Vec<u8>, PlanError> {
    let p = plan(vk)?;
    let mut code = vec![0u8];
    code.extend(blob::encode(&p, &srs_points(params)));
    Ok(code)
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

/// The full `Verifier.sol` for a circuit: the fixed verifier, and a `ZkinferVerifyingKey`
/// contract whose constructor returns this circuit's data as its code. Deploy the key first,
/// then `ZkinferVerifier(keyAddress)`.
pub fn solidity(params: &ParamsKZG<Bn256>, vk: &VerifyingKey<G1Affine>) -> Result<String, PlanError> {
    let runtime = vk_runtime(params, vk)?;
    let hex: String = runtime.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!(
        "{VERIFIER_SOL}
/// @notice This circuit's verifying key, as code ({len} bytes): deploy it, then pass its address
/// to `ZkinferVerifier`'s constructor.
contract ZkinferVerifyingKey {{
    constructor() {{
        bytes memory code = hex\"{hex}\";
        assembly {{
            return(add(code, 32), mload(code))
        }}
    }}
}}
",
        len = runtime.len()
    ))
}

/// Addresses and runtime sizes of a deployed verifier and its key.
#[derive(Debug, Clone, Copy)]
pub struct Deployed {
    /// The `ZkinferVerifier` contract.
    pub verifier: revm::primitives::Address,
    /// Runtime code bytes of the verifier (the same for every circuit).
    pub verifier_size: usize,
    /// Runtime code bytes of the verifying-key contract.
    pub key_size: usize,
}

/// Deploys the key's data contract, then the compiled `ZkinferVerifier` pointing at it.
pub fn deploy(
    evm: &mut super::Evm,
    verifier: &super::CompiledContract,
    key_runtime: &[u8],
) -> Result<Deployed, super::EvmError> {
    let (key, key_size) = evm.deploy(data_contract_creation(key_runtime))?;
    let mut creation = verifier.creation.clone();
    creation.extend_from_slice(&[0u8; 12]);
    creation.extend_from_slice(key.as_slice());
    let (verifier, verifier_size) = evm.deploy(creation)?;
    Ok(Deployed { verifier, verifier_size, key_size })
}
