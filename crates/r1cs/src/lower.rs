//! `QGraph` → [`R1cs`]: the statement's public inputs in [`InstanceLayout`] order, then each
//! node's gadget in node order.

use zkinfer_graph::{InstanceLayout, InstanceRole, ParamVisibility, QGraph, Visibility, Witness};

use crate::builder::Builder;
use crate::gadgets::synthesize;
use crate::system::{Assignment, Lc, R1cs, Var};
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
    /// Each model output's variables (witnesses; a public output's are bound to public inputs
    /// by one "output" row each), in output order.
    pub outputs: Vec<Vec<Var>>,
}

/// The system of `q`, and with `witness` (the graph's exact evaluation) its assignment.
///
/// Refused for now, each with its reason: hashed or private parameters (the weights would be
/// witnesses, so every product costs a row and the model id needs Poseidon in R1CS), and hashed
/// inputs or outputs.
pub fn lower(q: &QGraph, witness: Option<&Witness>) -> Result<Lowered, R1csError> {
    if q.params != ParamVisibility::Fixed {
        return Err(R1csError::Unsupported(format!(
            "{} parameters yet (only fixed: the weights are coefficients of the system)",
            q.params
        )));
    }
    let layout = InstanceLayout::of(q);
    if let Some(s) = layout.segments.iter().find(|s| s.hashed) {
        return Err(R1csError::Unsupported(format!("a hashed {:?} yet (Poseidon in R1CS is not built)", s.role)));
    }
    let mut b = Builder::new(witness.is_some());
    let value = |t: usize, i: usize| witness.map(|w| i128::from(w.values[t][i]));
    let mut vars: Vec<Option<Vec<Var>>> = vec![None; q.tensors.len()];
    // The statement, in instance order: public inputs become the tensor's variables, public
    // outputs get variables that the output's values are bound to at the end.
    let mut claimed = Vec::new();
    for s in &layout.segments {
        let pubs: Vec<Var> = (0..s.len).map(|i| b.public(value(s.tensor, i))).collect();
        match s.role {
            InstanceRole::Input => vars[s.tensor] = Some(pubs),
            InstanceRole::Output => claimed.push((s.tensor, pubs)),
            InstanceRole::Params => return Err(R1csError::Unsupported("a parameter hash".into())),
        }
    }
    for spec in q.inputs.iter().filter(|s| s.visibility == Visibility::Private) {
        let n = q.tensors[spec.tensor].len();
        vars[spec.tensor] = Some((0..n).map(|i| b.witness(value(spec.tensor, i))).collect());
    }
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
        let out = synthesize(&node.op, &mut b, &inputs, output)?;
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
    for (t, pubs) in claimed {
        for (o, p) in defined(t)?.into_iter().zip(pubs) {
            b.equal(Lc::var(o), Lc::var(p), "output");
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
    Ok(Lowered { system, assignment, inputs, outputs })
}
