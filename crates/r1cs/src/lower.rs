//! `QGraph` → [`R1cs`]: the public inputs, each node's gadget in node order, then the public
//! outputs; the statement's words in [`Packing`] order (the [`zkinfer_graph::InstanceLayout`]'s).

use zkinfer_graph::{InstanceRole, QGraph, QOp, Visibility, Witness};

use crate::builder::Builder;
use crate::gadgets;
use crate::packing::{PackedSegment, Packing};
use ark_bn254::Fr;

use crate::system::{int, Assignment, Lc, R1cs, Var};
use crate::R1csError;

/// A graph's constraint system, where its inputs and outputs live in it, and (when the honest
/// values were given) its assignment.
#[derive(Debug, Clone)]
pub struct Lowered {
    /// The rows.
    pub system: R1cs,
    /// The values of every variable, when lowered with a witness.
    pub assignment: Option<Assignment>,
    /// Each model input's variables (public inputs or witnesses), in input order.
    pub inputs: Vec<Vec<Var>>,
    /// Each model output's variables (witnesses; a public output's are bound to the statement
    /// by its "pack" or "output" rows), in output order.
    pub outputs: Vec<Vec<Var>>,
    /// How the public values sit in the statement's words.
    pub packing: Packing,
    /// Every parameter weight's and bias's variable (private or hashed parameters), weights
    /// first; empty with fixed parameters, where they are coefficients.
    pub params: Vec<Var>,
}

/// The system of `q`, and with `witness` (the graph's exact evaluation) its assignment.
///
/// A hashed input or output is one public input, the Poseidon hash of its values (`poseidon.rs`:
/// the same element as the native hash and the Halo2 circuit's). Private or hashed parameters
/// are witnesses (`params.rs`); hashed ones are bound to the model id, public input 0.
pub fn lower(q: &QGraph, witness: Option<&Witness>) -> Result<Lowered, R1csError> {
    let packing = Packing::of(q)?;
    let mut b = Builder::new(witness.is_some());
    let value = |t: usize, i: usize| witness.map(|w| i128::from(w.values[t][i]));
    // A witness variable for each value of tensor `t` (a private, packed or hashed input).
    let witnesses =
        |b: &mut Builder, t: usize| -> Vec<Var> { (0..q.tensors[t].len()).map(|i| b.witness(value(t, i))).collect() };
    let mut vars: Vec<Option<Vec<Var>>> = vec![None; q.tensors.len()];
    // The statement's words in order: the model id and the public inputs now, the public
    // outputs once they are computed.
    let (mut model_id, mut outs) = (None, Vec::new());
    for s in &packing.segments {
        if s.role != InstanceRole::Output && !outs.is_empty() {
            return Err(R1csError::Invalid("the statement lists an output before an input or the model id".into()));
        }
        if s.role == InstanceRole::Output {
            outs.push(s);
        } else if s.role == InstanceRole::Params {
            model_id = Some(b.public(None));
        } else if s.hashed {
            let word = b.public(None);
            let x = witnesses(&mut b, s.tensor);
            bind_hash(&mut b, &x, word);
            vars[s.tensor] = Some(x);
        } else if s.width == 0 {
            vars[s.tensor] = Some((0..s.len).map(|i| b.public(value(s.tensor, i).map(int))).collect());
        } else {
            let x = witnesses(&mut b, s.tensor);
            pack(&mut b, s, &x);
            vars[s.tensor] = Some(x);
        }
    }
    for spec in q.inputs.iter().filter(|s| s.visibility == Visibility::Private) {
        vars[spec.tensor] = Some(witnesses(&mut b, spec.tensor));
    }
    let params = crate::params::allocate(q, &mut b, model_id)?;
    for (k, node) in q.nodes.iter().enumerate() {
        b.at_node(k);
        let inputs = node
            .inputs
            .iter()
            .map(|&t| {
                vars[t].as_deref().ok_or_else(|| {
                    R1csError::Invalid(format!("node '{}' reads a tensor before it is defined", node.name))
                })
            })
            .collect::<Result<Vec<&[Var]>, _>>()?;
        let output = witness.map(|w| w.values[node.output].as_slice());
        let out = match &node.op {
            QOp::Linear(op) => gadgets::linear(op, &mut b, &inputs, output, &params.nodes[k])?,
            op => gadgets::synthesize(op, &mut b, &inputs, output)?,
        };
        if out.len() != q.tensors[node.output].len() {
            return Err(R1csError::Invalid(format!(
                "node '{}' defines {} values, its tensor has {}",
                node.name,
                out.len(),
                q.tensors[node.output].len()
            )));
        }
        vars[node.output] = Some(out);
    }
    b.at_node(usize::MAX);
    let defined = |t: usize| vars[t].clone().ok_or_else(|| R1csError::Invalid(format!("tensor {t} is never defined")));
    for s in outs {
        let out = defined(s.tensor)?;
        if s.hashed {
            let word = b.public(None);
            bind_hash(&mut b, &out, word);
        } else if s.width == 0 {
            for o in out {
                let p = b.public(b.value(&Lc::var(o)));
                b.equal(Lc::var(o), Lc::var(p), "output");
            }
        } else {
            pack(&mut b, s, &out);
        }
    }
    let inputs = q.inputs.iter().map(|s| defined(s.tensor)).collect::<Result<_, _>>()?;
    let outputs = q.outputs.iter().map(|s| defined(s.tensor)).collect::<Result<_, _>>()?;
    let (system, assignment) = b.finish();
    if let Some(a) = &assignment {
        if let Some(row) = system.first_unsatisfied(a) {
            let node = q.nodes.get(row.node).map_or_else(|| "(statement)".to_string(), |n| n.name.clone());
            return Err(R1csError::Unsatisfied { gate: row.gate, node });
        }
    }
    Ok(Lowered { system, assignment, inputs, outputs, packing, params: params.all })
}

/// Binds public input `word` to the Poseidon hash of `x` (and gives it the hash's value).
fn bind_hash(b: &mut Builder, x: &[Var], word: Var) {
    let values: Vec<Lc> = x.iter().map(|&v| Lc::var(v)).collect();
    let hash = crate::poseidon::hash_values(b, &values);
    b.set_public(word, b.value(&hash));
    b.equal(hash, Lc::var(word), "hashed");
}

/// The words of segment `s` holding the values of `x`: each value offset and range-checked into
/// its `width` bits, and one "pack" row per word binding it to a new public input
/// ([`crate::packing`] has the layout and why a word determines its values).
fn pack(b: &mut Builder, s: &PackedSegment, x: &[Var]) {
    for chunk in x.chunks(s.per_word()) {
        let mut word = Lc::default();
        for (i, &v) in chunk.iter().enumerate() {
            let t = Lc::var(v).term(s.offset(), Var::One);
            b.unsigned(&t, s.width);
            word = word.term_fe(s.slot(i), v).term_fe(s.slot(i) * int::<Fr>(s.offset()), Var::One);
        }
        let p = b.public(b.value(&word));
        b.equal(word, Lc::var(p), "pack");
    }
}
