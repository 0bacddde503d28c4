//! The CPU stand-in for `gpu.rs` in builds without the `cuda` feature: the same functions,
//! each reporting that this build has no GPU prover. (`Backend::Cuda.select()` fails first, so
//! the prover never reaches [`create_proof_into`].)

use halo2_axiom::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_axiom::plonk::{Circuit, ProvingKey};
use halo2_axiom::poly::kzg::commitment::ParamsKZG;
use halo2_axiom::transcript::{Challenge255, TranscriptWrite};

use crate::ProverError;

/// Why [`crate::Backend::Cuda`] is unavailable in this build.
pub(crate) fn device_check() -> Result<(), ProverError> {
    Err(ProverError::BackendUnavailable(
        "built without CUDA: rebuild with --features cuda on a machine with nvcc".into(),
    ))
}

/// Never proves: see [`device_check`].
pub(crate) fn create_proof_into<C, T>(
    _params: &ParamsKZG<Bn256>,
    _pk: &ProvingKey<G1Affine>,
    _circuit: &C,
    _instances: &[Fr],
    _transcript: &mut T,
) -> Result<(), ProverError>
where
    C: Circuit<Fr>,
    T: TranscriptWrite<G1Affine, Challenge255<G1Affine>>,
{
    device_check()
}
