//! The verifying key, a proof and its public inputs in snarkjs's JSON forms
//! (`verification_key.json`, `proof.json`, `public.json`), so that `snarkjs groth16 verify`
//! checks a zkinfer proof with no zkinfer code.
//!
//! snarkjs writes every number as a decimal string, a G1 point as `[x, y, "1"]` and a G2 point as
//! `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]` (projective, `z = 1`); the curve is `"bn128"`, its
//! name for BN254. The public inputs are the statement's words (after packing).

use ark_bn254::{Bn254, Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ff::PrimeField;
use ark_groth16::{Proof, VerifyingKey};
use serde_json::{json, Value};

use crate::groth16::from_bytes;
use crate::R1csError;

fn dec<F: PrimeField>(x: &F) -> Value {
    Value::String(x.into_bigint().to_string())
}

fn fq2(x: &Fq2) -> Value {
    json!([dec::<Fq>(&x.c0), dec::<Fq>(&x.c1)])
}

fn g1(p: &G1Affine) -> Value {
    json!([dec(&p.x), dec(&p.y), "1"])
}

fn g2(p: &G2Affine) -> Value {
    json!([fq2(&p.x), fq2(&p.y), ["1", "0"]])
}

/// `verification_key.json` of `vk`.
pub fn verification_key(vk: &VerifyingKey<Bn254>) -> Value {
    json!({
        "protocol": "groth16",
        "curve": "bn128",
        "nPublic": vk.gamma_abc_g1.len().saturating_sub(1),
        "vk_alpha_1": g1(&vk.alpha_g1),
        "vk_beta_2": g2(&vk.beta_g2),
        "vk_gamma_2": g2(&vk.gamma_g2),
        "vk_delta_2": g2(&vk.delta_g2),
        "IC": vk.gamma_abc_g1.iter().map(g1).collect::<Vec<_>>(),
    })
}

/// `proof.json` of a proof in [`crate::groth16::to_bytes`] form.
pub fn proof(bytes: &[u8]) -> Result<Value, R1csError> {
    let p: Proof<Bn254> = from_bytes(bytes, "proof")?;
    Ok(json!({
        "pi_a": g1(&p.a),
        "pi_b": g2(&p.b),
        "pi_c": g1(&p.c),
        "protocol": "groth16",
        "curve": "bn128",
    }))
}

/// `public.json`: the statement's words, in order.
pub fn public(words: &[Fr]) -> Value {
    Value::Array(words.iter().map(dec).collect())
}
