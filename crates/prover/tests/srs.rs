//! SRS files: halo2 format round trip, downsizing, and the errors for bad files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use halo2_axiom::halo2curves::bn256::Fr;
use halo2_axiom::halo2curves::ff::Field;
use halo2_axiom::poly::commitment::Params;
use halo2_axiom::SerdeFormat;
use zkinfer_prover::{keygen, load_srs, prove, save_srs, srs_file_len, try_dev_srs, ProverError};
use zkinfer_verifier::testing::ToyCircuit;
use zkinfer_verifier::{verify, VerifyError};

fn image(params: &halo2_axiom::poly::kzg::commitment::ParamsKZG<halo2_axiom::halo2curves::bn256::Bn256>) -> Vec<u8> {
    let mut out = Vec::new();
    params.write_custom(&mut out, SerdeFormat::RawBytes).unwrap();
    out
}

#[test]
fn save_load_and_downsize() {
    let dir = common::tmp_dir("srs");
    let path = dir.join("kzg8.srs");
    let big = common::params(8);
    save_srs(&path, &big).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), srs_file_len(8));
    // halo2's own writer produces the same bytes (the EZKL / ParamsKZG::write format).
    let mut halo2_bytes = Vec::new();
    big.write(&mut halo2_bytes).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), halo2_bytes);

    let same = load_srs(&path, 8).unwrap();
    assert_eq!(image(&same), image(&big));

    let small = load_srs(&path, common::K).unwrap();
    let mut expected = big.clone();
    expected.downsize(common::K);
    assert_eq!(small.k(), common::K);
    assert_eq!(image(&small), image(&expected));

    // The downsized SRS proves and verifies.
    let circuit = ToyCircuit::new(2);
    let (pk, vk) = keygen(&small, &circuit).unwrap();
    let proof = prove(&small, &pk, &circuit, &circuit.instances()).unwrap();
    verify(&small, &common::circuit_key(&vk, &circuit), &proof, &circuit.instances()).unwrap();

    assert!(matches!(load_srs(&path, 9), Err(ProverError::SrsTooSmall { have: 8, need: 9 })));
    std::fs::remove_dir_all(dir).ok();
}

/// Users hold one large ceremony file: verifying with it (k + 1, k + 2) must check the key's
/// relation — halo2 alone would take `xⁿ` from the SRS's size and the Lagrange values from the
/// key's, and reject honest proofs (or check something else).
#[test]
fn verify_with_a_larger_srs_checks_the_keys_relation() {
    let k = common::K;
    let big = common::params(k + 2);
    let at = |k: u32| {
        let mut p = big.clone();
        p.downsize(k);
        p
    };
    let small = at(k);
    let circuit = ToyCircuit::new(3);
    let (pk, vk) = keygen(&small, &circuit).unwrap();
    let key = common::circuit_key(&vk, &circuit);
    let instances = circuit.instances();
    let proof = prove(&small, &pk, &circuit, &instances).unwrap();
    let mut changed = instances.clone();
    changed[2] += Fr::ONE;
    let mut flipped = proof.clone();
    flipped[proof.len() / 2] ^= 1;
    for params in [&small, &at(k + 1), &big] {
        let n = params.k();
        verify(params, &key, &proof, &instances).unwrap_or_else(|e| panic!("honest proof, SRS k = {n}: {e}"));
        let err = verify(params, &key, &proof, &changed).unwrap_err();
        assert!(matches!(err, VerifyError::Rejected), "changed instance, SRS k = {n}: {err}");
        let err = verify(params, &key, &flipped, &instances).unwrap_err();
        assert!(matches!(err, VerifyError::Rejected | VerifyError::Malformed(_)), "flipped byte, SRS k = {n}: {err}");
    }
    let err = verify(&at(k - 1), &key, &proof, &instances).unwrap_err();
    assert!(matches!(err, VerifyError::SrsTooSmall { have, need } if have == k - 1 && need == k), "{err}");
}

#[test]
fn bad_srs_files_give_clear_errors() {
    let dir = common::tmp_dir("badsrs");
    let path = dir.join("kzg4.srs");
    let params = common::params(4);
    save_srs(&path, &params).unwrap();
    let good = std::fs::read(&path).unwrap();

    std::fs::write(&path, &good[..good.len() - 1]).unwrap();
    assert!(matches!(
        load_srs(&path, 4),
        Err(ProverError::SrsTruncated { expected, got, .. }) if got + 1 == expected
    ));
    std::fs::write(&path, &good[..2]).unwrap();
    assert!(matches!(load_srs(&path, 4), Err(ProverError::SrsTruncated { .. })));

    let mut bad_k = good.clone();
    bad_k[..4].copy_from_slice(&99u32.to_le_bytes());
    std::fs::write(&path, &bad_k).unwrap();
    assert!(matches!(load_srs(&path, 4), Err(ProverError::SrsCorrupt { .. })));

    // Power 3 of tau moved off the curve (its y coordinate changed), in both load paths.
    let mut off_curve = good.clone();
    off_curve[4 + 3 * 64 + 40] ^= 0x01;
    std::fs::write(&path, &off_curve).unwrap();
    for k in [4, 3] {
        let err = load_srs(&path, k).unwrap_err();
        assert!(matches!(err, ProverError::SrsCorrupt { .. }), "k = {k}: {err:?}");
    }

    let mut longer = good.clone();
    longer.push(0);
    std::fs::write(&path, &longer).unwrap();
    assert!(matches!(load_srs(&path, 4), Err(ProverError::SrsCorrupt { .. })));
    assert!(matches!(load_srs(&path, 40), Err(ProverError::InvalidK { k: 40, .. })));
    assert!(matches!(load_srs(&dir.join("missing.srs"), 4), Err(ProverError::Io { .. })));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn dev_srs_warns() {
    let (params, warning) = try_dev_srs(4).unwrap();
    assert_eq!(params.k(), 4);
    assert!(warning.starts_with("INSECURE development SRS"));
    assert!(matches!(try_dev_srs(0), Err(ProverError::InvalidK { .. })));
}
