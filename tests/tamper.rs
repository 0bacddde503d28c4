//! Proof tampering, natively: for each bundled model that imports, one flipped byte of the proof
//! (at 34 positions: 32 evenly spread plus the first and the last) and one changed public
//! instance (every instance, with the file's outputs edited to match so only the proof check can
//! notice) must each be rejected by `zkinfer::verify`.
//! Measured in the test profile: mlp_wide's whole test, setup and proof included, takes ~3 s;
//! attn_tiny's (k = 12, 128 public outputs) ~8 s.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::*;
use zkinfer::{CompileOptions, Error, ParamVisibility, ProofBundle, Srs, VerifierKeys, Visibility, VisibilityConfig};

fn hex(bytes: &[u8]) -> String {
    format!("0x{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// 32 evenly spread positions plus the first and the last byte.
fn positions(len: usize) -> Vec<usize> {
    let mut p: Vec<usize> = (0..32).map(|i| i * len / 32).collect();
    p.push(0);
    p.push(len - 1);
    p.sort_unstable();
    p.dedup();
    p
}

fn assert_rejected(name: &str, what: &str, keys: &VerifierKeys, bundle: &ProofBundle) {
    match zkinfer::verify(keys, bundle) {
        Err(Error::Verify(_)) => {}
        other => panic!("{name}: {what}: expected a rejected proof, got {other:?}"),
    }
}

fn tamper(name: &str, visibility: VisibilityConfig) {
    let (model, compiled) = compile(name, &CompileOptions { visibility, ..CompileOptions::default() });
    let x = input(name, &model);
    let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
    let bundle = zkinfer::prove(&compiled, &keys, &x).expect("prove");
    let vk = keys.verifier();
    zkinfer::verify(&vk, &bundle).expect("the honest proof verifies");

    let proof = bundle.proof_bytes().expect("hex");
    let spots = positions(proof.len());
    for &pos in &spots {
        for flip in [0x01u8, 0xff] {
            let mut bad = proof.clone();
            bad[pos] ^= flip;
            let tampered = ProofBundle { proof: hex(&bad), ..bundle.clone() };
            assert_rejected(name, &format!("byte {pos} ^ {flip:#04x} of {}", proof.len()), &vk, &tampered);
        }
    }

    let n_inst = bundle.instances.len();
    // The one public output is the last instances.
    let n_out = bundle.outputs.iter().map(|o| o.quantized.len()).sum::<usize>();
    let ints = zkinfer::instance_integers(&bundle.instance_values().expect("instances"));
    for (i, int) in ints.iter().enumerate() {
        let v = int.expect("small instance") + 1;
        let mut forged = bundle.clone();
        forged.instances[i] = zkinfer::encode_instance(v);
        // Keep the file self-consistent so the proof check is what rejects it.
        if let Some(o) = (i + n_out).checked_sub(n_inst) {
            let out = &mut forged.outputs[0];
            out.quantized[o] = v;
            out.values[o] = v as f64 / (1u64 << out.scale) as f64;
        }
        assert_rejected(name, &format!("instance #{i} + 1"), &vk, &forged);
    }
    println!("{name}: {} byte flips and {n_inst} changed instances rejected", 2 * spots.len());
}

fn vis(input: Visibility) -> VisibilityConfig {
    VisibilityConfig::new(input, ParamVisibility::Fixed, Visibility::Public)
}

#[test]
fn mlp_digits_tampering_rejected() {
    // Public input too, so input instances are tampered with as well.
    tamper("mlp_digits", vis(Visibility::Public));
}

#[test]
fn cnn_digits_tampering_rejected() {
    tamper("cnn_digits", vis(Visibility::Private));
}

#[test]
fn mlp_wide_tampering_rejected() {
    tamper("mlp_wide", vis(Visibility::Private));
}

#[test]
fn attn_tiny_tampering_rejected() {
    // Softmax (Div), MatMul of activations, LayerNormalization's tables: every public output.
    tamper("attn_tiny", vis(Visibility::Private));
}
