//! The generated Solidity verifier, run in revm, agrees with the native verifier on honest and
//! tampered proofs over several circuit shapes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use halo2_axiom::halo2curves::bn256::Fr;
use zkinfer_verifier::evm::solidity::{deploy, vk_runtime, VERIFIER_SOL};
use zkinfer_verifier::evm::{compile, encode_calldata, find_solc, Evm};

#[test]
fn evm_verdict_equals_native_verdict() {
    let solc = match find_solc(None) {
        Ok(p) => p,
        Err(e) if std::env::var_os("CI").is_none() => return eprintln!("skipped: {e}"),
        Err(e) => panic!("{e}"),
    };
    let verifier = compile(&solc, &[("Verifier.sol", VERIFIER_SOL)], "Verifier.sol", "ZkinferVerifier").unwrap();
    for (k, rows) in [(5, 1), (5, 3), (6, 7)] {
        let (params, vk, proof, instances) = common::toy_proof(k, rows);
        let mut evm = Evm::new();
        let d = deploy(&mut evm, &verifier, &vk_runtime(&params, &vk).unwrap()).unwrap();
        assert!(d.verifier_size < 24_576);
        let run = |evm: &mut Evm, proof: &[u8], inst: &[Fr]| {
            let out = evm.call(d.verifier, encode_calldata(proof, inst)).unwrap();
            let native = zkinfer_verifier::verify(&params, &vk, proof, inst).is_ok();
            assert_eq!(out.returned_true(), native, "k={k} rows={rows} native={native} out={out:?}");
            // A rejection is a clean `false`, never a revert or an out-of-gas.
            assert!(out.success && out.output.len() == 32, "{out:?}");
            out
        };
        let ok = run(&mut evm, &proof, &instances);
        assert!(ok.returned_true());
        eprintln!("k={k} rows={rows}: gas {} verifier {} B key {} B", ok.gas_used, d.verifier_size, d.key_size);
        for i in [0, 70, proof.len() / 2, proof.len() - 1] {
            let mut bad = proof.clone();
            bad[i] ^= 1;
            run(&mut evm, &bad, &instances);
        }
        let mut changed = instances.clone();
        changed[rows - 1] += Fr::from(1);
        run(&mut evm, &proof, &changed);
        run(&mut evm, &proof[..proof.len() - 1], &instances);
        run(&mut evm, &proof[..proof.len() - 64], &instances);
    }
}
