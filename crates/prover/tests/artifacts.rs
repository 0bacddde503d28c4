//! Keys through the artifact container, and the named errors for damaged files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Instant;

use halo2_axiom::halo2curves::bn256::G1Affine;
use halo2_axiom::plonk::{ProvingKey, VerifyingKey};
use halo2_axiom::SerdeFormat;
use zkinfer_prover::artifact::{self, read_artifact, write_artifact, ArtifactError, ArtifactKind, FoundKind};
use zkinfer_prover::{prove, ProverError};
use zkinfer_verifier::testing::{ToyCircuit, ToyParams};
use zkinfer_verifier::verify;

#[test]
fn pk_and_vk_round_trip_through_files() {
    let dir = common::tmp_dir("keys");
    let params = common::params(common::K);
    let circuit = ToyCircuit::new(3);
    let (pk, vk) = common::keys(&params, &circuit);
    let (pk_path, vk_path) = (dir.join("pk.bin"), dir.join("vk.bin"));
    artifact::write_pk(&pk_path, &pk).unwrap();
    artifact::write_vk(&vk_path, &vk).unwrap();

    let vk2 = artifact::read_vk::<ToyCircuit>(&vk_path, common::K, circuit.params).unwrap();
    let pk2 = artifact::read_pk::<ToyCircuit>(&pk_path, common::K, circuit.params).unwrap();
    assert_eq!(vk2.transcript_repr(), vk.transcript_repr());
    assert_eq!(pk2.get_vk().transcript_repr(), vk.transcript_repr());
    assert_eq!(vk2.to_bytes(SerdeFormat::RawBytes), vk.to_bytes(SerdeFormat::RawBytes));
    // Prove with the reloaded pk, verify with the reloaded vk.
    let instances = circuit.instances();
    let proof = prove(&params, &pk2, &circuit, &instances).unwrap();
    verify(&params, &common::circuit_key(&vk2, &circuit), &proof, &instances).unwrap();
    std::fs::remove_dir_all(dir).ok();
}

fn artifact_err(res: Result<impl std::fmt::Debug, ProverError>) -> ArtifactError {
    match res {
        Err(ProverError::Artifact { source, .. }) => source,
        other => panic!("expected an artifact error, got {other:?}"),
    }
}

#[test]
fn damaged_key_files_give_named_errors() {
    let dir = common::tmp_dir("damaged");
    let params = common::params(common::K);
    let circuit = ToyCircuit::new(2);
    let (_, vk) = common::keys(&params, &circuit);
    let path = dir.join("vk.bin");
    artifact::write_vk(&path, &vk).unwrap();
    let good = std::fs::read(&path).unwrap();
    let read = |bytes: &[u8]| {
        std::fs::write(&path, bytes).unwrap();
        artifact_err(artifact::read_vk::<ToyCircuit>(&path, common::K, ToyParams::default()))
    };

    let err = read(&good[..good.len() - 10]);
    assert!(matches!(
        err,
        ArtifactError::Truncated { kind: ArtifactKind::VerifyingKey, expected, got }
            if expected == good.len() as u64 && got + 10 == expected
    ));
    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 1;
    assert!(matches!(read(&flipped), ArtifactError::Corrupt { kind: ArtifactKind::VerifyingKey, .. }));
    let mut newer = good.clone();
    newer[12..16].copy_from_slice(&2u32.to_le_bytes());
    assert!(matches!(
        read(&newer),
        ArtifactError::UnsupportedVersion { kind: ArtifactKind::VerifyingKey, found: 2, supported: 1 }
    ));
    assert!(matches!(read(b"PK\x00garbage that is long enough"), ArtifactError::WrongMagic { .. }));

    // A proving key is not a verifying key, and vice versa.
    let pk_path = dir.join("pk.bin");
    std::fs::write(&pk_path, &good).unwrap();
    let err = artifact_err(artifact::read_pk::<ToyCircuit>(&pk_path, common::K, ToyParams::default()));
    assert!(matches!(err, ArtifactError::WrongKind { expected: ArtifactKind::ProvingKey, found: FoundKind(4) }));
    assert!(err.to_string().contains("expected a proving key file but this is a verifying key file"));

    // An intact container whose payload is not a key.
    write_artifact(&path, ArtifactKind::VerifyingKey, b"\x02\x06\x00\x00\x00\x00").unwrap();
    assert!(matches!(
        artifact_err(artifact::read_vk::<ToyCircuit>(&path, common::K, ToyParams::default())),
        ArtifactError::Decode { .. }
    ));

    // A key for a huge k is refused before halo2 allocates its evaluation domain (found by fuzzing:
    // it used to run out of memory).
    write_artifact(&path, ArtifactKind::VerifyingKey, b"\x02\x00\x00\x00\x7f\x00rest").unwrap();
    let err = artifact_err(artifact::read_vk::<ToyCircuit>(&path, common::K, ToyParams::default()));
    assert!(err.to_string().contains("the key is for k = 2130706432"), "{err}");

    // JSON artifacts go through the same container.
    let settings = dir.join("settings.bin");
    write_artifact(&settings, ArtifactKind::Settings, b"{\"k\": 6}").unwrap();
    assert_eq!(read_artifact(&settings, ArtifactKind::Settings).unwrap(), b"{\"k\": 6}");
    let missing = read_artifact(&dir.join("nope.bin"), ArtifactKind::Settings).unwrap_err();
    assert!(matches!(missing, ProverError::Io { .. }));
    std::fs::remove_dir_all(dir).ok();
}

/// Measures reading a proving key in `RawBytes` vs `Processed`. Run with
/// `cargo test -p zkinfer-prover --release -- --ignored --nocapture raw_bytes`.
#[test]
#[ignore]
fn raw_bytes_vs_processed_read_speed() {
    let k = 14;
    let params = common::params(k);
    let circuit = ToyCircuit::new(4000);
    let (pk, vk) = common::keys(&params, &circuit);
    for format in [SerdeFormat::RawBytes, SerdeFormat::Processed] {
        let pk_bytes = pk.to_bytes(format);
        let vk_bytes = vk.to_bytes(format);
        let t = Instant::now();
        for _ in 0..3 {
            ProvingKey::<G1Affine>::from_bytes::<ToyCircuit>(&pk_bytes, format, circuit.params).unwrap();
        }
        let pk_time = t.elapsed() / 3;
        let t = Instant::now();
        for _ in 0..20 {
            VerifyingKey::<G1Affine>::from_bytes::<ToyCircuit>(&vk_bytes, format, circuit.params).unwrap();
        }
        let vk_time = t.elapsed() / 20;
        eprintln!(
            "{format:?}: pk {} bytes read in {pk_time:?}; vk {} bytes read in {vk_time:?}",
            pk_bytes.len(),
            vk_bytes.len()
        );
    }
}
