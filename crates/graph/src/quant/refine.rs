//! Table sizes: passes of the lowering that make each lookup's table coarser or finer.
//!
//! A lookup's input scale is chosen at lowering from a bound on its input (the node's calibrated
//! range or, for an intermediate value such as LayerNormalization's variance, a conservative
//! bound), as fine as `table_bits` allows; integer calibration then sets the table's domain from
//! the values actually seen. Two corrections follow, each a further lowering in which a sizing
//! pass chooses some calls' table input scales ([`TableSize`]):
//!
//! - **Coarser, when the tables set `k`** ([`table_shrinks`]). Each distinct table takes its own
//!   rows, so two full-size activations can need a circuit several times taller than the rest
//!   of the model. While the tables need more rows than the requant chip (one row per rescaled
//!   element, in every layout), the call with the most table rows gives up one bit of input
//!   scale (half its entries, over the same range), as long as it interpolates and the
//!   interpolation error on the coarser grid, `max |f(x) − lerp(x)|` over its domain, stays
//!   within half a unit of the call's output scale: a table then adds at most the error the
//!   output's own rounding adds. A model's `k` follows its rows, down to what its accuracy
//!   needs.
//! - **Finer, where calibration left room** ([`table_boosts`]). When a table's domain uses fewer
//!   than the `table_bits - 1` bits a table may have, the input scale could have been finer by
//!   the difference: the table would cover the same range with more entries, and the input's
//!   rounding and the interpolation error shrink (2x and 4x per bit). Each lookup gets the
//!   extra bits it can take, one bit per round to each in turn, while the distinct tables' rows
//!   stay below the power of two that the circuit needs anyway (for the tables as they were, or
//!   for the requant chip's rows): the refinement never raises the circuit's `k`.

use super::lower::LookupCall;
use super::{distinct_table_rows, QGraph, QOp, TableFn, TableOp, TensorId};

/// A lookup call's table as a sizing pass chose it: its input scale, and whether its input is
/// clamped wherever the function saturates on both sides within the range checks' reach (the
/// calls made coarser for rows, and those calls when later made finer again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TableSize {
    pub scale: u32,
    pub clamp: bool,
}

/// Rows kept free below the power of two (the circuit's blinding rows and its zero row).
const HEADROOM: usize = 16;

/// Rows of the requant chip: one per rescaled element, in every layout.
fn requant_rows(q: &QGraph) -> usize {
    q.nodes
        .iter()
        .filter(|n| matches!(n.op, QOp::Requant(_)))
        .map(|n| n.inputs.first().map_or(0, |&t| q.tensors[t].len()))
        .sum()
}

/// The rows below the power of two that `rows` (and the headroom) need.
fn below_power_of_two(rows: usize) -> usize {
    (rows + HEADROOM).next_power_of_two() - HEADROOM
}

/// The most rows the refined tables may take: below the power of two that `q`'s tables or its
/// requant rows (a lower bound of every layout's rows) need.
pub(super) fn row_budget(q: &QGraph) -> usize {
    let rows = distinct_table_rows(q.tables());
    below_power_of_two(rows.max(requant_rows(q)))
}

/// The table ops among the nodes that output `outs`.
fn tables_of(q: &QGraph, outs: &[TensorId]) -> Vec<TableOp> {
    q.nodes
        .iter()
        .filter(|n| outs.contains(&n.output))
        .filter_map(|n| match &n.op {
            QOp::Table(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

/// The coarser table of each lookup call of the lowering that produced `q` (in call order;
/// `None`: unchanged): while the distinct tables need more rows than the requant chip
/// fills (below its power of two), one bit from the call with the most table rows among those
/// that [`may_coarsen`].
pub(super) fn table_shrinks(q: &QGraph, calls: &[LookupCall]) -> Vec<Option<TableSize>> {
    let target = below_power_of_two(requant_rows(q));
    let mut call_tables: Vec<Vec<TableOp>> = calls.iter().map(|c| tables_of(q, &c.tables)).collect();
    let mut sizes = vec![None; calls.len()];
    while distinct_table_rows(call_tables.iter().flatten()) > target {
        let candidates = (0..calls.len()).filter(|&i| may_coarsen(&call_tables[i], calls[i].out_scale));
        let Some(i) = candidates.max_by_key(|&i| distinct_table_rows(call_tables[i].iter())) else { break };
        let coarser = |t: &TableOp| TableOp { in_scale: t.in_scale - 1, bits: t.bits - 1, ..t.clone() };
        call_tables[i] = call_tables[i].iter().map(coarser).collect();
        sizes[i] = Some(TableSize { scale: call_tables[i][0].in_scale, clamp: true });
    }
    sizes
}

/// Whether an interpolating call (two lookups into one table: see the `interp` module) whose
/// result has `out_scale` fractional bits keeps its interpolation error within half a unit of
/// that scale with one bit less of table input scale.
fn may_coarsen(tables: &[TableOp], out_scale: u32) -> bool {
    let [t, u] = tables else { return false };
    if t != u || t.in_scale == 0 || t.bits <= 1 {
        return false;
    }
    let unit = f64::from(t.in_scale).exp2();
    let (lo, hi) = t.domain();
    let error = interpolation_error(t.func, t.in_scale - 1, (lo as f64 / unit, hi as f64 / unit));
    error <= 0.5 * f64::from(out_scale).exp2().recip()
}

/// The largest `|f(x) − lerp(x)|` over `range` for the linear interpolation of `func` between
/// the points of the grid of step `2^-scale`, judged at seven points inside each step. Steps
/// where `func` is not finite (`1/sqrt` of a negative) hold no table entries and are skipped.
fn interpolation_error(func: TableFn, scale: u32, (lo, hi): (f64, f64)) -> f64 {
    let step = f64::from(scale).exp2().recip();
    let (first, last) = ((lo / step).floor() as i64, (hi / step).ceil() as i64);
    let mut worst = 0f64;
    for k in first..last {
        let a = k as f64 * step;
        let (fa, fb) = (func.real(a), func.real(a + step));
        for j in 1..8 {
            let t = f64::from(j) / 8.0;
            let error = (func.real(a + t * step) - (fa + t * (fb - fa))).abs();
            if error.is_finite() {
                worst = worst.max(error);
            }
        }
    }
    worst
}

/// The table of each lookup call after `boosts` (from [`table_boosts`] on `q`): `boosts[i]`
/// bits finer than in `q`, clamped as it was there, or `sizes[i]` (what produced `q`) unboosted.
pub(super) fn boosted(
    q: &QGraph,
    calls: &[LookupCall],
    boosts: &[u32],
    mut sizes: Vec<Option<TableSize>>,
) -> Vec<Option<TableSize>> {
    sizes.resize(calls.len(), None);
    for ((call, &boost), size) in calls.iter().zip(boosts).zip(&mut sizes) {
        if let (true, Some(t)) = (boost > 0, tables_of(q, &call.tables).first()) {
            let clamp = size.is_some_and(|s| s.clamp);
            *size = Some(TableSize { scale: t.in_scale + boost, clamp });
        }
    }
    sizes
}

/// Narrows the domain of each table whose input is clamped on both sides (`LookupCall::clamped`)
/// to its saturation thresholds, where calibration (which adds the margin) set it wider: the
/// input never passes them, and an interpolated lookup reads at most one entry beyond the upper.
pub(super) fn tighten_clamped(q: &mut QGraph, calls: &[LookupCall]) {
    let outs: Vec<TensorId> = calls.iter().filter(|c| c.clamped).flat_map(|c| c.tables.iter().copied()).collect();
    for node in q.nodes.iter_mut().filter(|n| outs.contains(&n.output)) {
        if let QOp::Table(t) = &mut node.op {
            if let (Some(lo), Some(hi)) = t.saturation() {
                // The domain [-2^b, 2^b) holds [lo, hi + 1].
                let need = lo.saturating_neg().max(hi.saturating_add(2)).max(2);
                let bits = 64 - (need - 1).leading_zeros();
                t.bits = t.bits.min(bits);
            }
        }
    }
}

/// Extra input-scale bits for each lookup call of the lowering that produced `q` (in call
/// order), within [`row_budget`].
pub(super) fn table_boosts(q: &QGraph, calls: &[LookupCall], table_bits: u32) -> Vec<u32> {
    let max_bits = table_bits.max(2) - 1;
    let mut call_tables: Vec<Vec<TableOp>> = calls.iter().map(|c| tables_of(q, &c.tables)).collect();
    let slack: Vec<u32> = call_tables
        .iter()
        .map(|ts| ts.iter().map(|t| t.bits).max().map_or(0, |b| max_bits.saturating_sub(b)))
        .collect();
    let budget = row_budget(q);
    let mut total = distinct_table_rows(q.tables());
    let mut boosts = vec![0u32; calls.len()];
    for round in 1..=slack.iter().copied().max().unwrap_or(0) {
        for (i, ts) in call_tables.iter_mut().enumerate() {
            if slack[i] < round || boosts[i] + 1 != round {
                continue;
            }
            let before = distinct_table_rows(ts.iter());
            let wider: Vec<TableOp> = ts.iter().map(|t| TableOp { bits: t.bits + 1, ..t.clone() }).collect();
            let grown = distinct_table_rows(wider.iter()).saturating_sub(before);
            if total + grown <= budget {
                total += grown;
                *ts = wider;
                boosts[i] = round;
            }
        }
    }
    boosts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::{LayerNorm, NormKind, Sigmoid, Tanh};
    use crate::quant::lower::lower_calibrated;
    use crate::testing::values;
    use crate::{calibrate, quantize, Graph, GraphBuilder, QuantConfig, Tensor, VisibilityConfig};

    /// `x[1, 64, 8] -> LayerNormalization(axis -1)`: its inverse square root reads the variance
    /// through a table sized from `2·max|x|²`, loose when one outlier sets `max|x|`.
    fn layer_norm() -> Graph {
        let mut b = GraphBuilder::new();
        let x = b.input("x", vec![1, 64, 8]);
        let gamma = b.constant("gamma", Tensor::from_elem(vec![8], 1.0));
        let op = Box::new(LayerNorm { axis: -1, epsilon: 1e-5, kind: NormKind::Layer });
        let y = b.node("ln", op, vec![x, gamma], "y").unwrap_or_else(|e| panic!("{e}"));
        b.finish(y).unwrap_or_else(|e| panic!("{e}"))
    }

    /// `x[1, 16] -> Tanh -> Sigmoid`: two full-size tables for a few dozen requant rows.
    fn two_activations() -> Graph {
        let mut b = GraphBuilder::new();
        let x = b.input("x", vec![1, 16]);
        let h = b.node("tanh", Box::new(Tanh), vec![x], "h").unwrap_or_else(|e| panic!("{e}"));
        let y = b.node("sigmoid", Box::new(Sigmoid), vec![h], "y").unwrap_or_else(|e| panic!("{e}"));
        b.finish(y).unwrap_or_else(|e| panic!("{e}"))
    }

    fn max_error(g: &Graph, q: &QGraph, samples: &[Vec<f32>]) -> f64 {
        let mut worst = 0f64;
        for x in samples {
            let w = q.eval(q.quantize_input(x).unwrap_or_else(|e| panic!("{e}"))).unwrap_or_else(|e| panic!("{e}"));
            let want = g.eval(x).unwrap_or_else(|e| panic!("{e}"));
            for (a, b) in q.dequantize_output(0, w.output(q, 0)).iter().zip(want.iter()) {
                worst = worst.max((a - f64::from(*b)).abs());
            }
        }
        worst
    }

    #[test]
    fn a_loose_table_bound_is_refined_within_the_same_power_of_two_of_rows() {
        let g = layer_norm();
        let mut samples: Vec<Vec<f32>> = (0..6).map(|s| values(40 + s, 512)).collect();
        samples[0][5] = 4.0;
        let calib = calibrate(&g, crate::one_input_samples(samples.clone())).unwrap_or_else(|e| panic!("{e}"));
        let (config, vis) = (QuantConfig::default(), &VisibilityConfig::default());
        let (coarse, calls) = lower_calibrated(&g, &calib, &config, vis, Vec::new()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(calls.len(), 1, "one lookup call (an interpolated one: two table nodes)");
        let boosts = table_boosts(&coarse, &calls, config.table_bits);
        assert!(boosts[0] > 0, "{boosts:?}");
        let fine = quantize(&g, &calib, &config, vis).unwrap_or_else(|e| panic!("{e}"));
        let first = |q: &QGraph| q.tables().next().cloned().unwrap_or_else(|| panic!("no table"));
        assert_eq!(first(&fine).in_scale, first(&coarse).in_scale + boosts[0]);
        assert!(first(&fine).bits < config.table_bits);
        let (rows_coarse, rows_fine) = (distinct_table_rows(coarse.tables()), distinct_table_rows(fine.tables()));
        assert!(rows_coarse < rows_fine && rows_fine <= row_budget(&coarse), "{rows_coarse} -> {rows_fine}");
        let (e_coarse, e_fine) = (max_error(&g, &coarse, &samples), max_error(&g, &fine, &samples));
        assert!(e_fine < e_coarse, "refined error {e_fine}, one pass {e_coarse}");
        eprintln!("rows {rows_coarse} -> {rows_fine}, error {e_coarse:.2e} -> {e_fine:.2e}");
    }

    #[test]
    fn the_interpolation_error_is_the_second_derivative_bound() {
        // tanh'' peaks at 4/(3·sqrt(3)) = 0.7698 (x = 0.658): the error of a linear
        // interpolation on steps of h is |f''|·h²/8 there.
        let h = 1.0 / 64.0;
        let error = interpolation_error(TableFn::Tanh, 6, (-8.0, 8.0));
        let bound = 4.0 / (3.0 * 3f64.sqrt()) * h * h / 8.0;
        assert!(error <= bound && error > 0.99 * bound, "{error:e} vs {bound:e}");
        // `1/sqrt` is skipped where it is undefined, not reported as an infinite error.
        let inv = TableFn::InvSqrt { mul: 1.0, add: 0.0 };
        assert!(interpolation_error(inv, 6, (-2.0, 2.0)).is_finite());
    }

    #[test]
    fn tables_that_set_the_circuit_size_are_coarsened_within_half_a_unit_of_error() {
        let g = two_activations();
        let samples: Vec<Vec<f32>> = (0..6).map(|s| values(50 + s, 16).iter().map(|v| 5.0 * v).collect()).collect();
        let calib = calibrate(&g, crate::one_input_samples(samples.clone())).unwrap_or_else(|e| panic!("{e}"));
        let (config, vis) = (QuantConfig::default(), &VisibilityConfig::default());
        let (first, calls) = lower_calibrated(&g, &calib, &config, vis, Vec::new()).unwrap_or_else(|e| panic!("{e}"));
        let scales = table_shrinks(&first, &calls);
        assert!(scales.iter().all(Option::is_some), "both tables are coarsened: {scales:?}");
        let q = quantize(&g, &calib, &config, vis).unwrap_or_else(|e| panic!("{e}"));
        let (rows_first, rows) = (distinct_table_rows(first.tables()), distinct_table_rows(q.tables()));
        assert!(4 * rows <= rows_first, "{rows_first} -> {rows}");
        // Each coarser grid keeps the interpolation within half a unit of the call's output.
        for (call, size) in calls.iter().zip(&scales) {
            let t = tables_of(&first, &call.tables)[0].clone();
            let (lo, hi) = t.domain();
            let unit = f64::from(t.in_scale).exp2();
            let scale = size.map_or(t.in_scale, |s| s.scale);
            let error = interpolation_error(t.func, scale, (lo as f64 / unit, hi as f64 / unit));
            assert!(error <= 0.5 * f64::from(call.out_scale).exp2().recip(), "{:?}: {error:e}", t.func);
            // One bit coarser would not.
            let error = interpolation_error(t.func, scale - 1, (lo as f64 / unit, hi as f64 / unit));
            assert!(error > 0.5 * f64::from(call.out_scale).exp2().recip(), "{:?}: {error:e}", t.func);
        }
        // Tanh's input (up to 5, 10 with the margin) passes its thresholds (about ±6.6), so it
        // is clamped on both sides, and its table covers the thresholds and no more; an input
        // far beyond the calibrated range (within the range checks) still evaluates.
        let tanh = q.tables().find(|t| t.func == TableFn::Tanh).cloned().unwrap_or_else(|| panic!("no tanh"));
        let (Some(lo), Some(hi)) = tanh.saturation() else { panic!("tanh saturates on both sides") };
        let (a, b) = tanh.domain();
        assert!(a <= lo && hi < b && (1i64 << (tanh.bits - 1)) < (-lo).max(hi + 2), "{tanh:?}: [{lo}, {hi}]");
        let far = q.quantize_input(&[-9.5; 16]).unwrap_or_else(|e| panic!("{e}"));
        q.eval(far).unwrap_or_else(|e| panic!("{e}"));
        // The model's error grows by at most about a unit of the output scale.
        let out_unit = f64::from(q.tensors[q.outputs[0].tensor].scale).exp2().recip();
        let (e_first, e) = (max_error(&g, &first, &samples), max_error(&g, &q, &samples));
        assert!(e <= e_first + 1.5 * out_unit, "error {e_first:.2e} -> {e:.2e} (unit {out_unit:.1e})");
        eprintln!("table rows {rows_first} -> {rows}, error {e_first:.2e} -> {e:.2e}");
    }
}
