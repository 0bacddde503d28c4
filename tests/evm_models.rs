//! The Solidity verifier on the bundled models, in revm under Osaka (mainnet's rules): honest
//! proofs accepted; a flipped byte (sampled positions), any changed public instance, a truncated
//! proof and one instance more or fewer than the key's rejected — in the EVM (and natively for
//! the instance count). Plus the `solidity` / `verify-evm` commands.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;
use std::sync::Arc;

use halo2_axiom::halo2curves::bn256::Fr;
use zkinfer::{CompileOptions, ParamVisibility, Srs, Visibility, VisibilityConfig};
use zkinfer_circuits::{public_instances, ModelCircuit};
use zkinfer_verifier::evm::gas::prices;
use zkinfer_verifier::evm::plan::{plan_verifier, Commit, VerifierPlan};
use zkinfer_verifier::evm::solidity::{deploy, vk_runtime, VERIFIER_SOL};
use zkinfer_verifier::evm::{compile, encode_calldata, find_solc, CompiledContract, Evm, GasProfile};
use zkinfer_verifier::{CircuitKey, VerifyError};

/// The Solidity compiler; a missing one fails the test (`bash scripts/test.sh` installs it) unless
/// `ZKINFER_SKIP_EVM` is set.
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

/// The gas profile adds up, and counts what the verifier must do: one ecMul per commitment in
/// the final MSM (each quotient piece separately) plus the three SHPLONK terms, one pairing, and
/// one modexp (every field inversion is batched into one), each at Osaka's price and given at
/// least that.
fn check_gas_profile(name: &str, gas: &GasProfile, plan: &VerifierPlan, total: u64) {
    eprintln!("{name}: gas {total}\n{gas}");
    let parts = gas.base + gas.calldata + gas.ec_mul.gas + gas.ec_add.gas + gas.pairing.gas + gas.modexp.gas;
    assert_eq!(gas.total, total, "{name}");
    assert_eq!(parts + gas.keccak.gas + gas.other, total, "{name}: the parts must add up");
    let terms: usize = plan
        .sets
        .iter()
        .flat_map(|s| &s.commitments)
        .map(|(c, _)| if matches!(c, Commit::Quotient) { plan.quotient_pieces } else { 1 })
        .sum();
    assert_eq!(gas.ec_mul.calls, terms as u64 + 3, "{name}: one ecMul per MSM term");
    assert_eq!(gas.ec_mul.gas, prices::EC_MUL * gas.ec_mul.calls, "{name}");
    assert_eq!(gas.ec_add.gas, prices::EC_ADD * gas.ec_add.calls, "{name}");
    assert_eq!((gas.pairing.calls, gas.pairing.gas), (1, prices::pairing(2)), "{name}");
    assert_eq!(gas.modexp.calls, 1, "{name}: one batched inversion");
    assert_eq!(gas.modexp.gas, prices::MODEXP_INVERSE, "{name}: EIP-7883 price of one 254-bit exponentiation");
    for (item, price) in [
        (gas.ec_mul, prices::EC_MUL),
        (gas.ec_add, prices::EC_ADD),
        (gas.pairing, prices::pairing(2)),
        (gas.modexp, prices::MODEXP_INVERSE),
    ] {
        assert!(item.least_given >= price, "{name}: a precompile given {} < its price {price}", item.least_given);
    }
    assert!(gas.keccak.calls > 0 && gas.other > 0, "{name}: {gas:?}");
    assert!(gas.other_before_msm > 0 && gas.other_before_msm < gas.other, "{name}: {gas:?}");
}

#[test]
fn bundled_models_verify_in_the_evm() {
    let Some(solc) = solc() else { return };
    let verifier = compile(&solc, &[("Verifier.sol", VERIFIER_SOL)], "Verifier.sol", "ZkinferVerifier").unwrap();
    for name in ["mlp_digits", "cnn_digits", "mlp_wide", "attn_tiny"] {
        let (model, compiled) = common::compile(name, &CompileOptions::default());
        let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
        let bundle = zkinfer::prove(&compiled, &keys, &common::input(name, &model)).expect("prove");
        let vkeys = keys.verifier();
        let proof = bundle.proof_bytes().unwrap();
        let instances = bundle.instance_values().unwrap();
        let mut evm = Evm::new();
        let d = deploy(&mut evm, &verifier, &vkeys.halo2().unwrap().key_contracts().unwrap()).unwrap();
        assert!(d.verifier_size <= 24_576 && d.key_size <= 24_576 * d.key_contracts, "{d:?}");
        let (honest, gas) = evm.call_profiled(d.verifier, encode_calldata(&proof, &instances)).unwrap();
        assert!(honest.returned_true(), "{name}: honest proof rejected: {honest:?}");
        check_gas_profile(
            name,
            &gas,
            &plan_verifier(&vkeys.halo2().unwrap().circuit_key().unwrap()).unwrap(),
            honest.gas_used,
        );
        eprintln!(
            "{name}: k={} gas {} verifier {} B key {} B in {} contract(s) proof {} B",
            compiled.circuit().k(),
            honest.gas_used,
            d.verifier_size,
            d.key_size,
            d.key_contracts,
            proof.len()
        );
        // One flipped byte at sampled positions (first, last and 16 spread over the proof).
        let positions = (0..16).map(|i| i * proof.len() / 16).chain([1, proof.len() - 1]);
        for pos in positions {
            let mut flipped = proof.clone();
            flipped[pos] ^= 0x01;
            let r = evm.call(d.verifier, encode_calldata(&flipped, &instances)).unwrap();
            assert!(!r.returned_true(), "{name}: byte {pos} flipped and accepted in the EVM");
        }
        // Every public instance changed, one at a time.
        for i in 0..instances.len() {
            let mut changed = instances.clone();
            changed[i] += halo2_axiom::halo2curves::bn256::Fr::from(1);
            let r = evm.call(d.verifier, encode_calldata(&proof, &changed)).unwrap();
            assert!(!r.returned_true(), "{name}: instance {i} changed and accepted in the EVM");
        }
        let truncated = &proof[..proof.len() - 32];
        assert!(!evm.call(d.verifier, encode_calldata(truncated, &instances)).unwrap().returned_true());
    }
}

/// The exact instance count is part of the verifying key, natively and on chain. With a public
/// input and a private output, mlp_digits' instances are its 64 pixels, the last of them 0: a
/// prover can make a valid proof against one instance more (on a row no constraint reads) or one
/// fewer (the zero pixel left out, read as 0), each accepted by a verifier of that count —
/// and both verifiers of the model's key must reject them.
#[test]
fn instance_count_is_part_of_the_verifying_key() {
    let vis = VisibilityConfig::new(Visibility::Public, ParamVisibility::Fixed, Visibility::Private);
    let (model, compiled) = common::compile("mlp_digits", &CompileOptions { visibility: vis, ..Default::default() });
    let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
    let witness = Arc::new(compiled.witness(&common::input("mlp_digits", &model)).unwrap());
    let honest = public_instances(&compiled.qgraph, &witness);
    assert_eq!(honest.len(), compiled.settings.num_instances());
    assert_eq!(honest.last(), Some(&Fr::from(0)), "the last pixel is 0");
    let mut more = honest.clone();
    more.push(Fr::from(7));
    let fewer = honest[..honest.len() - 1].to_vec();

    let vkeys = keys.verifier();
    let key = vkeys.halo2().unwrap().circuit_key().unwrap();
    let verifier =
        solc().map(|s| compile(&s, &[("Verifier.sol", VERIFIER_SOL)], "Verifier.sol", "ZkinferVerifier").unwrap());
    let mut evm = Evm::new();
    let evm_verdict = |evm: &mut Evm, v: &CompiledContract, key: &CircuitKey<'_>, proof: &[u8], inst: &[Fr]| {
        let d = deploy(evm, v, &vk_runtime(&vkeys.halo2().unwrap().params, key).unwrap()).unwrap();
        let out = evm.call(d.verifier, encode_calldata(proof, inst)).unwrap();
        assert!(out.success && out.output.len() == 32, "a verdict, not a revert: {out:?}");
        out.returned_true()
    };
    for (what, instances) in [("honest", &honest), ("one more", &more), ("one fewer", &fewer)] {
        let circuit = ModelCircuit::new(
            compiled.qgraph.clone(),
            compiled.circuit().halo2().unwrap().clone(),
            Some(witness.clone()),
        );
        let proof =
            zkinfer_prover::prove(&keys.halo2().unwrap().params, &keys.halo2().unwrap().pk, &circuit, instances)
                .unwrap();
        // Valid for a key of its own count: what a verifier without the count accepted.
        let own = CircuitKey::new(&vkeys.halo2().unwrap().vk, instances.len()).unwrap();
        zkinfer_verifier::verify(&vkeys.halo2().unwrap().params, &own, &proof, instances)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let native = zkinfer_verifier::verify(&vkeys.halo2().unwrap().params, &key, &proof, instances);
        if let Some(v) = &verifier {
            assert!(evm_verdict(&mut evm, v, &own, &proof, instances), "{what}: its own count's contract");
            let on_chain = evm_verdict(&mut evm, v, &key, &proof, instances);
            assert_eq!(on_chain, instances.len() == honest.len(), "{what}: on chain");
        }
        if instances.len() == honest.len() {
            native.unwrap();
        } else {
            let (expected, got) = (honest.len(), instances.len());
            assert!(
                matches!(native, Err(VerifyError::InstanceCount { expected: e, got: g }) if e == expected && g == got),
                "{what}: {native:?}"
            );
        }
    }
}

#[test]
fn solidity_and_verify_evm_commands() {
    if solc().is_none() {
        return;
    }
    let (model, compiled) = common::compile("mlp_digits", &CompileOptions::default());
    let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
    let bundle = zkinfer::prove(&compiled, &keys, &common::input("mlp_digits", &model)).expect("prove");
    let dir = common::scratch("evm_models_cli");
    compiled.save(&dir).unwrap();
    keys.save(&dir).unwrap();
    let proof_path = dir.join("proof.json");
    bundle.save(&proof_path).unwrap();
    let zk = env!("CARGO_BIN_EXE_zkinfer");
    let (d, p) = (dir.to_str().unwrap(), proof_path.to_str().unwrap());

    let sol = dir.join("Verifier.sol");
    let st = Command::new(zk).args(["solidity", d, "--out", sol.to_str().unwrap()]).status().unwrap();
    assert!(st.success());
    let text = std::fs::read_to_string(&sol).unwrap();
    assert!(text.contains("contract ZkinferVerifier ") && text.contains("contract ZkinferVerifyingKey0 "));
    assert!(text.contains("bytes32 constant ZKINFER_KEY_HASH = 0x"), "the key hash the constructor takes");
    let solc = solc().unwrap();
    for contract in ["ZkinferVerifier", "ZkinferVerifyingKey0"] {
        compile(&solc, &[("Verifier.sol", &text)], "Verifier.sol", contract)
            .unwrap_or_else(|e| panic!("{contract}: {e}"));
    }

    let out = Command::new(zk).args(["verify-evm", d, "--proof", p]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.starts_with("verified") && stdout.contains("gas: ") && stdout.contains("ecMul"), "{stdout}");
    assert!(stdout.contains("hard fork Osaka"), "{stdout}");

    let mut bad = bundle.clone();
    let mut bytes = bad.proof_bytes().unwrap();
    bytes[100] ^= 1;
    bad.proof = zkinfer::evm::to_hex(&bytes);
    let bad_path = dir.join("bad.json");
    bad.save(&bad_path).unwrap();
    let out = Command::new(zk).args(["verify-evm", d, "--proof", bad_path.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stdout));

    let out = Command::new(zk).args(["verify-evm", d, "--proof", p, "--solc", "/nonexistent/solc"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("npm ci --prefix evm"));
}
