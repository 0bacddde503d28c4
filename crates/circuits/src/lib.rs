//! `QGraph` → Halo2 circuit (halo2-axiom, KZG on BN254).
//!
//! * [`plan_circuit`] picks the layout (`k`, dot-product width, range-check limb size) from a
//!   [`zkinfer_graph::QGraph`] and returns a [`CircuitPlan`]: everything the constraint system
//!   depends on. The verifier rebuilds the constraint system from the plan alone.
//! * [`ModelCircuit`] implements `Circuit<Fr>` with `Params = CircuitPlan`; its witness is
//!   the graph's exact integer evaluation ([`zkinfer_graph::QGraph::eval`]).
//! * [`public_instances`] gives the single instance column for a witness.
//!
//! ```ignore
//! let plan = zkinfer_circuits::plan_circuit(&q, &PlanOptions::default())?;
//! let w = q.eval(input)?;
//! let circuit = ModelCircuit::new(Arc::new(q.clone()), plan.clone(), Some(Arc::new(w.clone())));
//! let instances = public_instances(&q, &w);
//! ```

#![warn(missing_docs)]

pub mod audit;
mod chips;
mod circuit;
mod error;
mod plan;
mod walk;
pub mod witness_search;

pub use chips::dot::DotAdvice;
pub use chips::lookup::LookupAdvice;
pub use chips::mul::MulAdvice;
pub use chips::pack::PackAdvice;
pub use chips::poseidon::PoseidonAdvice;
pub use chips::requant::RequantAdvice;
pub use chips::{AdviceRef, Chips};
pub use circuit::{model_id, public_instances, salt_fe, CellOverride, ModelCircuit, ModelConfig};
pub use error::CircuitError;
pub use plan::{plan_circuit, requant_limb_order, CircuitPlan, CircuitStats, Objective, PlanOptions};
/// The native Poseidon hash (circom-compatible) the chips and the model id use.
pub use zkinfer_poseidon as poseidon;

/// The scalar field the circuit is defined over.
pub use halo2_axiom::halo2curves::bn256::Fr;
