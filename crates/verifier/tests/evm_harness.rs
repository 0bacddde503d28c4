//! The EVM harness: solc (standard JSON, optimizer on) + revm deploy/call, and the calldata
//! layout as Solidity's ABI decoder reads it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use halo2_axiom::halo2curves::bn256::Fr;
use sha3::{Digest, Keccak256};
use zkinfer_verifier::evm::{compile, encode_calldata, find_solc, fr_to_word, Evm, EvmError};

const ECHO: &str = r#"// SPDX-License-Identifier: MIT
pragma solidity ^0.8.19;
contract Echo {
    function verifyProof(bytes calldata proof, uint256[] calldata instances)
        external pure returns (bytes32 proofHash, uint256 n, uint256 last)
    {
        proofHash = keccak256(proof);
        n = instances.length;
        last = n == 0 ? 0 : instances[n - 1];
    }
}
"#;

/// The compiler, or `None` (test skipped) when it is missing and `ZKINFER_SKIP_EVM` is set.
fn solc() -> Option<std::path::PathBuf> {
    match find_solc(None) {
        Ok(p) => Some(p),
        Err(e) if std::env::var_os("ZKINFER_SKIP_EVM").is_some() => {
            eprintln!("skipped: {e}");
            None
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn calldata_decodes_as_solidity_abi() {
    let Some(solc) = solc() else { return };
    let echo = compile(&solc, &[("Echo.sol", ECHO)], "Echo.sol", "Echo").unwrap();
    let mut evm = Evm::new();
    let (addr, size) = evm.deploy(echo.creation.clone()).unwrap();
    assert_eq!(size, echo.runtime.len());
    for (len, n) in [(0usize, 0usize), (31, 1), (32, 2), (1409, 5)] {
        let proof: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
        let instances: Vec<Fr> = (0..n).map(|i| -Fr::from(i as u64 + 1)).collect();
        let out = evm.call(addr, encode_calldata(&proof, &instances)).unwrap();
        assert!(out.success, "call reverted for proof len {len}");
        assert_eq!(out.output.len(), 96);
        assert_eq!(out.output[..32], Keccak256::digest(&proof)[..]);
        assert_eq!(out.output[63] as usize, n);
        let last = instances.last().map(fr_to_word).unwrap_or([0; 32]);
        assert_eq!(out.output[64..], last);
        assert!(out.gas_used > 21_000);
    }
}

#[test]
fn compile_errors_are_reported() {
    let Some(solc) = solc() else { return };
    let err = compile(&solc, &[("Bad.sol", "contract Bad { function f( }")], "Bad.sol", "Bad").unwrap_err();
    assert!(err.to_string().contains("solc rejected"), "{err}");
}

#[test]
fn missing_compiler_says_how_to_install() {
    let err = find_solc(Some(std::path::Path::new("/nonexistent/solc"))).unwrap_err();
    assert!(err.to_string().contains("npm ci --prefix evm"), "{err}");
}

#[test]
fn eip170_limit_is_enforced() {
    // Init code returning 24,577 zero bytes: PUSH2 0x6001 PUSH1 0 RETURN.
    let mut evm = Evm::new();
    let over = evm.deploy(vec![0x61, 0x60, 0x01, 0x60, 0x00, 0xf3]);
    assert!(matches!(over, Err(EvmError::Deploy(_))), "{over:?}");
    // 24,576 bytes is allowed.
    let (_, size) = evm.deploy(vec![0x61, 0x60, 0x00, 0x60, 0x00, 0xf3]).unwrap();
    assert_eq!(size, 24_576);
}
