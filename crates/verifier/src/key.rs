//! zkinfer's verifying key: halo2's key plus the exact number of public instances.

use halo2_axiom::halo2curves::bn256::G1Affine;
use halo2_axiom::plonk::VerifyingKey;

use crate::VerifyError;

/// What both verifiers (native [`crate::verify`] and the Solidity verifier, through
/// [`crate::evm::plan::plan_verifier`]) check a proof against: a halo2 verifying key and the exact number
/// of public instances its circuit exposes.
///
/// halo2's key does not record that number: its instance column has a row for every usable row
/// of the domain, and a verifier pads missing instances with zeros. Without the count, a proof
/// could be made against extra instances (on rows no constraint reads) or against fewer
/// (a constrained row that is zero, left out), and a caller reading the instances by position
/// would see values the circuit never bound. The count comes from the model's settings
/// (the instance layout in `settings.json`'s plan), never from the proof.
#[derive(Debug, Clone, Copy)]
pub struct CircuitKey<'a> {
    vk: &'a VerifyingKey<G1Affine>,
    num_instances: usize,
}

impl<'a> CircuitKey<'a> {
    /// `vk` with exactly `num_instances` public instances. Fails when the key does not have
    /// zkinfer's single instance column, or when the count exceeds the column's usable rows.
    pub fn new(vk: &'a VerifyingKey<G1Affine>, num_instances: usize) -> Result<Self, VerifyError> {
        let cs = vk.cs();
        if cs.num_instance_columns() != 1 {
            return Err(VerifyError::InstanceColumns { found: cs.num_instance_columns() });
        }
        let k = vk.get_domain().k();
        let max = usable_rows(vk);
        if num_instances > max {
            return Err(VerifyError::TooManyInstances { got: num_instances, max, k });
        }
        Ok(Self { vk, num_instances })
    }

    /// The halo2 verifying key.
    pub fn vk(&self) -> &'a VerifyingKey<G1Affine> {
        self.vk
    }

    /// The exact number of public instances a proof for this key has.
    pub fn num_instances(&self) -> usize {
        self.num_instances
    }

    /// The circuit's k (its domain has `2^k` rows).
    pub fn k(&self) -> u32 {
        self.vk.get_domain().k()
    }
}

/// Rows of the instance column a proof can use: all but the blinding rows and the last one.
pub fn usable_rows(vk: &VerifyingKey<G1Affine>) -> usize {
    (1usize << vk.get_domain().k()).saturating_sub(vk.cs().blinding_factors() + 1)
}
