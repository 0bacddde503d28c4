//! Private and hashed parameters: the weights and biases as witness variables instead of
//! coefficients, and with hashed parameters the model id, the public input that binds them.
//!
//! Every parameter weight and bias ([`zkinfer_graph::QGraph::param_message`] order) gets one
//! witness variable, allocated before the first node; the linear gadget reads them
//! (`gadgets/linear.rs`: one product row per term). With private parameters nothing else
//! constrains them: the statement says "some weights", as the Halo2 circuit's does. With hashed
//! parameters each weight `w` is range-checked into `[-2^17, 2^17)` (its offset `w + 2^17` into
//! 18 bits: 18 bit rows and a recompose row), the weights are packed 14 to a field element
//! exactly as [`zkinfer_graph::ParamMessage`] says (a linear combination, no row), and the
//! Poseidon hash of the packed groups, the biases and the salt is bound to public input 0: the
//! same model id the Halo2 circuit's instance 0 holds.
//!
//! The rows depend on the graph's structure only, never on a weight's value: with hashed or
//! private parameters the circuit holds no weights, and its setup can be run by anyone.

use ark_bn254::Fr;
use ark_ff::{Field, PrimeField};
use zkinfer_graph::{ParamVisibility, QGraph, PACK_BITS, PACK_OFFSET, PACK_PER_ELEMENT};

use crate::builder::Builder;
use crate::system::{int, Lc, Var};
use crate::R1csError;

/// The variables of one linear node's parameters (`None`: fixed, a coefficient).
#[derive(Debug, Clone, Default)]
pub(crate) struct LinearVars {
    /// One per weight (channel-major), when the weights are parameters.
    pub weight: Option<Vec<Var>>,
    /// One per channel, when the biases are parameters.
    pub bias: Option<Vec<Var>>,
}

/// Every node's parameter variables, by node index (empty with fixed parameters).
#[derive(Debug, Clone, Default)]
pub(crate) struct ParamVars {
    /// Node `k`'s, or the default (all fixed).
    pub nodes: Vec<LinearVars>,
    /// Every weight and bias variable, in allocation order.
    pub all: Vec<Var>,
}

/// Allocates the parameters of `q` as witnesses when they are private or hashed, and with
/// hashed parameters binds public input `model_id` to their Poseidon hash. The honest values
/// are read from `q` only when the builder records values.
pub(crate) fn allocate(q: &QGraph, b: &mut Builder, model_id: Option<Var>) -> Result<ParamVars, R1csError> {
    let mut vars = ParamVars { nodes: vec![LinearVars::default(); q.nodes.len()], all: Vec::new() };
    if q.params == ParamVisibility::Fixed {
        return Ok(vars);
    }
    let hashed = q.params == ParamVisibility::Hashed;
    let known = b.has_values();
    let mut weights: Vec<Var> = Vec::new();
    let mut biases: Vec<Var> = Vec::new();
    for (k, bias, values) in q.param_slices() {
        let vs: Vec<Var> = values.iter().map(|&v| b.witness(known.then_some(i128::from(v)))).collect();
        let (slot, all) =
            if bias { (&mut vars.nodes[k].bias, &mut biases) } else { (&mut vars.nodes[k].weight, &mut weights) };
        all.extend_from_slice(&vs);
        *slot = Some(vs);
    }
    vars.all = weights.iter().chain(&biases).copied().collect();
    if hashed {
        let word = model_id.ok_or_else(|| {
            R1csError::Invalid("hashed parameters, but the instance layout has no model-id word".into())
        })?;
        let mut message: Vec<Lc> = weights.chunks(PACK_PER_ELEMENT).map(|group| pack_group(b, group)).collect();
        message.extend(biases.iter().map(|&v| Lc::var(v)));
        if let Some(salt) = &q.param_salt {
            // 31 big-endian bytes: below the modulus, so this is the integer itself.
            message.push(Lc::var(b.witness_fe(known.then(|| Fr::from_be_bytes_mod_order(salt)))));
        }
        let hash = crate::poseidon::hash_values(b, &message);
        b.set_public(word, b.value(&hash));
        b.equal(hash, Lc::var(word), "model id");
    }
    Ok(vars)
}

/// Range-checks each weight of `group` (its offset `w + 2^(B-1)` into `B` bits) and returns
/// the packed element `Σ (w_i + 2^(B-1)) · 2^(B·(g-1-i))`, the first weight most significant.
fn pack_group(b: &mut Builder, group: &[Var]) -> Lc {
    let shift = Fr::from(2u8).pow([u64::from(PACK_BITS)]);
    let mut packed = Lc::default();
    let mut weight = Fr::from(1u8);
    for &w in group.iter().rev() {
        let offset = Lc::var(w).term(i128::from(PACK_OFFSET), Var::One);
        b.unsigned(&offset, PACK_BITS);
        packed = packed.term_fe(weight, w).term_fe(weight * int::<Fr>(i128::from(PACK_OFFSET)), Var::One);
        weight *= shift;
    }
    packed
}
