//! What a proof of a model is about, computed from the compiled model without keys or a proof:
//! the model id (with hashed parameters) and a digest of everything else that defines the
//! statement.

use sha3::{Digest, Keccak256};
use zkinfer_graph::{QGraph, QOp};

use crate::artifacts::Compiled;
use crate::proof::to_hex;

/// A compiled model's identity (`zkinfer model-id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelIdentity {
    /// With hashed parameters, the model id: instance 0 of every proof (0x hex).
    pub model_id: Option<String>,
    /// Whether the id hashes a secret salt after the parameters.
    pub salted: bool,
    /// How many parameters (weights and biases) the model has.
    pub params: usize,
    /// Keccak-256 of the quantized graph with every parameter set to zero and no salt, as
    /// JSON: its operations, scales, bounds, tables, visibility and the constants of its
    /// lowering. Two models with the same structure and other weights share it.
    pub structure: String,
}

impl Compiled {
    /// The model id and the structure digest of this compiled model.
    /// The id is the one `settings.json` records, not hashed again.
    pub fn identity(&self) -> ModelIdentity {
        ModelIdentity::with_id(&self.qgraph, self.settings.model_id.clone())
    }
}

impl ModelIdentity {
    /// The identity of a quantized graph ([`crate::Model::quantize`]): no circuit is planned,
    /// so it exists for a model of any size.
    pub fn of(q: &QGraph) -> Self {
        Self::with_id(q, zkinfer_circuits::model_id(q).map(|id| crate::proof::fr_to_hex(&id)))
    }

    /// The identity of `q` with its model id already computed.
    fn with_id(q: &QGraph, model_id: Option<String>) -> Self {
        let mut skeleton = q.clone();
        skeleton.param_salt = None;
        for node in &mut skeleton.nodes {
            if let QOp::Linear(op) = &mut node.op {
                if op.params.is_param(false) {
                    op.weight.iter_mut().for_each(|w| *w = 0);
                }
                if op.params.is_param(true) {
                    op.bias.iter_mut().for_each(|b| *b = 0);
                }
            }
        }
        // Serializing a plain struct of vectors cannot fail; an empty digest input would still
        // give a well-defined (if useless) hash, never a panic.
        let json = serde_json::to_vec(&skeleton).unwrap_or_default();
        ModelIdentity {
            model_id,
            salted: q.param_salt.is_some(),
            params: q.param_values().len(),
            structure: to_hex(&Keccak256::digest(&json)),
        }
    }
}
