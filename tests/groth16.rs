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

/// A bundled model with the given visibility, proven with a development setup from `seed` and
/// verified.
struct Proven {
    opts: CompileOptions,
    q: QGraph,
    x: Vec<Vec<f32>>,
    keys: groth16::Groth16Keys,
    proof: groth16::Groth16Proof,
    vk: groth16::VerifyingKey,
}

fn proven(name: &str, visibility: VisibilityConfig, seed: u64) -> Proven {
    let opts = CompileOptions { visibility, ..CompileOptions::default() };
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
    let Proven { keys, proof, vk, .. } =
        proven("cnn_digits", vis(Visibility::Public, ParamVisibility::Fixed, Visibility::Public), 1);
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
    let Proven { opts, q, x, keys, proof, vk } =
        proven("mlp_digits", vis(Visibility::Hashed, ParamVisibility::Fixed, Visibility::Hashed), 3);
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

fn vis(input: Visibility, params: ParamVisibility, output: Visibility) -> VisibilityConfig {
    VisibilityConfig::new(input, params, output)
}

/// Hashed parameters: the weights are witnesses, and public input 0 is the model id, the same
/// Poseidon element as Halo2's instance 0 (salt included). The circuit holds no weights: a
/// model with other weights has the very same constraint system, so one setup serves every
/// model of the architecture, and its proofs carry its own id.
#[test]
fn hashed_parameters_prove_under_halo2s_model_id() {
    let opts = CompileOptions {
        visibility: vis(Visibility::Private, ParamVisibility::Hashed, Visibility::Public),
        ..CompileOptions::default()
    };
    let mut q = quantized("mlp_digits", &opts);
    q.param_salt = Some([0x3c; 31]);
    let x = input("mlp_digits", &load("mlp_digits"));
    let keys = groth16::setup_dev(&q, 5).expect("setup");
    let proof = groth16::prove(&q, &keys, &x).expect("prove");
    let vk = keys.verifying_key();
    groth16::verify(&vk, &proof).expect("the honest proof verifies");
    let id = zkinfer_circuits::model_id(&q).expect("hashed parameters have an id");
    assert_eq!(proof.public[0], zkinfer_r1cs::from_halo2(&id), "instance 0 is the model id Halo2 proves");
    assert_eq!(proof.public.len(), 11, "the id, then the ten logits");
    for i in [0, 1] {
        let mut bad = proof.clone();
        bad.public[i] += Fr::from(1u8);
        assert!(rejected(groth16::verify(&vk, &bad)), "instance {i} changed was accepted");
    }

    // Other weights and another salt: the same rows, so the same keys prove it, under its own id.
    let mut other = q.clone();
    other.param_salt = Some([0xa5; 31]);
    let node = other.nodes.iter_mut().find(|n| matches!(n.op, zkinfer_graph::QOp::Linear(_))).expect("a linear node");
    if let zkinfer_graph::QOp::Linear(op) = &mut node.op {
        op.weight[0] += 1;
        op.bias[0] -= 3;
    }
    let system = |q: &QGraph| zkinfer_r1cs::lower(q, None).expect("lowers").system;
    assert!(system(&q) == system(&other), "the constraint system depends on a weight's value");
    let theirs = groth16::prove(&other, &keys, &x).expect("prove with the shared keys");
    groth16::verify(&vk, &theirs).expect("verifies under the shared key");
    let their_id = zkinfer_r1cs::from_halo2(&zkinfer_circuits::model_id(&other).expect("id"));
    assert_eq!(theirs.public[0], their_id);
    assert_ne!(their_id, proof.public[0], "another model, another id");
    // Claiming the first model's id for the second model's run is refused.
    let mut forged = theirs.clone();
    forged.public[0] = proof.public[0];
    assert!(rejected(groth16::verify(&vk, &forged)));
}

/// Private parameters: the weights are witnesses bound to nothing but the architecture (as
/// under Halo2); the logits are still the graph's.
#[test]
fn private_parameters_prove_the_same_logits() {
    let Proven { opts, q, x, proof, vk, .. } =
        proven("mlp_digits", vis(Visibility::Private, ParamVisibility::Private, Visibility::Public), 4);
    let (_, compiled) = compile("mlp_digits", &opts);
    let logits: Vec<Fr> = compiled.witness(&x).expect("witness").output(&q, 0).iter().map(|&v| int(v.into())).collect();
    assert_eq!(proof.public, logits);
    let mut bad = proof.clone();
    bad.public[9] -= Fr::from(1u8);
    assert!(rejected(groth16::verify(&vk, &bad)));
}
