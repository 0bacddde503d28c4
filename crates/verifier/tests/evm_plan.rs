//! The EVM verifier's algorithm (a `VerifierPlan` run by `reference::verify`) agrees with halo2's
//! verifier: honest proofs accepted; flipped bytes, changed instances, truncation rejected.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::toy_proof;
use halo2_axiom::halo2curves::bn256::Fr;
use zkinfer_verifier::evm::plan::plan_verifier;
use zkinfer_verifier::evm::reference;
use zkinfer_verifier::evm::solidity::srs_points;
use zkinfer_verifier::CircuitKey;

#[test]
fn plan_reference_agrees_with_halo2() {
    for (k, rows) in [(5, 1), (5, 3), (6, 7)] {
        let (params, vk, proof, instances) = toy_proof(k, rows);
        let key = CircuitKey::new(&vk, rows).unwrap();
        zkinfer_verifier::verify(&params, &key, &proof, &instances).unwrap();
        let p = plan_verifier(&key).unwrap();
        let srs = srs_points(&params);
        assert!(reference::verify(&p, &srs, &proof, &instances), "honest proof, k={k} rows={rows}");
        let mut flipped = proof.clone();
        flipped[proof.len() / 2] ^= 1;
        assert!(!reference::verify(&p, &srs, &flipped, &instances));
        let mut changed = instances.clone();
        changed[0] += Fr::from(1);
        assert!(!reference::verify(&p, &srs, &proof, &changed));
        assert!(!reference::verify(&p, &srs, &proof[..proof.len() - 32], &instances));
    }
}
