//! zkinfer patch: the proving key's polynomials on the extended domain, computed once.
//!
//! Upstream evaluates every fixed column, `l0`, `l_last`, `l_active_row` and every permutation
//! polynomial on each part (coset) of the extended domain inside every proof: one size-`n` FFT
//! each, per part. They depend on the key alone, so the key keeps them, computed when it is built
//! or read; proving then only transforms the witness polynomials. A key whose parts would take
//! more than [`MAX_BYTES`] keeps none, and proving falls back to upstream's per-proof FFTs.

use group::ff::WithSmallOrderMulGroup;

use crate::multicore::{IntoParallelIterator, ParallelIterator};
use crate::poly::{Coeff, EvaluationDomain, LagrangeCoeff, Polynomial};

/// The most memory the extended evaluations may take (all parts together).
pub const MAX_BYTES: usize = 1 << 30;

/// The key's polynomials on one part of the extended domain.
#[derive(Clone, Debug)]
pub(crate) struct ExtendedPart<F> {
    pub(crate) fixed: Vec<Polynomial<F, LagrangeCoeff>>,
    pub(crate) l0: Polynomial<F, LagrangeCoeff>,
    pub(crate) l_last: Polynomial<F, LagrangeCoeff>,
    pub(crate) l_active_row: Polynomial<F, LagrangeCoeff>,
    pub(crate) permutation: Vec<Polynomial<F, LagrangeCoeff>>,
}

/// Every part of the extended domain, in the order `evaluate_h` visits them (part `i` is the
/// coset `zeta * extended_omega^i`), or none if they would exceed [`MAX_BYTES`].
pub(crate) fn extended_parts<F: WithSmallOrderMulGroup<3>>(
    domain: &EvaluationDomain<F>,
    fixed: &[Polynomial<F, Coeff>],
    l0: &Polynomial<F, Coeff>,
    l_last: &Polynomial<F, Coeff>,
    l_active_row: &Polynomial<F, Coeff>,
    permutation: &[Polynomial<F, Coeff>],
) -> Vec<ExtendedPart<F>> {
    let num_parts = domain.extended_len() >> domain.k();
    let polys_per_part = fixed.len() + 3 + permutation.len();
    let bytes = num_parts
        .saturating_mul(polys_per_part)
        .saturating_mul(1 << domain.k())
        .saturating_mul(std::mem::size_of::<F>());
    if bytes > MAX_BYTES {
        return Vec::new();
    }
    let on_part = |polys: &[Polynomial<F, Coeff>], omega: F| -> Vec<Polynomial<F, LagrangeCoeff>> {
        polys
            .into_par_iter()
            .map(|p| domain.coeff_to_extended_part(p.clone(), omega))
            .collect()
    };
    let mut omega = F::ONE;
    (0..num_parts)
        .map(|_| {
            let part = ExtendedPart {
                fixed: on_part(fixed, omega),
                l0: domain.coeff_to_extended_part(l0.clone(), omega),
                l_last: domain.coeff_to_extended_part(l_last.clone(), omega),
                l_active_row: domain.coeff_to_extended_part(l_active_row.clone(), omega),
                permutation: on_part(permutation, omega),
            };
            omega *= domain.get_extended_omega();
            part
        })
        .collect()
}
