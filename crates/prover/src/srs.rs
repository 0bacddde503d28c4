//! KZG structured reference strings: insecure development setup, and halo2 `ParamsKZG` files.
//!
//! The file format is halo2's `ParamsKZG::write` (`SerdeFormat::RawBytesUnchecked`, the same
//! bytes as `RawBytes`), which is also the format of EZKL's `kzg<k>.srs` files and of the PSE
//! perpetual-powers-of-tau conversions:
//!
//! ```text
//! k: u32 LE | g[0..2^k]: G1 (64 B each) | g_lagrange[0..2^k]: G1 | g2: G2 (128 B) | s_g2: G2
//! ```
//!
//! It is read with `RawBytes` (field elements checked canonical, never the panicking unchecked
//! reader) after the file length has been checked against its k, and every point of `g` is
//! checked to be on the curve.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use halo2_axiom::arithmetic::CurveAffine;
use halo2_axiom::halo2curves::bn256::{Bn256, Fr};
use halo2_axiom::halo2curves::ff::PrimeField;
use halo2_axiom::poly::commitment::{Params, ParamsProver};
use halo2_axiom::poly::kzg::commitment::ParamsKZG;
use halo2_axiom::SerdeFormat;
use rand::rngs::OsRng;

use crate::ProverError;

/// Printed (and logged) whenever a development SRS is created.
pub const INSECURE_SRS_WARNING: &str =
    "INSECURE development SRS: anyone who knows its randomness can forge proofs; for testing only";

/// Largest k a BN254 KZG SRS can have (the two-adicity of Fr).
pub const MAX_K: u32 = Fr::S;

const G1_LEN: u64 = 64;
const G2_LEN: u64 = 128;

/// Size in bytes of a halo2 `ParamsKZG<Bn256>` file for `k`.
pub fn srs_file_len(k: u32) -> u64 {
    4 + 2 * (1u64 << k) * G1_LEN + 2 * G2_LEN
}

fn check_k(k: u32) -> Result<(), ProverError> {
    if k == 0 || k > MAX_K {
        return Err(ProverError::InvalidK { k, max: MAX_K });
    }
    Ok(())
}

/// Generates an INSECURE development SRS for `2^k` rows from OS randomness, logs
/// [`INSECURE_SRS_WARNING`] and returns it so a CLI can show it too.
///
/// Whoever ran this could have kept the secret and could forge proofs; use a ceremony file
/// ([`load_srs`]) for anything real. `k` must be in `1..=MAX_K`: outside that range this
/// returns [`ProverError::InvalidK`].
pub fn try_dev_srs(k: u32) -> Result<(ParamsKZG<Bn256>, String), ProverError> {
    check_k(k)?;
    let _span = tracing::info_span!("dev_srs", k).entered();
    tracing::warn!("{INSECURE_SRS_WARNING}");
    Ok((ParamsKZG::<Bn256>::setup(k, OsRng), INSECURE_SRS_WARNING.to_string()))
}

/// [`try_dev_srs`] for a `k` the layout planner chose: `k` is clamped into `1..=MAX_K` (a
/// planner never asks for more; halo2 cannot build a larger domain anyway).
pub fn dev_srs(k: u32) -> (ParamsKZG<Bn256>, String) {
    let k = k.clamp(1, MAX_K);
    let _span = tracing::info_span!("dev_srs", k).entered();
    tracing::warn!("{INSECURE_SRS_WARNING}");
    (ParamsKZG::<Bn256>::setup(k, OsRng), INSECURE_SRS_WARNING.to_string())
}

/// Writes `params` in halo2's `ParamsKZG` file format (readable by [`load_srs`], EZKL and halo2).
pub fn save_srs(path: &Path, params: &ParamsKZG<Bn256>) -> Result<(), ProverError> {
    let _span = tracing::info_span!("save_srs", k = params.k()).entered();
    let file = File::create(path).map_err(ProverError::io(path))?;
    let mut out = BufWriter::new(file);
    params.write_custom(&mut out, SerdeFormat::RawBytes).map_err(ProverError::io(path))?;
    out.flush().map_err(ProverError::io(path))
}

/// Loads an SRS for a circuit of `2^k` rows from a halo2 `ParamsKZG` file, downsizing it when
/// the file is larger.
///
/// Errors: [`ProverError::SrsTooSmall`] when the file's k is below `k`,
/// [`ProverError::SrsTruncated`] when the file is shorter than its k implies, and
/// [`ProverError::SrsCorrupt`] for anything else that is not a valid SRS.
pub fn load_srs(path: &Path, k: u32) -> Result<ParamsKZG<Bn256>, ProverError> {
    check_k(k)?;
    let _span = tracing::info_span!("load_srs", k).entered();
    let corrupt = |reason: String| ProverError::SrsCorrupt { path: path.to_path_buf(), reason };
    let mut file = File::open(path).map_err(ProverError::io(path))?;
    let got = file.metadata().map_err(ProverError::io(path))?.len();
    let mut k_bytes = [0u8; 4];
    if got < 4 {
        return Err(ProverError::SrsTruncated { path: path.to_path_buf(), expected: 4, got });
    }
    file.read_exact(&mut k_bytes).map_err(ProverError::io(path))?;
    let have = u32::from_le_bytes(k_bytes);
    if have == 0 || have > MAX_K {
        return Err(corrupt(format!(
            "header says k = {have}, which no BN254 SRS can have (is this a halo2 ParamsKZG file?)"
        )));
    }
    if have < k {
        return Err(ProverError::SrsTooSmall { have, need: k });
    }
    let expected = srs_file_len(have);
    if got < expected {
        return Err(ProverError::SrsTruncated { path: path.to_path_buf(), expected, got });
    }
    if got > expected {
        return Err(corrupt(format!("{} bytes longer than a k = {have} SRS should be", got - expected)));
    }

    let params = if have == k {
        file.seek(SeekFrom::Start(0)).map_err(ProverError::io(path))?;
        ParamsKZG::<Bn256>::read_custom(&mut BufReader::new(file), SerdeFormat::RawBytes)
            .map_err(|e| corrupt(e.to_string()))?
    } else {
        read_prefix_downsized(&mut file, have, k).map_err(|e| corrupt(e.to_string()))?
    };
    check_points(&params).map_err(corrupt)?;
    Ok(params)
}

/// Reads the first `2^k` powers from a file of size `have` and rebuilds the Lagrange basis for
/// `k` (what `Params::downsize` does), without reading the larger file's Lagrange basis.
fn read_prefix_downsized(file: &mut File, have: u32, k: u32) -> std::io::Result<ParamsKZG<Bn256>> {
    let n = 1u64 << k;
    let g_len = (n * G1_LEN) as usize;
    // Build a k-sized file image: k, g[..n], a placeholder Lagrange basis (g again, replaced
    // by `downsize` below), g2, s_g2.
    let mut image = Vec::with_capacity(4 + 2 * g_len + 2 * G2_LEN as usize);
    image.extend_from_slice(&k.to_le_bytes());
    let mut g = vec![0u8; g_len];
    file.seek(SeekFrom::Start(4))?;
    file.read_exact(&mut g)?;
    image.extend_from_slice(&g);
    image.extend_from_slice(&g);
    drop(g);
    let mut g2s = vec![0u8; 2 * G2_LEN as usize];
    file.seek(SeekFrom::Start(srs_file_len(have) - 2 * G2_LEN))?;
    file.read_exact(&mut g2s)?;
    image.extend_from_slice(&g2s);
    let mut params = ParamsKZG::<Bn256>::read_custom(&mut &image[..], SerdeFormat::RawBytes)?;
    drop(image);
    params.downsize(k);
    Ok(params)
}

fn check_points(params: &ParamsKZG<Bn256>) -> Result<(), String> {
    if let Some(i) = params.get_g().iter().position(|p| !bool::from(p.is_on_curve())) {
        return Err(format!("power {i} of tau is not a point on the curve"));
    }
    if !bool::from(params.g2().is_on_curve()) || !bool::from(params.s_g2().is_on_curve()) {
        return Err("a G2 element is not on the curve".into());
    }
    Ok(())
}
