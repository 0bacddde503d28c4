//! The mutation audit over a compiled model (see [`zkinfer_circuits::audit`]).

use std::sync::Arc;

use zkinfer_circuits::audit::{self, AuditOptions, AuditReport};

use crate::{Compiled, Error};

/// Runs the mutation audit on the honest witness of `compiled` for `input`: every audited advice
/// cell is changed on its own and `MockProver` must reject the result against the honest public
/// instances. Fails (before any auditing) on an input the model cannot evaluate.
pub fn audit(compiled: &Compiled, input: &[f32], opts: &AuditOptions) -> Result<AuditReport, Error> {
    let _span = tracing::info_span!("audit", k = compiled.plan.k).entered();
    let witness = compiled.witness(input)?;
    Ok(audit::audit(compiled.qgraph.clone(), compiled.plan.clone(), Arc::new(witness), opts)?)
}
