//! Replays the committed fuzz corpus (`tests/fuzz_corpus/<target>/`: seeds, and the inputs of
//! every crash the fuzzers found, named `crash-*`) through the same entry points as the
//! cargo-fuzz targets in `fuzz/` (see `fuzz/run.sh`). Each input must be handled without a panic.

#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "../fuzz/src/entry.rs"]
#[allow(dead_code)]
mod entry;

mod common;

use std::path::PathBuf;

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_corpus").join(target);
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).expect("corpus folder").map(|e| e.expect("entry").path()).collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    files.into_iter().map(|p| (p.clone(), std::fs::read(&p).expect("read corpus file"))).collect()
}

#[test]
fn onnx_import_corpus_replays() {
    for (path, data) in corpus("onnx_import") {
        println!("{}", path.display());
        entry::onnx_import(&data);
    }
}

#[test]
fn artifact_and_proof_corpus_replays() {
    let fx = entry::fixture(&common::models_dir()).expect("fixture");
    for (path, data) in corpus("artifact") {
        println!("{}", path.display());
        entry::artifact(&data, &fx);
    }
    for (path, data) in corpus("proof") {
        println!("{}", path.display());
        entry::proof(&data, &fx);
    }
    // The fixture's own proof goes through both proof paths and verifies.
    let raw = [&[0u8][..], &fx.bundle.proof_bytes().unwrap()].concat();
    entry::proof(&raw, &fx);
    zkinfer::verify(&fx.keys, &fx.bundle).expect("honest proof verifies");
}
