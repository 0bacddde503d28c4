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
    /// Keccak-256 of the quantized graph with every parameter and the salt (if any) set to
    /// zero, as JSON: its operations, scales, bounds, tables, visibility, whether it is salted
    /// and the constants of its lowering. Two models with the same structure and other weights
    /// (or another salt) share it.
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
        ModelIdentity {
            model_id,
            salted: q.param_salt.is_some(),
            params: q.param_values().len(),
            structure: structure_digest(q),
        }
    }
}

/// Keccak-256 of `q` with every parameter and the salt (if any) set to zero, as JSON
/// ([`ModelIdentity::structure`]): what a circuit that holds no weights (private or hashed
/// parameters) is a function of.
pub(crate) fn structure_digest(q: &QGraph) -> String {
    let mut skeleton = q.clone();
    // Whether there is a salt is structure (one more hashed element); its value is not.
    skeleton.param_salt = q.param_salt.map(|_| [0; 31]);
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
    to_hex(&Keccak256::digest(serde_json::to_vec(&skeleton).unwrap_or_default()))
}
