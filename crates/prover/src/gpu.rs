//! The GPU prover: `halo2-axiom-gpu` behind the same inputs as the CPU prover (`--features cuda`).
//!
//! `halo2-axiom-gpu` re-exports halo2-axiom's `ProvingKey`, `Circuit` and transcript traits, so
//! our keys (made by the CPU keygen), circuits and `EvmTranscript` pass through unchanged and the
//! proof has the CPU prover's format (same protocol, same transcript: `zkinfer_verifier::verify`
//! and the Solidity verifier read it; `tests/gpu.rs` checks this on a GPU). Only the SRS has its
//! own type, because it caches device copies of its bases: it is rebuilt from ours for each
//! proof (see [`gpu_params`]).
//!
//! A build without the feature compiles `gpu_stub.rs` in place of this file: the same two
//! functions, reporting that the build has no CUDA.

use std::panic::{catch_unwind, AssertUnwindSafe};

use halo2_axiom::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_axiom::plonk::{Circuit, ProvingKey};
use halo2_axiom::poly::kzg::commitment::ParamsKZG;
use halo2_axiom::transcript::{Challenge255, TranscriptWrite};
use halo2_axiom::SerdeFormat;
use halo2_axiom_gpu::plonk::{create_proof, GpuError};
use halo2_axiom_gpu::poly::kzg::commitment::{KZGCommitmentScheme as GpuKzg, ParamsKZG as GpuParamsKZG};
use halo2_axiom_gpu::poly::kzg::multiopen::ProverSHPLONK as GpuProverShplonk;
use rand::rngs::OsRng;

use crate::{srs_file_len, ProverError};

const STAGE: &str = "prove";

/// Whether this process can use a CUDA device: binds the current one (device 0 unless
/// `CUDA_VISIBLE_DEVICES` says otherwise) and initialises its context, so that a machine
/// without a GPU, or with a driver too old for CUDA 13, is a clear error here rather than a
/// panic inside the prover.
pub(crate) fn device_check() -> Result<(), ProverError> {
    openvm_cuda_common::common::set_device().map(|_| ()).map_err(|e| {
        ProverError::BackendUnavailable(format!(
            "no usable CUDA device ({e}): the cuda backend needs an NVIDIA GPU and a driver for \
             CUDA 13 (>= 580); use --backend cpu"
        ))
    })
}

/// Proves `circuit` on the GPU, writing the proof into `transcript`. The caller has checked the
/// SRS, the instance count and [`device_check`].
pub(crate) fn create_proof_into<C, T>(
    params: &ParamsKZG<Bn256>,
    pk: &ProvingKey<G1Affine>,
    circuit: &C,
    instances: &[Fr],
    transcript: &mut T,
) -> Result<(), ProverError>
where
    C: Circuit<Fr>,
    T: TranscriptWrite<G1Affine, Challenge255<G1Affine>>,
{
    let gpu_params = {
        let _span = tracing::info_span!("gpu_params").entered();
        gpu_params(params)?
    };
    let instances: &[&[Fr]] = &[instances];
    // The GPU crate panics on some device faults (a failed device bind, say) instead of
    // returning an error; keep those from taking the process down mid-bench.
    let proved = catch_unwind(AssertUnwindSafe(|| {
        create_proof::<GpuKzg<Bn256>, GpuProverShplonk<'_, Bn256>, _, _, _, _>(
            &gpu_params,
            pk,
            std::slice::from_ref(circuit),
            &[instances],
            OsRng,
            transcript,
        )
    }));
    match proved {
        Ok(result) => result.map_err(from_gpu),
        Err(panic) => Err(ProverError::Gpu {
            stage: STAGE,
            detail: format!("the GPU prover panicked: {}", panic_message(&*panic)),
        }),
    }
}

/// Our SRS as the GPU crate's `ParamsKZG`, through halo2's own file format (the GPU crate's
/// only public constructor from existing bases besides a setup; the copy costs a fraction of a
/// proof: 128 MiB and one pass at k = 20).
fn gpu_params(params: &ParamsKZG<Bn256>) -> Result<GpuParamsKZG<Bn256>, ProverError> {
    use halo2_axiom::poly::commitment::Params;
    let io = |e: std::io::Error| ProverError::Gpu {
        stage: STAGE,
        detail: format!("copying the SRS to the GPU prover: {e}"),
    };
    let len = usize::try_from(srs_file_len(params.k())).unwrap_or(0);
    let mut bytes = Vec::with_capacity(len);
    params.write_custom(&mut bytes, SerdeFormat::RawBytes).map_err(io)?;
    GpuParamsKZG::<Bn256>::read_custom(&mut bytes.as_slice(), SerdeFormat::RawBytes).map_err(io)
}

fn from_gpu(err: GpuError) -> ProverError {
    match err {
        GpuError::Canonical(e) => ProverError::from_halo2(STAGE, e),
        other => ProverError::Gpu { stage: STAGE, detail: other.to_string() },
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}
