//! The mutation audit over a compiled model (see [`zkinfer_circuits::audit`]): Halo2's
//! `MockProver` over the Halo2 circuit.

use std::sync::Arc;

use zkinfer_circuits::audit::{self, AuditOptions, AuditReport};

use crate::{Compiled, Error};

/// Runs the mutation audit on the honest witness of `compiled` for `inputs` (one flat vector
/// per input): every audited advice
/// cell is changed on its own and `MockProver` must reject the result against the honest public
/// instances. Fails (before any auditing) on an input the model cannot evaluate.
pub fn audit(compiled: &Compiled, inputs: &[Vec<f32>], opts: &AuditOptions) -> Result<AuditReport, Error> {
    let _span = tracing::info_span!("audit", k = compiled.circuit().k()).entered();
    let witness = compiled.witness(inputs)?;
    let plan = crate::halo2::plan(&compiled.settings)?.clone();
    Ok(audit::audit(compiled.qgraph.clone(), plan, Arc::new(witness), opts)?)
}

/// Checks the honest witness of `compiled` with halo2's `MockProver`: every gate, lookup and copy
/// constraint must hold. Cheaper than a real proof (no keys, no commitments), and it names the
/// failing constraint.
pub fn mock_check(compiled: &Compiled, witness: Arc<zkinfer_graph::Witness>) -> Result<(), Error> {
    let _span = tracing::info_span!("mock_check", k = compiled.circuit().k()).entered();
    Ok(audit::check_witness(compiled.qgraph.clone(), crate::halo2::plan(&compiled.settings)?.clone(), witness)?)
}
