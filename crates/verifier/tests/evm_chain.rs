//! The Solidity verifier under the rules mainnet runs (Osaka): each precompile is given and
//! charged that fork's price; too little gas is a revert, never `false` for a valid proof; a
//! chain without a precompile gets a revert, never a verdict read from stale memory; and the
//! verifier is bound to its key contracts' code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use halo2_axiom::halo2curves::bn256::{Bn256, Fr};
use halo2_axiom::poly::kzg::commitment::ParamsKZG;
use revm::primitives::Address;
use zkinfer_verifier::evm::gas::prices;
use zkinfer_verifier::evm::solidity::{
    data_contract_creation, deploy, deploy_verifier, key_hash, vk_runtime, VERIFIER_SOL,
};
use zkinfer_verifier::evm::{compile, encode_calldata, find_solc, fr_to_word, CompiledContract, Evm, EvmError};
use zkinfer_verifier::CircuitKey;

const SELECTOR_PRECOMPILE_FAILED: [u8; 4] = [0xeb, 0x8d, 0x04, 0x3a];
const SELECTOR_KEY_NOT_DEPLOYED: [u8; 4] = [0x77, 0xb0, 0x52, 0x40];
const SELECTOR_KEY_HASH_MISMATCH: [u8; 4] = [0x87, 0xf4, 0x83, 0x44];
const SELECTOR_KEY_CODE_CHANGED: [u8; 4] = [0x9f, 0xbc, 0x72, 0x1a];

fn verifier() -> Option<CompiledContract> {
    let solc = match find_solc(None) {
        Ok(p) => p,
        Err(e) if std::env::var_os("ZKINFER_SKIP_EVM").is_some() => {
            eprintln!("skipped: {e}");
            return None;
        }
        Err(e) => panic!("{e}"),
    };
    Some(compile(&solc, &[("Verifier.sol", VERIFIER_SOL)], "Verifier.sol", "ZkinferVerifier").unwrap())
}

/// A toy proof of 3 instances and its key contracts' runtime code.
fn toy() -> (ParamsKZG<Bn256>, Vec<Vec<u8>>, Vec<u8>, Vec<Fr>) {
    let (params, vk, proof, instances) = common::toy_proof(6, 3);
    let runtime = vk_runtime(&params, &CircuitKey::new(&vk, 3).unwrap()).unwrap();
    (params, runtime, proof, instances)
}

fn precompile(n: u8) -> Address {
    let mut a = [0u8; 20];
    a[19] = n;
    Address::from(a)
}

/// ABI revert data of a custom error with one address argument.
fn error_with_address(selector: [u8; 4], a: Address) -> Vec<u8> {
    let mut out = selector.to_vec();
    out.extend_from_slice(&[0u8; 12]);
    out.extend_from_slice(a.as_slice());
    out
}

/// EIP-7883's price of a modexp call, written from the EIP's text.
fn eip7883_price(base_len: u64, exp: &[u8; 32], mod_len: u64) -> u64 {
    let max_len = base_len.max(mod_len);
    let words = max_len.div_ceil(8);
    let complexity = if max_len <= 32 { 16 } else { 2 * words * words };
    let bits = 256 - exp.iter().position(|&b| b != 0).map_or(256, |i| 8 * i as u64 + u64::from(exp[i].leading_zeros()));
    let iterations = if bits == 0 { 0 } else { bits - 1 };
    (complexity * iterations.max(1)).max(500)
}

#[test]
fn precompiles_are_given_and_charged_osaka_prices() {
    let Some(verifier) = verifier() else { return };
    let (_, runtime, proof, instances) = toy();
    let mut evm = Evm::new();
    let d = deploy(&mut evm, &verifier, &runtime).unwrap();
    let (out, gas) = evm.call_profiled(d.verifier, encode_calldata(&proof, &instances)).unwrap();
    assert!(out.returned_true(), "{out:?}");
    eprintln!("toy: gas {}\n{gas}", out.gas_used);

    // The one inversion: base, exponent r - 2 and modulus of 32 bytes each.
    let r_minus_2 = fr_to_word(&-Fr::from(2));
    assert_eq!(eip7883_price(32, &r_minus_2, 32), prices::MODEXP_INVERSE);
    assert_eq!(gas.modexp.calls, 1);
    assert_eq!(gas.modexp.gas, prices::MODEXP_INVERSE, "EIP-7883, not EIP-2565's 1,349");
    assert_eq!(gas.ec_add.gas, prices::EC_ADD * gas.ec_add.calls);
    assert_eq!(gas.ec_mul.gas, prices::EC_MUL * gas.ec_mul.calls);
    assert_eq!((gas.pairing.calls, gas.pairing.gas), (1, prices::pairing(2)));
    for (name, item, price) in [
        ("modexp", gas.modexp, prices::MODEXP_INVERSE),
        ("ecAdd", gas.ec_add, prices::EC_ADD),
        ("ecMul", gas.ec_mul, prices::EC_MUL),
        ("pairing", gas.pairing, prices::pairing(2)),
    ] {
        assert!(item.calls > 0 && item.least_given >= price, "{name}: given {} < {price}", item.least_given);
    }
}

/// A caller that leaves too little gas gets a failed call, never `false` for a valid proof
/// (which a contract acting on the verdict could take for an invalid proof).
#[test]
fn too_little_gas_reverts_instead_of_returning_false() {
    let Some(verifier) = verifier() else { return };
    let (_, runtime, proof, instances) = toy();
    let mut evm = Evm::new();
    let d = deploy(&mut evm, &verifier, &runtime).unwrap();
    let data = encode_calldata(&proof, &instances);
    let used = evm.call(d.verifier, data.clone()).unwrap().gas_used;
    // The least a transaction may be given: its intrinsic gas, or EIP-7623's calldata floor.
    let nonzero = data.iter().filter(|&&b| b != 0).count() as u64;
    let tokens = data.len() as u64 + 3 * nonzero;
    let floor = 21_000 + 10 * tokens + 1;
    let mut limits: Vec<u64> = (0..48).map(|i| floor + (used - floor) * i / 48).collect();
    // Around the last precompile calls and the very end.
    limits.extend([1, 10, 100, 1_000, 3_000, 6_000, 20_000, 113_000, 120_000].map(|d| used - d));
    for limit in limits {
        let out = evm.call_with_gas(d.verifier, data.clone(), limit).unwrap();
        assert!(!out.success, "gas limit {limit} of {used}: {out:?}");
    }
    // With its gas and the 1/64 a call keeps back, it verifies.
    assert!(evm.call_with_gas(d.verifier, data, used + used / 63).unwrap().returned_true());
}

#[test]
fn a_chain_without_a_precompile_gets_a_revert() {
    let Some(verifier) = verifier() else { return };
    let (_, runtime, proof, instances) = toy();
    for n in [5u8, 6, 7, 8] {
        let mut evm = Evm::without_precompiles(&[precompile(n)]);
        let d = deploy(&mut evm, &verifier, &runtime).unwrap();
        let out = evm.call(d.verifier, encode_calldata(&proof, &instances)).unwrap();
        assert!(!out.success, "precompile {n} missing: {out:?}");
        assert_eq!(out.output, error_with_address(SELECTOR_PRECOMPILE_FAILED, precompile(n)), "precompile {n}");
    }
    // Without the curve precompiles, calls "succeed" and leave memory as it was: the pairing's
    // output word would still hold h2's x. A forged proof with h2 = (1, 2) must not pass.
    let mut forged = proof.clone();
    let n = forged.len();
    forged[n - 64..].fill(0);
    forged[n - 33] = 1;
    forged[n - 1] = 2;
    let mut evm = Evm::without_precompiles(&[precompile(6), precompile(7), precompile(8)]);
    let d = deploy(&mut evm, &verifier, &runtime).unwrap();
    let out = evm.call(d.verifier, encode_calldata(&forged, &instances)).unwrap();
    assert!(!out.returned_true() && !out.success, "{out:?}");
}

#[test]
fn the_verifier_is_bound_to_its_key_contracts() {
    let Some(verifier) = verifier() else { return };
    let (params, runtime, proof, instances) = toy();
    let mut evm = Evm::new();
    let keys: Vec<Address> = runtime.iter().map(|c| evm.deploy(data_contract_creation(c)).unwrap().0).collect();
    let hash = key_hash(&runtime);

    // Another key: the same circuit with 2 instances.
    let (_, vk, _, _) = common::toy_proof(6, 3);
    let other = key_hash(&vk_runtime(&params, &CircuitKey::new(&vk, 2).unwrap()).unwrap());
    let reverted = |r: Result<(Address, usize), EvmError>| match r {
        Err(EvmError::ConstructorReverted { output }) => output,
        other => panic!("expected a constructor revert, got {other:?}"),
    };
    let out = reverted(deploy_verifier(&mut evm, &verifier, other, &keys));
    assert_eq!(out[..4], SELECTOR_KEY_HASH_MISMATCH);
    assert_eq!(out[4..36], other);
    assert_eq!(out[36..68], hash);

    // No code at the address (an account whose code could be deployed later), no key at all,
    // and code that is not a key part (the key must start with STOP).
    let empty = Address::repeat_byte(0x42);
    assert_eq!(
        reverted(deploy_verifier(&mut evm, &verifier, hash, &[empty])),
        error_with_address(SELECTOR_KEY_NOT_DEPLOYED, empty)
    );
    let zero = Address::ZERO;
    assert_eq!(
        reverted(deploy_verifier(&mut evm, &verifier, hash, &[])),
        error_with_address(SELECTOR_KEY_NOT_DEPLOYED, zero)
    );
    let (good, _) = deploy_verifier(&mut evm, &verifier, hash, &keys).unwrap();
    assert_eq!(
        reverted(deploy_verifier(&mut evm, &verifier, hash, &[good])),
        error_with_address(SELECTOR_KEY_NOT_DEPLOYED, good)
    );

    let data = encode_calldata(&proof, &instances);
    assert!(evm.call(good, data.clone()).unwrap().returned_true());
    // The key's code changed under the verifier (a state override here; no chain lets code that
    // starts with STOP change): it reverts rather than reading another key.
    let mut changed = runtime[0].clone();
    let last = changed.len() - 1;
    changed[last] ^= 1;
    evm.set_code(keys[0], changed).unwrap();
    let out = evm.call(good, data).unwrap();
    assert!(!out.success, "{out:?}");
    assert_eq!(out.output, error_with_address(SELECTOR_KEY_CODE_CHANGED, keys[0]));
}

#[test]
fn error_selectors_match_their_signatures() {
    use sha3::{Digest, Keccak256};
    for (sig, sel) in [
        ("PrecompileFailed(address)", SELECTOR_PRECOMPILE_FAILED),
        ("KeyNotDeployed(address)", SELECTOR_KEY_NOT_DEPLOYED),
        ("KeyHashMismatch(bytes32,bytes32)", SELECTOR_KEY_HASH_MISMATCH),
        ("KeyCodeChanged(address)", SELECTOR_KEY_CODE_CHANGED),
    ] {
        assert_eq!(Keccak256::digest(sig)[..4], sel, "{sig}");
        assert!(VERIFIER_SOL.contains(&sig[..sig.find('(').unwrap()]), "{sig}");
    }
    // The one selector written as a literal in the contract's assembly.
    assert!(VERIFIER_SOL.contains("0xeb8d043a"));
}
