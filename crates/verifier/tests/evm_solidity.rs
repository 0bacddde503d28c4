//! The generated Solidity verifier, run in revm, agrees with the native verifier on honest and
//! tampered proofs over several circuit shapes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use halo2_axiom::halo2curves::bn256::Fr;
use zkinfer_verifier::evm::solidity::{deploy, vk_runtime, VERIFIER_SOL};
use zkinfer_verifier::evm::{compile, encode_calldata, find_solc, Evm};
use zkinfer_verifier::CircuitKey;

#[test]
fn evm_verdict_equals_native_verdict() {
    let solc = match find_solc(None) {
        Ok(p) => p,
        Err(e) if std::env::var_os("ZKINFER_SKIP_EVM").is_some() => return eprintln!("skipped: {e}"),
        Err(e) => panic!("{e}"),
    };
    let verifier = compile(&solc, &[("Verifier.sol", VERIFIER_SOL)], "Verifier.sol", "ZkinferVerifier").unwrap();
    for (k, rows) in [(5, 1), (5, 3), (6, 7)] {
        let (params, vk, proof, instances) = common::toy_proof(k, rows);
        let key = CircuitKey::new(&vk, rows).unwrap();
        let mut evm = Evm::new();
        let d = deploy(&mut evm, &verifier, &vk_runtime(&params, &key).unwrap()).unwrap();
        assert!(d.verifier_size < 24_576);
        let run = |evm: &mut Evm, proof: &[u8], inst: &[Fr]| {
            let out = evm.call(d.verifier, encode_calldata(proof, inst)).unwrap();
            let native = zkinfer_verifier::verify(&params, &key, proof, inst).is_ok();
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

/// Seeded random circuit shapes (advice columns, lookups, k, rows, instances): the plan's native
/// reference and the EVM both agree with halo2 on honest and tampered proofs.
#[test]
fn random_shapes_evm_equals_native() {
    use common::shape::{Shape, ShapeCircuit};
    use rand::{Rng, SeedableRng};
    use zkinfer_verifier::evm::plan::plan_verifier;
    use zkinfer_verifier::evm::reference;
    use zkinfer_verifier::evm::solidity::srs_points;

    let solc = match find_solc(None) {
        Ok(p) => Some(p),
        Err(e) if std::env::var_os("ZKINFER_SKIP_EVM").is_some() => {
            eprintln!("EVM part skipped: {e}");
            None
        }
        Err(e) => panic!("{e}"),
    };
    let verifier =
        solc.map(|s| compile(&s, &[("Verifier.sol", VERIFIER_SOL)], "Verifier.sol", "ZkinferVerifier").unwrap());
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2024);
    for round in 0..7 {
        let k = rng.gen_range(5..=7u32);
        let rows = rng.gen_range(2..=10usize);
        let shape = Shape {
            advice: rng.gen_range(1..=6),
            lookups: rng.gen_range(0..=3),
            rows,
            // The last round has no public input at all.
            instances: if round == 6 { 0 } else { rng.gen_range(0..=rows) },
        };
        let circuit = ShapeCircuit(shape);
        let instances = circuit.instances();
        let (params, vk, proof) = common::prove_circuit(k, &circuit, &instances);
        let key = CircuitKey::new(&vk, shape.instances).unwrap();
        zkinfer_verifier::verify(&params, &key, &proof, &instances).unwrap_or_else(|e| panic!("{shape:?} k={k}: {e}"));
        let p = plan_verifier(&key).unwrap();
        let srs = srs_points(&params);
        let mut cases = vec![(proof.clone(), instances.clone())];
        let mut flipped = proof.clone();
        let at = rng.gen_range(0..proof.len());
        flipped[at] ^= 1 << rng.gen_range(0..8);
        cases.push((flipped, instances.clone()));
        if !instances.is_empty() {
            let mut changed = instances.clone();
            changed[0] += Fr::from(1);
            cases.push((proof.clone(), changed));
        }
        let mut evm = Evm::new();
        let deployed = verifier.as_ref().map(|v| deploy(&mut evm, v, &vk_runtime(&params, &key).unwrap()).unwrap());
        for (i, (pr, inst)) in cases.iter().enumerate() {
            let native = zkinfer_verifier::verify(&params, &key, pr, inst).is_ok();
            assert_eq!(native, i == 0, "{shape:?} k={k} case {i}");
            assert_eq!(reference::verify(&p, &srs, pr, inst), native, "{shape:?} k={k} case {i}");
            if let Some(d) = &deployed {
                let out = evm.call(d.verifier, encode_calldata(pr, inst)).unwrap();
                assert_eq!(out.returned_true(), native, "{shape:?} k={k} case {i}: {out:?}");
            }
        }
        eprintln!("{shape:?} k={k}: ok ({} sets)", p.sets.len());
    }
}
