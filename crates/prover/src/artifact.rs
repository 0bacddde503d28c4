//! The versioned binary container every zkinfer artifact is stored in.
//!
//! ```text
//! offset  size  field
//!      0     8  magic  b"ZKINFER\0"
//!      8     4  kind   u32 LE (see ArtifactKind)
//!     12     4  format version, u32 LE
//!     16     8  payload length, u64 LE
//!     24     n  payload
//!   24+n    32  keccak256(bytes 0 .. 24+n)
//! ```
//!
//! The length makes a truncated file a clear `Truncated` error, the checksum turns any flipped
//! bit into `Corrupt` before a decoder sees the payload, and the kind tag stops a verifying key
//! being read as a proving key. Keys are stored in halo2's `SerdeFormat::RawBytes` (Montgomery
//! limbs, field elements checked canonical on read). Measured on the toy circuit at k = 14
//! (`tests/artifacts.rs`, `raw_bytes_vs_processed_read_speed`, 2 cores): a 5.8 MB proving key
//! reads in 12 ms as `RawBytes` vs 17 ms as `Processed` (which converts every field element out
//! of standard form and decompresses points); a verifying key takes ~7-10 ms either way, spent
//! rebuilding the constraint system, not parsing. `Processed` also `unwrap`s a short read of a
//! field element inside halo2, so it must never see untrusted bytes.

use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use halo2_axiom::halo2curves::bn256::{Fr, G1Affine};
use halo2_axiom::plonk::{Circuit, ProvingKey, VerifyingKey};
use halo2_axiom::SerdeFormat;
use sha3::{Digest, Keccak256};

use crate::ProverError;

/// First eight bytes of every artifact.
pub const MAGIC: [u8; 8] = *b"ZKINFER\0";
/// Container format version written by this build (the highest it reads).
pub const FORMAT_VERSION: u32 = 1;
/// Bytes before the payload.
pub const HEADER_LEN: usize = 24;
/// Bytes of the trailing checksum.
pub const CHECKSUM_LEN: usize = 32;

/// Serialization of keys inside the container.
const KEY_FORMAT: SerdeFormat = SerdeFormat::RawBytes;

/// What an artifact contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArtifactKind {
    /// Model settings (JSON, written by the facade).
    Settings,
    /// The compiled circuit (quantized graph and plan).
    Circuit,
    /// A halo2 proving key.
    ProvingKey,
    /// A halo2 verifying key.
    VerifyingKey,
    /// A proof.
    Proof,
    /// A KZG structured reference string. Reserved: `save_srs`/`load_srs` keep SRS files in
    /// halo2's own `ParamsKZG` format so ceremony and EZKL files load unchanged.
    Srs,
    /// A Groth16 proving key (arkworks' uncompressed form after the circuit's digest).
    Groth16ProvingKey,
    /// A Groth16 verifying key (arkworks' uncompressed form after the circuit's digest).
    Groth16VerifyingKey,
    /// A Groth16 setup ceremony's phase-1 powers (arkworks' uncompressed form).
    CeremonyPowers,
    /// A Groth16 setup ceremony's phase-2 key for one circuit (arkworks' uncompressed form).
    CeremonyKey,
}

impl ArtifactKind {
    const ALL: [Self; 10] = [
        Self::Settings,
        Self::Circuit,
        Self::ProvingKey,
        Self::VerifyingKey,
        Self::Proof,
        Self::Srs,
        Self::Groth16ProvingKey,
        Self::Groth16VerifyingKey,
        Self::CeremonyPowers,
        Self::CeremonyKey,
    ];

    /// The tag stored in the header.
    pub fn tag(self) -> u32 {
        match self {
            Self::Settings => 1,
            Self::Circuit => 2,
            Self::ProvingKey => 3,
            Self::VerifyingKey => 4,
            Self::Proof => 5,
            Self::Srs => 6,
            Self::Groth16ProvingKey => 7,
            Self::Groth16VerifyingKey => 8,
            Self::CeremonyPowers => 9,
            Self::CeremonyKey => 10,
        }
    }

    /// The kind with header tag `tag`, if any.
    pub fn from_tag(tag: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.tag() == tag)
    }

    /// Human-readable name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Settings => "settings",
            Self::Circuit => "compiled circuit",
            Self::ProvingKey => "proving key",
            Self::VerifyingKey => "verifying key",
            Self::Proof => "proof",
            Self::Srs => "SRS",
            Self::Groth16ProvingKey => "Groth16 proving key",
            Self::Groth16VerifyingKey => "Groth16 verifying key",
            Self::CeremonyPowers => "ceremony phase-1 powers",
            Self::CeremonyKey => "ceremony phase-2 key",
        }
    }
}

impl fmt::Display for ArtifactKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The kind found in a header, which may be a tag this build does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoundKind(pub u32);

impl fmt::Display for FoundKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match ArtifactKind::from_tag(self.0) {
            Some(kind) => write!(f, "{kind}"),
            None => write!(f, "unknown kind (tag {})", self.0),
        }
    }
}

/// Why an artifact could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// The data ends before the header or payload does.
    #[error("{kind} file is truncated: {expected} bytes expected, {got} found")]
    Truncated {
        /// The kind that was being read.
        kind: ArtifactKind,
        /// Bytes the header promises (or the header length).
        expected: u64,
        /// Bytes present.
        got: u64,
    },
    /// The data does not start with `ZKINFER\0`.
    #[error("not a zkinfer artifact (wrong magic bytes); expected a {expected} file")]
    WrongMagic {
        /// The kind that was being read.
        expected: ArtifactKind,
    },
    /// A valid artifact of another kind.
    #[error("expected a {expected} file but this is a {found} file")]
    WrongKind {
        /// The kind that was being read.
        expected: ArtifactKind,
        /// The kind in the header.
        found: FoundKind,
    },
    /// Written by a newer (or unknown) format version.
    #[error("{kind} file has format version {found}; this build reads versions 1..={supported}")]
    UnsupportedVersion {
        /// The kind.
        kind: ArtifactKind,
        /// Version in the header.
        found: u32,
        /// Highest version this build reads.
        supported: u32,
    },
    /// Checksum mismatch, trailing bytes, or a length that cannot be right.
    #[error("{kind} file is corrupted: {reason}")]
    Corrupt {
        /// The kind.
        kind: ArtifactKind,
        /// What is wrong.
        reason: String,
    },
    /// The container is intact but its payload does not decode (e.g. keys written for a
    /// different circuit shape than the `Circuit::Params` given).
    #[error("{kind} payload does not decode: {reason}")]
    Decode {
        /// The kind.
        kind: ArtifactKind,
        /// What went wrong.
        reason: String,
    },
}

fn header(kind: ArtifactKind, payload_len: usize) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[..8].copy_from_slice(&MAGIC);
    h[8..12].copy_from_slice(&kind.tag().to_le_bytes());
    h[12..16].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    h[16..24].copy_from_slice(&(payload_len as u64).to_le_bytes());
    h
}

/// Wraps `payload` in the container.
pub fn encode_artifact(kind: ArtifactKind, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len() + CHECKSUM_LEN);
    // Writing into a Vec cannot fail.
    let _ = write_container(&mut out, kind, payload);
    out
}

fn write_container<W: Write>(out: &mut W, kind: ArtifactKind, payload: &[u8]) -> std::io::Result<()> {
    let header = header(kind, payload.len());
    let mut hasher = Keccak256::new();
    hasher.update(header);
    hasher.update(payload);
    out.write_all(&header)?;
    out.write_all(payload)?;
    out.write_all(&hasher.finalize())
}

fn read_u32(bytes: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(b)
}

/// Checks the container and returns its payload.
pub fn decode_artifact(kind: ArtifactKind, bytes: &[u8]) -> Result<&[u8], ArtifactError> {
    let got = bytes.len() as u64;
    let magic_len = bytes.len().min(MAGIC.len());
    if bytes[..magic_len] != MAGIC[..magic_len] {
        return Err(ArtifactError::WrongMagic { expected: kind });
    }
    if bytes.len() < HEADER_LEN {
        return Err(ArtifactError::Truncated { kind, expected: HEADER_LEN as u64, got });
    }
    let tag = read_u32(bytes, 8);
    if tag != kind.tag() {
        return Err(ArtifactError::WrongKind { expected: kind, found: FoundKind(tag) });
    }
    let version = read_u32(bytes, 12);
    if version == 0 || version > FORMAT_VERSION {
        return Err(ArtifactError::UnsupportedVersion { kind, found: version, supported: FORMAT_VERSION });
    }
    let mut len = [0u8; 8];
    len.copy_from_slice(&bytes[16..24]);
    let payload_len = u64::from_le_bytes(len);
    let expected = payload_len
        .checked_add((HEADER_LEN + CHECKSUM_LEN) as u64)
        .ok_or_else(|| ArtifactError::Corrupt { kind, reason: format!("impossible payload length {payload_len}") })?;
    if got < expected {
        return Err(ArtifactError::Truncated { kind, expected, got });
    }
    if got > expected {
        return Err(ArtifactError::Corrupt {
            kind,
            reason: format!("{} unexpected bytes after the checksum", got - expected),
        });
    }
    let body_end = bytes.len() - CHECKSUM_LEN;
    let digest = Keccak256::digest(&bytes[..body_end]);
    if digest.as_slice() != &bytes[body_end..] {
        return Err(ArtifactError::Corrupt {
            kind,
            reason: "checksum mismatch (the file was modified or damaged)".into(),
        });
    }
    Ok(&bytes[HEADER_LEN..body_end])
}

/// Writes `payload` as an artifact of `kind` to `path` (created or replaced).
pub fn write_artifact(path: &Path, kind: ArtifactKind, payload: &[u8]) -> Result<(), ProverError> {
    let file = File::create(path).map_err(ProverError::io(path))?;
    let mut out = BufWriter::new(file);
    write_container(&mut out, kind, payload).map_err(ProverError::io(path))?;
    out.flush().map_err(ProverError::io(path))
}

/// Reads the artifact at `path`, checks it is an intact `kind` artifact, and returns the payload.
pub fn read_artifact(path: &Path, kind: ArtifactKind) -> Result<Vec<u8>, ProverError> {
    let bytes = std::fs::read(path).map_err(ProverError::io(path))?;
    let payload =
        decode_artifact(kind, &bytes).map_err(|source| ProverError::Artifact { path: path.to_path_buf(), source })?;
    Ok(payload.to_vec())
}

/// Serializes a verifying key into an artifact.
pub fn vk_to_bytes(vk: &VerifyingKey<G1Affine>) -> Vec<u8> {
    encode_artifact(ArtifactKind::VerifyingKey, &vk.to_bytes(KEY_FORMAT))
}

/// Serializes a proving key (which contains its verifying key) into an artifact.
pub fn pk_to_bytes(pk: &ProvingKey<G1Affine>) -> Vec<u8> {
    encode_artifact(ArtifactKind::ProvingKey, &pk.to_bytes(KEY_FORMAT))
}

/// Runs a halo2 decoder, turning an error, a panic (halo2's key readers panic on some malformed
/// input) or unread bytes into [`ArtifactError::Decode`].
fn decode_payload<T>(
    kind: ArtifactKind,
    payload: &[u8],
    read: impl FnOnce(&mut &[u8]) -> std::io::Result<T>,
) -> Result<T, ArtifactError> {
    let mut reader = payload;
    let decoded = catch_unwind(AssertUnwindSafe(|| read(&mut reader)));
    let hint = "was it written for a different circuit or settings file?";
    match decoded {
        Ok(Ok(value)) if reader.is_empty() => Ok(value),
        Ok(Ok(_)) => Err(ArtifactError::Decode { kind, reason: format!("{} bytes left unread; {hint}", reader.len()) }),
        Ok(Err(err)) => Err(ArtifactError::Decode { kind, reason: format!("{err}; {hint}") }),
        Err(_) => Err(ArtifactError::Decode { kind, reason: format!("halo2 could not parse it; {hint}") }),
    }
}

/// halo2 allocates the whole evaluation domain from the `k` stored in a key before reading the
/// rest, so a key is refused unless it is for exactly the expected `k`.
fn check_key_k(kind: ArtifactKind, payload: &[u8], k: u32) -> Result<(), ArtifactError> {
    match payload.get(1..5) {
        Some(b) if u32::from_le_bytes([b[0], b[1], b[2], b[3]]) == k => Ok(()),
        Some(b) => Err(ArtifactError::Decode {
            kind,
            reason: format!(
                "the key is for k = {} but the circuit has k = {k}: it belongs to another model or settings file",
                u32::from_le_bytes([b[0], b[1], b[2], b[3]])
            ),
        }),
        None => Err(ArtifactError::Decode { kind, reason: "too short to be a key".into() }),
    }
}

/// Reads a verifying key artifact for a circuit of size `2^k`. `params` must be the circuit
/// parameters the key was made with (for `ModelCircuit`, the `CircuitPlan` from the settings file).
pub fn vk_from_bytes<C: Circuit<Fr>>(
    bytes: &[u8],
    k: u32,
    params: C::Params,
) -> Result<VerifyingKey<G1Affine>, ArtifactError> {
    let kind = ArtifactKind::VerifyingKey;
    let payload = decode_artifact(kind, bytes)?;
    check_key_k(kind, payload, k)?;
    decode_payload(kind, payload, |r| VerifyingKey::read::<_, C>(r, KEY_FORMAT, params))
}

/// Reads a proving key artifact; `k` and `params` as for [`vk_from_bytes`].
pub fn pk_from_bytes<C: Circuit<Fr>>(
    bytes: &[u8],
    k: u32,
    params: C::Params,
) -> Result<ProvingKey<G1Affine>, ArtifactError> {
    let kind = ArtifactKind::ProvingKey;
    let payload = decode_artifact(kind, bytes)?;
    check_key_k(kind, payload, k)?;
    decode_payload(kind, payload, |r| ProvingKey::read::<_, C>(r, KEY_FORMAT, params))
}

fn with_path<T>(path: &Path, res: Result<T, ArtifactError>) -> Result<T, ProverError> {
    res.map_err(|source| ProverError::Artifact { path: path.to_path_buf(), source })
}

/// Writes a verifying key artifact to `path`.
pub fn write_vk(path: &Path, vk: &VerifyingKey<G1Affine>) -> Result<(), ProverError> {
    let _span = tracing::info_span!("write_vk").entered();
    write_artifact(path, ArtifactKind::VerifyingKey, &vk.to_bytes(KEY_FORMAT))
}

/// Writes a proving key artifact to `path`.
pub fn write_pk(path: &Path, pk: &ProvingKey<G1Affine>) -> Result<(), ProverError> {
    let _span = tracing::info_span!("write_pk").entered();
    write_artifact(path, ArtifactKind::ProvingKey, &pk.to_bytes(KEY_FORMAT))
}

/// Reads a verifying key artifact from `path`; `k` and `params` as for [`vk_from_bytes`].
pub fn read_vk<C: Circuit<Fr>>(path: &Path, k: u32, params: C::Params) -> Result<VerifyingKey<G1Affine>, ProverError> {
    let _span = tracing::info_span!("read_vk").entered();
    let bytes = std::fs::read(path).map_err(ProverError::io(path))?;
    with_path(path, vk_from_bytes::<C>(&bytes, k, params))
}

/// Reads a proving key artifact from `path`; `k` and `params` as for [`vk_from_bytes`].
pub fn read_pk<C: Circuit<Fr>>(path: &Path, k: u32, params: C::Params) -> Result<ProvingKey<G1Affine>, ProverError> {
    let _span = tracing::info_span!("read_pk").entered();
    let bytes = std::fs::read(path).map_err(ProverError::io(path))?;
    with_path(path, pk_from_bytes::<C>(&bytes, k, params))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_every_failure_is_named() {
        let kind = ArtifactKind::Proof;
        let bytes = encode_artifact(kind, b"hello proof");
        assert_eq!(decode_artifact(kind, &bytes).unwrap(), b"hello proof");

        let err = decode_artifact(kind, &bytes[..bytes.len() - 1]).unwrap_err();
        assert!(matches!(
            err,
            ArtifactError::Truncated { kind: ArtifactKind::Proof, expected, got }
                if expected == bytes.len() as u64 && got + 1 == expected
        ));
        let err = decode_artifact(kind, &bytes[..10]).unwrap_err();
        assert!(matches!(err, ArtifactError::Truncated { expected: 24, got: 10, .. }));
        assert!(matches!(decode_artifact(kind, b"{\"json\": 1}"), Err(ArtifactError::WrongMagic { .. })));
        assert!(matches!(
            decode_artifact(ArtifactKind::VerifyingKey, &bytes),
            Err(ArtifactError::WrongKind { expected: ArtifactKind::VerifyingKey, found: FoundKind(5) })
        ));
        let mut newer = bytes.clone();
        newer[12] = 9;
        let err = decode_artifact(kind, &newer).unwrap_err();
        assert!(matches!(err, ArtifactError::UnsupportedVersion { found: 9, supported: 1, .. }));
        assert!(err.to_string().contains("proof file has format version 9"));

        let mut flipped = bytes.clone();
        flipped[HEADER_LEN + 2] ^= 0x40;
        assert!(matches!(decode_artifact(kind, &flipped), Err(ArtifactError::Corrupt { .. })));
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert!(matches!(decode_artifact(kind, &trailing), Err(ArtifactError::Corrupt { .. })));
    }
}
