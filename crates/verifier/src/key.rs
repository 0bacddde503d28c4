//! zkinfer's verifying key: halo2's key plus the exact number of public instances, and
//! optionally one instance the key pins to a value (the model id).

use halo2_axiom::halo2curves::bn256::{Fr, G1Affine};
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
///
/// A key may also pin one instance to a value ([`CircuitKey::pin`]): with hashed parameters,
/// the model id, so that the key (and the Solidity verifier built from it) accepts proofs of
/// one model only, not of every model of the same architecture.
#[derive(Debug, Clone, Copy)]
pub struct CircuitKey<'a> {
    vk: &'a VerifyingKey<G1Affine>,
    num_instances: usize,
    pinned: Option<Pinned>,
}

/// An instance a [`CircuitKey`] fixes: every accepted proof has `value` at `index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pinned {
    /// Position among the public instances.
    pub index: usize,
    /// The value it must have.
    pub value: Fr,
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
        Ok(Self { vk, num_instances, pinned: None })
    }

    /// This key, accepting only proofs whose instance `index` is `value` (the model id of a
    /// model with hashed parameters). Fails when `index` is not one of the key's instances.
    pub fn pin(self, index: usize, value: Fr) -> Result<Self, VerifyError> {
        if index >= self.num_instances {
            return Err(VerifyError::PinOutOfRange { index, num_instances: self.num_instances });
        }
        Ok(Self { pinned: Some(Pinned { index, value }), ..self })
    }

    /// The pinned instance, if any.
    pub fn pinned(&self) -> Option<Pinned> {
        self.pinned
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
