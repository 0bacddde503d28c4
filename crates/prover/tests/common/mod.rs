//! Shared fixtures: a small SRS and keys for the toy circuit.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use halo2_axiom::halo2curves::bn256::{Bn256, G1Affine};
use halo2_axiom::plonk::{ProvingKey, VerifyingKey};
use halo2_axiom::poly::kzg::commitment::ParamsKZG;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkinfer_verifier::testing::ToyCircuit;
use zkinfer_verifier::CircuitKey;

/// k for the toy circuit: 64 rows hold the 16-row table, a few products and the blinding rows.
pub const K: u32 = 6;

pub fn params(k: u32) -> ParamsKZG<Bn256> {
    ParamsKZG::<Bn256>::setup(k, ChaCha20Rng::seed_from_u64(u64::from(k)))
}

pub fn keys(params: &ParamsKZG<Bn256>, circuit: &ToyCircuit) -> (ProvingKey<G1Affine>, VerifyingKey<G1Affine>) {
    zkinfer_prover::keygen(params, circuit).expect("keygen")
}

/// The verifier's key for the toy circuit: one public instance per row.
pub fn circuit_key<'a>(vk: &'a VerifyingKey<G1Affine>, circuit: &ToyCircuit) -> CircuitKey<'a> {
    CircuitKey::new(vk, circuit.params.rows).expect("instances fit")
}

/// A fresh directory under the target dir, unique to this test.
pub fn tmp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zkinfer-prover-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
