//! `zkinfer ceremony` as participants drive it: phase-1 powers with two contributions, the
//! circuit's phase-2 key with one, verification, and the keys it finishes into, which prove and
//! verify like `setup`'s; and the refusals: a file changed after the fact, a ceremony without
//! contributions, another model's key, a model compiled for Halo2.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::*;

fn ok(args: &[&str]) -> String {
    let o = zkinfer(args);
    assert!(o.status.success(), "zkinfer {args:?}: {}", text(&o));
    text(&o)
}

fn refused(args: &[&str], why: &str) {
    let o = zkinfer(args);
    assert_eq!(o.status.code(), Some(1), "zkinfer {args:?} should fail: {}", text(&o));
    assert!(text(&o).contains(why), "zkinfer {args:?} should say '{why}': {}", text(&o));
}

fn compile(name: &str, dir: &Path) {
    ok(&["compile", s(&model_path(name)), "--out", s(dir), "--proof-system", "groth16"]);
}

#[test]
fn a_ceremony_makes_keys_that_prove_and_verify() {
    let root = scratch("ceremony_cli");
    let dir = root.join("mlp_digits");
    compile("mlp_digits", &dir);
    let f = |name: &str| root.join(name);
    let out = ok(&["ceremony", "start", s(&dir), "--out", s(&f("p0.bin"))]);
    assert!(out.contains("up to 4096 points"), "{out}");
    ok(&["ceremony", "contribute", s(&f("p0.bin")), "--out", s(&f("p1.bin")), "--name", "alice"]);
    let out = ok(&["ceremony", "contribute", s(&f("p1.bin")), "--out", s(&f("p2.bin")), "--name", "bob"]);
    assert!(out.contains("2 contribution(s): alice, bob"), "{out}");
    let out = ok(&["ceremony", "verify", s(&f("p2.bin"))]);
    assert!(out.contains("verified: 2 contribution(s)"), "{out}");

    ok(&["ceremony", "phase2", s(&f("p2.bin")), s(&dir), "--out", s(&f("k0.bin"))]);
    // Without a phase-2 contribution δ is 1: refused.
    refused(&["ceremony", "finish", s(&f("k0.bin")), "--powers", s(&f("p2.bin")), s(&dir)], "phase 2 0");
    ok(&["ceremony", "contribute", s(&f("k0.bin")), "--out", s(&f("k1.bin")), "--name", "carol"]);
    let out = ok(&["ceremony", "verify", s(&f("k1.bin")), "--powers", s(&f("p2.bin")), "--dir", s(&dir)]);
    assert!(out.contains("phase 1: 2 contribution(s)") && out.contains("verified: 1 contribution(s): carol"), "{out}");
    let out = ok(&["ceremony", "finish", s(&f("k1.bin")), "--powers", s(&f("p2.bin")), s(&dir)]);
    assert!(out.contains("wrote pk.bin, vk.bin") && !out.contains("INSECURE"), "{out}");

    let proof = dir.join("proof.json");
    let input = models_dir().join("mlp_digits.input.json");
    ok(&["prove", s(&dir), "--input", s(&input), "--out", s(&proof)]);
    assert!(ok(&["verify", s(&dir), "--proof", s(&proof)]).contains("verified"));
    let mut bundle: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&proof).unwrap()).unwrap();
    let word = bundle["instances"][0].as_str().unwrap().to_string();
    let last = word.chars().last().unwrap();
    let flipped = format!("{}{}", &word[..word.len() - 1], if last == '0' { '1' } else { '0' });
    bundle["instances"][0] = serde_json::Value::String(flipped);
    let bad = dir.join("bad.json");
    std::fs::write(&bad, bundle.to_string()).unwrap();
    let o = zkinfer(&["verify", s(&dir), "--proof", s(&bad)]);
    assert_eq!(o.status.code(), Some(2), "a changed output is rejected: {}", text(&o));

    // A file changed after the fact, at the byte level and as a forged continuation.
    let mut bytes = std::fs::read(f("k1.bin")).unwrap();
    bytes[4000] ^= 1;
    std::fs::write(f("bad.bin"), &bytes).unwrap();
    refused(&["ceremony", "verify", s(&f("bad.bin")), "--powers", s(&f("p2.bin")), "--dir", s(&dir)], "checksum");
    // Phase 2 from other powers than the ones named.
    refused(&["ceremony", "verify", s(&f("k1.bin")), "--powers", s(&f("p1.bin")), "--dir", s(&dir)], "other phase-1");
    // The wrong kind of file where the other is expected.
    refused(&["ceremony", "finish", s(&f("p2.bin")), "--powers", s(&f("p2.bin")), s(&dir)], "phase-2 key was expected");

    // Another model's circuit.
    let other = root.join("cnn_digits");
    compile("cnn_digits", &other);
    refused(&["ceremony", "finish", s(&f("k1.bin")), "--powers", s(&f("p2.bin")), s(&other)], "is for the circuit");
    // Powers too small for the circuit.
    refused(&["ceremony", "start", s(&other), "--out", s(&f("x.bin")), "--power", "3"], "this circuit needs");
    // A model compiled for Halo2 has no Groth16 setup.
    let halo2 = root.join("halo2");
    ok(&["compile", s(&model_path("mlp_digits")), "--out", s(&halo2)]);
    refused(&["ceremony", "start", s(&halo2), "--out", s(&f("x.bin"))], "compiled for halo2");
    std::fs::remove_dir_all(&root).ok();
}
