//! `Objective::Verifier` plans narrower circuits: strictly less gas in the Solidity verifier than
//! the default `Objective::Prover` on mlp_digits, and its proof still verifies natively and in the
//! EVM (and a flipped byte is still rejected).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use zkinfer::halo2::{Objective, PlanOptions};
use zkinfer::{CompileOptions, Srs};
use zkinfer_verifier::evm::solidity::{deploy, VERIFIER_SOL};
use zkinfer_verifier::evm::{compile, encode_calldata, find_solc, Evm};

#[test]
fn verifier_objective_costs_less_gas() {
    let solc = match find_solc(None) {
        Ok(p) => p,
        Err(e) if std::env::var_os("ZKINFER_SKIP_EVM").is_some() => {
            eprintln!("skipped: {e}");
            return;
        }
        Err(e) => panic!("{e}"),
    };
    let verifier = compile(&solc, &[("Verifier.sol", VERIFIER_SOL)], "Verifier.sol", "ZkinferVerifier").unwrap();
    let mut gas = Vec::new();
    for objective in [Objective::Prover, Objective::Verifier] {
        let opts =
            CompileOptions { halo2: PlanOptions { objective, ..PlanOptions::default() }, ..CompileOptions::default() };
        let (model, compiled) = common::compile("mlp_digits", &opts);
        let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
        let bundle = zkinfer::prove(&compiled, &keys, &common::input("mlp_digits", &model)).expect("prove");
        let vkeys = keys.verifier();
        zkinfer::verify(&vkeys, &bundle).expect("verifies natively");
        let proof = bundle.proof_bytes().unwrap();
        let instances = bundle.instance_values().unwrap();
        let mut evm = Evm::new();
        let d = deploy(&mut evm, &verifier, &vkeys.halo2().unwrap().key_contracts().unwrap()).unwrap();
        let (honest, profile) = evm.call_profiled(d.verifier, encode_calldata(&proof, &instances)).unwrap();
        assert!(honest.returned_true(), "{objective}: honest proof rejected: {honest:?}");
        let mut flipped = proof.clone();
        flipped[proof.len() / 2] ^= 0x01;
        assert!(!evm.call(d.verifier, encode_calldata(&flipped, &instances)).unwrap().returned_true());
        eprintln!(
            "{objective}: {} gas {} proof {} B (estimated gas {:.0})\n{profile}",
            compiled.circuit().summary(),
            honest.gas_used,
            proof.len(),
            compiled.circuit().halo2().unwrap().stats.estimated_gas
        );
        gas.push(honest.gas_used);
    }
    assert!(gas[1] < gas[0], "verifier objective {} gas, prover objective {} gas", gas[1], gas[0]);
}
