//! Native SHPLONK verification of a single-instance-column proof.

use std::borrow::Cow;

use halo2_axiom::halo2curves::bn256::{Bn256, Fr};
use halo2_axiom::plonk::{verify_proof, Error as Halo2Error};
use halo2_axiom::poly::commitment::{Params, ParamsProver};
use halo2_axiom::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_axiom::poly::kzg::multiopen::VerifierSHPLONK;
use halo2_axiom::poly::kzg::strategy::SingleStrategy;

use crate::key::CircuitKey;
use crate::transcript::EvmTranscript;

/// Why a proof was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The verifying key's circuit does not have exactly the one instance column zkinfer uses.
    #[error("the verifying key has {found} instance columns; zkinfer proofs use exactly 1")]
    InstanceColumns {
        /// Instance columns in the verifying key's constraint system.
        found: usize,
    },
    /// A [`CircuitKey`] asks for more public instances than the circuit has usable rows.
    #[error("{got} public instances asked for but the circuit (k = {k}) holds at most {max}")]
    TooManyInstances {
        /// Number of public instances asked for.
        got: usize,
        /// Usable rows of the instance column.
        max: usize,
        /// The circuit's k.
        k: u32,
    },
    /// The proof comes with another number of public instances than the key's circuit has.
    #[error("{got} public instances given; the circuit has exactly {expected}")]
    InstanceCount {
        /// The key's count ([`CircuitKey::num_instances`]).
        expected: usize,
        /// Number of public instances supplied.
        got: usize,
    },
    /// [`CircuitKey::pin`] names an instance the key does not have.
    #[error("cannot pin instance {index}: the circuit has {num_instances} public instances")]
    PinOutOfRange {
        /// The instance asked for.
        index: usize,
        /// The key's count.
        num_instances: usize,
    },
    /// The key pins an instance (the model id) and the proof's differs: a proof of another model.
    #[error("public instance {index} is {got}, but this key accepts only {expected} (the model id it pins)")]
    PinnedMismatch {
        /// Position of the pinned instance.
        index: usize,
        /// The key's value, as 0x-hex.
        expected: String,
        /// The proof's value, as 0x-hex.
        got: String,
    },
    /// The SRS has fewer points than the circuit's domain.
    #[error("the SRS has k = {have} but the verifying key needs k = {need}")]
    SrsTooSmall {
        /// k of the supplied SRS.
        have: u32,
        /// k of the verifying key's domain.
        need: u32,
    },
    /// The proof ended before the verifier read everything it needs.
    #[error("proof is truncated: {0}")]
    Truncated(String),
    /// The proof contains a value that is not a valid encoding (non-canonical scalar, point off
    /// the curve, point at infinity).
    #[error("proof is malformed: {0}")]
    Malformed(String),
    /// The proof has bytes after the last element the verifier reads.
    #[error("proof has {extra} trailing bytes after its last element")]
    TrailingBytes {
        /// Number of unread bytes.
        extra: usize,
    },
    /// Well-formed proof, but the pairing check fails: wrong instances, wrong verifying key,
    /// wrong SRS, or a forged/tampered proof.
    #[error("the proof does not verify against these public inputs and verifying key")]
    Rejected,
    /// Any other error reported by halo2.
    #[error("verification failed: {0}")]
    Halo2(String),
}

/// Verifies a SHPLONK proof made with the Keccak EVM transcript.
///
/// `instances` are the values of the circuit's single instance column, in row order: exactly
/// [`CircuitKey::num_instances`] of them. Every byte of `proof` must be consumed: trailing bytes
/// are an error, so a proof has exactly one accepted encoding. `params` may be larger than the
/// key's domain (one big ceremony file for every circuit): only its first G1 point and its G2
/// points are used, at the key's size.
pub fn verify(
    params: &ParamsKZG<Bn256>,
    key: &CircuitKey<'_>,
    proof: &[u8],
    instances: &[Fr],
) -> Result<(), VerifyError> {
    if instances.len() != key.num_instances() {
        return Err(VerifyError::InstanceCount { expected: key.num_instances(), got: instances.len() });
    }
    if let Some(pin) = key.pinned() {
        if instances[pin.index] != pin.value {
            let hex = |v: &Fr| format!("{v:?}");
            return Err(VerifyError::PinnedMismatch {
                index: pin.index,
                expected: hex(&pin.value),
                got: hex(&instances[pin.index]),
            });
        }
    }
    let vk = key.vk();
    let params = verifier_params(params, key.k())?;
    let params = params.as_ref();

    let mut transcript = EvmTranscript::new(proof);
    let strategy = SingleStrategy::new(params);
    verify_proof::<KZGCommitmentScheme<Bn256>, VerifierSHPLONK<'_, Bn256>, _, _, _>(
        params,
        vk,
        strategy,
        &[&[instances]],
        &mut transcript,
    )
    .map_err(|err| match transcript.read_error() {
        Some((kind, msg)) => read_failure(*kind, msg.clone()),
        None => map_halo2_error(err),
    })?;

    let rest = transcript.into_inner();
    if !rest.is_empty() {
        return Err(VerifyError::TrailingBytes { extra: rest.len() });
    }
    Ok(())
}

/// The SRS at the key's size `k`. halo2's verifier takes `n` (for `xⁿ`) from the SRS but the
/// Lagrange values from the key's domain, so an SRS of another size checks another relation: a
/// larger one is cut to `k`. SHPLONK's verifier reads only `g[0]`, `g2` and `s·g2` (instances
/// are evaluated, not committed), so the cut copy holds just those — no copy of the large
/// vectors, no FFT — whatever the file's size.
fn verifier_params(params: &ParamsKZG<Bn256>, k: u32) -> Result<Cow<'_, ParamsKZG<Bn256>>, VerifyError> {
    if params.k() < k {
        return Err(VerifyError::SrsTooSmall { have: params.k(), need: k });
    }
    if params.k() == k {
        return Ok(Cow::Borrowed(params));
    }
    let g0 = *params.get_g().first().ok_or(VerifyError::SrsTooSmall { have: params.k(), need: k })?;
    Ok(Cow::Owned(params.from_parts(k, vec![g0], Some(Vec::new()), params.g2(), params.s_g2())))
}

fn read_failure(kind: std::io::ErrorKind, msg: String) -> VerifyError {
    if kind == std::io::ErrorKind::UnexpectedEof {
        VerifyError::Truncated(msg)
    } else {
        VerifyError::Malformed(msg)
    }
}

fn map_halo2_error(err: Halo2Error) -> VerifyError {
    match err {
        Halo2Error::Transcript(io) => read_failure(io.kind(), io.to_string()),
        Halo2Error::ConstraintSystemFailure | Halo2Error::Opening => VerifyError::Rejected,
        other => VerifyError::Halo2(other.to_string()),
    }
}
