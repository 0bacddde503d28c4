//! Groth16, the second proof system, end to end on the bundled models: the same quantized graph
//! and integer evaluation as Halo2, a development setup, a 256-byte proof, native verification,
//! and rejection of tampered proofs, changed public values, wrong instance counts and another
//! model's keys.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Instant;

use common::*;
use zkinfer::groth16::{self, int, Fr, R1csError, PROOF_BYTES};
use zkinfer::{CompileOptions, Error, ParamVisibility, QGraph, Visibility, VisibilityConfig};

fn quantized(name: &str, opts: &CompileOptions) -> QGraph {
    let model = load(name);
    let samples =
        zkinfer::read_samples(models_dir().join(format!("{name}.calibration.json")), &model).expect("calibration");
    model.quantize(&samples, opts).expect("quantizes")
}

fn rejected(r: Result<(), Error>) -> bool {
    matches!(r, Err(Error::Groth16(R1csError::Rejected | R1csError::Decode { .. })))
}

#[test]
fn mlp_digits_proves_verifies_and_rejects_tampering() {
    let opts = CompileOptions::default();
    let q = quantized("mlp_digits", &opts);
    let model = load("mlp_digits");
    let x = input("mlp_digits", &model);

    let t = Instant::now();
    let keys = groth16::setup_dev(&q, 7).expect("setup");
    let setup = t.elapsed();
    let t = Instant::now();
    let proof = groth16::prove(&q, &keys, &x).expect("prove");
    eprintln!(
        "mlp_digits groth16: {} constraints, {} witness variables, {} public, setup {setup:.1?}, prove {:.1?}",
        keys.constraints,
        keys.witness_variables,
        keys.public_inputs,
        t.elapsed()
    );
    assert_eq!(proof.bytes.len(), PROOF_BYTES);
    let vk = keys.verifying_key();
    groth16::verify(&vk, &proof).expect("the honest proof verifies");

    // The public values are the logits the Halo2 pipeline's witness computes.
    let (_, compiled) = compile("mlp_digits", &opts);
    let w = compiled.witness(&x).expect("witness");
    let logits: Vec<Fr> = w.output(&q, 0).iter().map(|&v| int(v.into())).collect();
    assert_eq!(proof.public, logits);

    // Every single-byte change of the proof is refused (a point off its curve, or a failed check).
    for i in (0..PROOF_BYTES).step_by(7) {
        let mut bad = proof.clone();
        bad.bytes[i] ^= 1;
        assert!(rejected(groth16::verify(&vk, &bad)), "byte {i} flipped was accepted");
    }
    // Another claimed output, one value at a time.
    for i in 0..proof.public.len() {
        let mut bad = proof.clone();
        bad.public[i] += Fr::from(1u8);
        assert!(rejected(groth16::verify(&vk, &bad)), "logit {i} + 1 was accepted");
    }
    // A truncated or extended statement is an error naming the counts.
    for len in [proof.public.len() - 1, proof.public.len() + 1] {
        let mut bad = proof.clone();
        bad.public.resize(len, Fr::from(0u8));
        let e = groth16::verify(&vk, &bad).expect_err("wrong instance count");
        assert!(matches!(e, Error::Groth16(R1csError::InstanceCount { expected: 10, .. })), "{e}");
    }
    // A value outside the width the statement packs it in is an error that names it.
    let mut bad = proof.clone();
    bad.public[3] = Fr::from(1u64 << 40);
    let e = groth16::verify(&vk, &bad).expect_err("out of its width");
    assert!(e.to_string().contains("Output 0 value 3"), "{e}");
    // Trailing bytes are corruption, not ignored.
    let mut long = proof.clone();
    long.bytes.push(0);
    assert!(matches!(groth16::verify(&vk, &long), Err(Error::Groth16(R1csError::Decode { .. }))));

    // Another model's verifying key (same statement size, different circuit) refuses the proof.
    let wide = quantized("mlp_wide", &opts);
    let other = groth16::setup_dev(&wide, 7).expect("setup");
    assert_eq!(other.public_inputs, keys.public_inputs);
    // (Rejected, or refused before the pairing when a logit does not fit the other packing.)
    assert!(groth16::verify(&other.verifying_key(), &proof).is_err());
    // And proving with it is refused before any work.
    assert!(groth16::prove(&q, &other, &x).is_err());
}

/// A bundled model with fixed parameters and the given input and output visibility, proven
/// with a development setup from `seed` and verified.
struct Proven {
    opts: CompileOptions,
    q: QGraph,
    x: Vec<Vec<f32>>,
    keys: groth16::Groth16Keys,
    proof: groth16::Groth16Proof,
    vk: groth16::VerifyingKey,
}

fn proven(name: &str, input_vis: Visibility, output_vis: Visibility, seed: u64) -> Proven {
    let opts = CompileOptions {
        visibility: VisibilityConfig::new(input_vis, ParamVisibility::Fixed, output_vis),
        ..CompileOptions::default()
    };
    let q = quantized(name, &opts);
    let x = input(name, &load(name));
    let keys = groth16::setup_dev(&q, seed).expect("setup");
    let proof = groth16::prove(&q, &keys, &x).expect("prove");
    let vk = keys.verifying_key();
    groth16::verify(&vk, &proof).expect("verifies");
    Proven { opts, q, x, keys, proof, vk }
}

#[test]
fn cnn_digits_with_a_public_input_proves_and_verifies() {
    let Proven { keys, proof, vk, .. } = proven("cnn_digits", Visibility::Public, Visibility::Public, 1);
    // 64 input values and 10 logits, packed: a handful of public inputs instead of 74.
    assert_eq!(proof.public.len(), 74);
    assert!(keys.public_inputs <= 74 / 8, "{} public inputs", keys.public_inputs);
    // The public input is part of the statement: another input value is refused, in any word.
    for i in [0, 31, 63] {
        let mut bad = proof.clone();
        bad.public[i] += Fr::from(1u8);
        assert!(rejected(groth16::verify(&vk, &bad)), "input {i} changed was accepted");
    }
}

/// A hashed input and a hashed output: each one public input, the same Poseidon element the
/// Halo2 circuit's instance holds, so a commitment made for one proof system checks under the
/// other.
#[test]
fn hashed_input_and_output_are_halo2s_hashes() {
    let Proven { opts, q, x, keys, proof, vk } = proven("mlp_digits", Visibility::Hashed, Visibility::Hashed, 3);
    assert_eq!(keys.public_inputs, 2);
    let (_, compiled) = compile("mlp_digits", &opts);
    let halo2 = zkinfer_circuits::public_instances(&q, &compiled.witness(&x).expect("witness"));
    let halo2: Vec<Fr> = halo2.iter().map(zkinfer_r1cs::from_halo2).collect();
    assert_eq!(proof.public, halo2, "the input's and the logits' hashes, as Halo2 has them");
    for i in 0..2 {
        let mut bad = proof.clone();
        bad.public[i] += Fr::from(1u8);
        assert!(rejected(groth16::verify(&vk, &bad)), "hash {i} changed was accepted");
    }
}

#[test]
fn what_groth16_does_not_prove_yet_is_refused_by_name() {
    for params in [ParamVisibility::Private, ParamVisibility::Hashed] {
        let opts = CompileOptions {
            visibility: VisibilityConfig::new(Visibility::Private, params, Visibility::Public),
            ..CompileOptions::default()
        };
        let q = quantized("mlp_digits", &opts);
        let Err(e) = groth16::setup_dev(&q, 0) else { panic!("{params} parameters were accepted") };
        assert!(e.to_string().contains("does not support") && e.to_string().contains(&params.to_string()), "{e}");
    }
}
