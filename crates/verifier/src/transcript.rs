//! The EVM-friendly Keccak-256 Fiat–Shamir transcript.
//!
//! Byte-compatible with snark-verifier's native `EvmTranscript`
//! (`snark_verifier::system::halo2::transcript::evm`), which is what its generated Solidity
//! verifier replays with the `keccak256` opcode:
//!
//! * a point is absorbed, and written to the proof, as `x || y`, each coordinate 32 bytes
//!   big-endian (the point at infinity is `(0, 0)`, as in halo2curves and the EVM precompiles);
//! * a scalar is absorbed and written as 32 bytes big-endian;
//! * a challenge is `h = keccak256(buf ++ [0x01 if buf.len() == 32])`; then `buf = h` and the
//!   challenge is `h` read as a big-endian integer reduced mod r. (The `0x01` keeps "nothing
//!   absorbed since the last squeeze" distinct from "absorbed exactly the previous hash".)
//!
//! Reading rejects scalars that are not canonical (>= r) and points whose coordinates are not
//! canonical (>= p) or that are not on the curve, with an `io::Error` — never a panic.

use std::io::{self, Read, Write};

use halo2_axiom::arithmetic::CurveAffine;
use halo2_axiom::halo2curves::bn256::{Fq, Fr, G1Affine};
use halo2_axiom::halo2curves::ff::PrimeField;
use halo2_axiom::transcript::{
    Challenge255, EncodedChallenge, Transcript, TranscriptRead, TranscriptReadBuffer, TranscriptWrite,
    TranscriptWriterBuffer,
};
use sha3::{Digest, Keccak256};

/// Keccak-256 transcript over a proof stream `S` (a reader when verifying, a writer when proving).
#[derive(Debug, Clone)]
pub struct EvmTranscript<S> {
    stream: S,
    /// Bytes absorbed since the last squeeze (starts empty; after a squeeze, the 32-byte hash).
    buf: Vec<u8>,
    /// The first read failure. halo2's SHPLONK verifier maps some read errors to a bare
    /// `Error::Opening`; keeping the cause here lets `verify` still say "truncated".
    read_error: Option<(io::ErrorKind, String)>,
}

/// Transcript that reads a proof (verifier side).
pub type EvmTranscriptReader<R> = EvmTranscript<R>;
/// Transcript that writes a proof (prover side).
pub type EvmTranscriptWriter<W> = EvmTranscript<W>;

impl<S> EvmTranscript<S> {
    /// Starts a fresh transcript over `stream`.
    pub fn new(stream: S) -> Self {
        Self { stream, buf: Vec::new(), read_error: None }
    }

    /// The first error a read from the proof stream returned, if any: its kind and message.
    pub fn read_error(&self) -> Option<&(io::ErrorKind, String)> {
        self.read_error.as_ref()
    }

    fn note<T>(&mut self, res: io::Result<T>) -> io::Result<T> {
        if let Err(err) = &res {
            if self.read_error.is_none() {
                self.read_error = Some((err.kind(), err.to_string()));
            }
        }
        res
    }

    /// Returns the underlying stream (for a slice reader: the bytes not yet consumed).
    pub fn into_inner(self) -> S {
        self.stream
    }

    /// Squeezes the next challenge as a field element (the same value halo2 sees).
    pub fn squeeze(&mut self) -> Fr {
        let hash = self.squeeze_hash();
        be_bytes_to_fr_mod_r(&hash)
    }

    fn squeeze_hash(&mut self) -> [u8; 32] {
        let mut hasher = Keccak256::new();
        hasher.update(&self.buf);
        if self.buf.len() == 32 {
            hasher.update([0x01]);
        }
        let hash: [u8; 32] = hasher.finalize().into();
        self.buf = hash.to_vec();
        hash
    }

    fn absorb_point(&mut self, point: &G1Affine) -> io::Result<()> {
        let coords = Option::from(point.coordinates()).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                "point has no affine coordinates; cannot absorb it into the EVM transcript",
            )
        })?;
        let coords: halo2_axiom::halo2curves::Coordinates<G1Affine> = coords;
        self.buf.extend_from_slice(&fq_to_be(coords.x()));
        self.buf.extend_from_slice(&fq_to_be(coords.y()));
        Ok(())
    }

    fn absorb_scalar(&mut self, scalar: &Fr) {
        self.buf.extend_from_slice(&fr_to_be(scalar));
    }
}

/// Encodes a scalar as 32 bytes big-endian (the EVM word order).
pub fn fr_to_be(scalar: &Fr) -> [u8; 32] {
    let mut bytes = scalar.to_repr();
    bytes.reverse();
    bytes
}

/// Decodes a canonical 32-byte big-endian scalar; `None` if the integer is >= r.
pub fn fr_from_be(bytes: &[u8; 32]) -> Option<Fr> {
    let mut repr = *bytes;
    repr.reverse();
    Option::from(Fr::from_repr(repr))
}

fn fq_to_be(x: &Fq) -> [u8; 32] {
    let mut bytes = x.to_repr();
    bytes.reverse();
    bytes
}

fn fq_from_be(bytes: &[u8; 32]) -> Option<Fq> {
    let mut repr = *bytes;
    repr.reverse();
    Option::from(Fq::from_repr(repr))
}

/// A 256-bit big-endian integer reduced mod r (what Solidity's `mod(hash, r)` computes).
fn be_bytes_to_fr_mod_r(hash: &[u8; 32]) -> Fr {
    <Challenge255<G1Affine> as EncodedChallenge<G1Affine>>::new(&wide_le(hash)).get_scalar()
}

/// `Challenge255::new` reduces a 64-byte little-endian integer mod r: put the big-endian hash,
/// reversed, in the low half and zeros in the high half.
fn wide_le(hash: &[u8; 32]) -> [u8; 64] {
    let mut wide = [0u8; 64];
    for (dst, src) in wide.iter_mut().zip(hash.iter().rev()) {
        *dst = *src;
    }
    wide
}

impl<S> Transcript<G1Affine, Challenge255<G1Affine>> for EvmTranscript<S> {
    fn squeeze_challenge(&mut self) -> Challenge255<G1Affine> {
        let hash = self.squeeze_hash();
        Challenge255::new(&wide_le(&hash))
    }

    fn common_point(&mut self, point: G1Affine) -> io::Result<()> {
        self.absorb_point(&point)
    }

    fn common_scalar(&mut self, scalar: Fr) -> io::Result<()> {
        self.absorb_scalar(&scalar);
        Ok(())
    }
}

impl<R: Read> EvmTranscript<R> {
    fn read_point_inner(&mut self) -> io::Result<G1Affine> {
        let mut x = [0u8; 32];
        let mut y = [0u8; 32];
        self.stream.read_exact(&mut x)?;
        self.stream.read_exact(&mut y)?;
        let (x, y) = match (fq_from_be(&x), fq_from_be(&y)) {
            (Some(x), Some(y)) => (x, y),
            _ => return Err(io::Error::new(io::ErrorKind::InvalidData, "non-canonical point coordinate in proof")),
        };
        let point: G1Affine = Option::from(G1Affine::from_xy(x, y))
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "proof point is not on the curve"))?;
        self.absorb_point(&point)?;
        Ok(point)
    }

    fn read_scalar_inner(&mut self) -> io::Result<Fr> {
        let mut bytes = [0u8; 32];
        self.stream.read_exact(&mut bytes)?;
        let scalar = fr_from_be(&bytes).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidData, "non-canonical scalar in proof (>= field modulus)")
        })?;
        self.absorb_scalar(&scalar);
        Ok(scalar)
    }
}

impl<R: Read> TranscriptRead<G1Affine, Challenge255<G1Affine>> for EvmTranscript<R> {
    fn read_point(&mut self) -> io::Result<G1Affine> {
        let res = self.read_point_inner();
        self.note(res)
    }

    fn read_scalar(&mut self) -> io::Result<Fr> {
        let res = self.read_scalar_inner();
        self.note(res)
    }
}

impl<W: Write> TranscriptWrite<G1Affine, Challenge255<G1Affine>> for EvmTranscript<W> {
    fn write_point(&mut self, point: G1Affine) -> io::Result<()> {
        let start = self.buf.len();
        self.absorb_point(&point)?;
        let encoded = self.buf[start..].to_vec();
        self.stream.write_all(&encoded)
    }

    fn write_scalar(&mut self, scalar: Fr) -> io::Result<()> {
        self.absorb_scalar(&scalar);
        self.stream.write_all(&fr_to_be(&scalar))
    }
}

impl<R: Read> TranscriptReadBuffer<R, G1Affine, Challenge255<G1Affine>> for EvmTranscript<R> {
    fn init(reader: R) -> Self {
        Self::new(reader)
    }
}

impl<W: Write> TranscriptWriterBuffer<W, G1Affine, Challenge255<G1Affine>> for EvmTranscript<W> {
    fn init(writer: W) -> Self {
        Self::new(writer)
    }

    fn finalize(self) -> W {
        self.stream
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use halo2_axiom::halo2curves::group::prime::PrimeCurveAffine;

    #[test]
    fn rejects_non_canonical_scalar() {
        // r itself, big-endian: the smallest non-canonical encoding.
        let mut r_be = [0u8; 32];
        let modulus = hex_be("30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001");
        r_be.copy_from_slice(&modulus);
        let mut t = EvmTranscript::new(&r_be[..]);
        let err = TranscriptRead::<G1Affine, Challenge255<G1Affine>>::read_scalar(&mut t);
        assert_eq!(err.map_err(|e| e.kind()).err(), Some(io::ErrorKind::InvalidData));
    }

    #[test]
    fn rejects_point_off_curve_and_short_input() {
        let mut bytes = [0u8; 64];
        bytes[31] = 1; // x = 1
        bytes[63] = 1; // y = 1: 1 != 1 + 3
        let mut t = EvmTranscript::new(&bytes[..]);
        let err = TranscriptRead::<G1Affine, Challenge255<G1Affine>>::read_point(&mut t);
        assert_eq!(err.map_err(|e| e.kind()).err(), Some(io::ErrorKind::InvalidData));

        let mut t = EvmTranscript::new(&bytes[..40]);
        let err = TranscriptRead::<G1Affine, Challenge255<G1Affine>>::read_point(&mut t);
        assert_eq!(err.map_err(|e| e.kind()).err(), Some(io::ErrorKind::UnexpectedEof));
    }

    #[test]
    fn point_round_trip_and_generator_encoding() {
        let g = G1Affine::generator();
        let mut w = EvmTranscript::new(Vec::new());
        TranscriptWrite::<G1Affine, Challenge255<G1Affine>>::write_point(&mut w, g).unwrap();
        let bytes = TranscriptWriterBuffer::<_, G1Affine, Challenge255<G1Affine>>::finalize(w);
        // BN254 G1 generator is (1, 2): big-endian words.
        let mut expected = [0u8; 64];
        expected[31] = 1;
        expected[63] = 2;
        assert_eq!(bytes, expected.to_vec());
        let mut r = EvmTranscript::new(&bytes[..]);
        let p = TranscriptRead::<G1Affine, Challenge255<G1Affine>>::read_point(&mut r).unwrap();
        assert_eq!(p, g);
    }

    #[test]
    fn identity_is_zero_zero() {
        // halo2curves gives the identity the coordinates (0, 0), as does snark-verifier, and the
        // EVM precompiles read (0, 0) as the point at infinity.
        let mut w = EvmTranscript::new(Vec::new());
        TranscriptWrite::<G1Affine, Challenge255<G1Affine>>::write_point(&mut w, G1Affine::identity()).unwrap();
        let bytes = w.into_inner();
        assert_eq!(bytes, vec![0u8; 64]);
        let mut r = EvmTranscript::new(&bytes[..]);
        let p = TranscriptRead::<G1Affine, Challenge255<G1Affine>>::read_point(&mut r).unwrap();
        assert_eq!(p, G1Affine::identity());
    }

    fn hex_be(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }
}
