//! Key generation.

use halo2_axiom::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_axiom::plonk::{keygen_pk, keygen_vk_custom, Circuit, ProvingKey, VerifyingKey};
use halo2_axiom::poly::commitment::Params;
use halo2_axiom::poly::kzg::commitment::ParamsKZG;

use crate::{Backend, ProverError};

/// Generates the verifying key, then the proving key, for `circuit` over `params`.
///
/// Only the circuit's shape and fixed values matter here (use `without_witnesses()` if the
/// witness is expensive to build). Returns the proving key and a copy of its verifying key.
/// A circuit that does not fit in `2^k` rows gives [`ProverError::NotEnoughRows`].
///
/// Selectors are compressed into shared fixed columns (the flag is stored in the verifying key,
/// so readers rebuild the same constraint system): every fixed column is re-evaluated on the
/// extended domain in each of the prover's quotient parts, so fewer columns prove faster.
pub fn keygen<C: Circuit<Fr>>(
    params: &ParamsKZG<Bn256>,
    circuit: &C,
) -> Result<(ProvingKey<G1Affine>, VerifyingKey<G1Affine>), ProverError> {
    let _span = tracing::info_span!("keygen", k = params.k()).entered();
    Backend::Cpu.select()?;
    let vk = {
        let _span = tracing::info_span!("keygen_vk").entered();
        keygen_vk_custom(params, circuit, true).map_err(|e| ProverError::from_halo2("keygen_vk", e))?
    };
    let pk = {
        let _span = tracing::info_span!("keygen_pk").entered();
        keygen_pk(params, vk.clone(), circuit).map_err(|e| ProverError::from_halo2("keygen_pk", e))?
    };
    Ok((pk, vk))
}
