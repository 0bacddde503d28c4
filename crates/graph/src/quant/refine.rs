//! Finer table inputs where calibration left room: a second lowering pass.
//!
//! A lookup's input scale is chosen at lowering from a bound on its input (the node's calibrated
//! range or, for an intermediate value such as LayerNormalization's variance, a conservative
//! bound); integer calibration then sets the table's domain from the values actually seen. When
//! that domain uses fewer than the `table_bits - 1` bits a table may have, the input scale could
//! have been finer by the difference: the table would cover the same range with more entries,
//! and the input's rounding and the interpolation error shrink (2x and 4x per bit).
//!
//! [`table_boosts`] gives each lookup (in lowering order) the extra bits it can take, one bit per
//! round to each in turn, while the distinct tables' rows stay below the power of two that the
//! circuit needs anyway (for the tables as they were, or for the requant chip's rows, one per
//! rescaled element in every layout): the refinement never raises the circuit's `k`.

use super::{distinct_table_rows, QGraph, QOp, TableOp, TensorId};

/// Rows kept free below the power of two (the circuit's blinding rows and its zero row).
const HEADROOM: usize = 16;

/// The most rows the refined tables may take: below the power of two that `q`'s tables or its
/// requant rows (a lower bound of every layout's rows) fill.
pub(super) fn row_budget(q: &QGraph) -> usize {
    let rows = distinct_table_rows(q.tables());
    let requant: usize = q
        .nodes
        .iter()
        .filter(|n| matches!(n.op, QOp::Requant(_)))
        .map(|n| n.inputs.first().map_or(0, |&t| q.tensors[t].len()))
        .sum();
    rows.max(requant).next_power_of_two().saturating_sub(HEADROOM).max(rows)
}

/// Extra input-scale bits for each lookup call of the lowering that produced `q` (`calls[i]`:
/// the outputs of the table nodes that call `i` created), within [`row_budget`].
pub(super) fn table_boosts(q: &QGraph, calls: &[Vec<TensorId>], table_bits: u32) -> Vec<u32> {
    let max_bits = table_bits.max(2) - 1;
    let of_call = |outs: &[TensorId]| -> Vec<TableOp> {
        q.nodes
            .iter()
            .filter(|n| outs.contains(&n.output))
            .filter_map(|n| match &n.op {
                QOp::Table(t) => Some(t.clone()),
                _ => None,
            })
            .collect()
    };
    let mut call_tables: Vec<Vec<TableOp>> = calls.iter().map(|c| of_call(c)).collect();
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
    use crate::ops::LayerNorm;
    use crate::quant::lower::lower_calibrated;
    use crate::testing::values;
    use crate::{calibrate, quantize, Graph, GraphBuilder, QuantConfig, Tensor, VisibilityConfig};

    /// `x[1, 64, 8] -> LayerNormalization(axis -1)`: its inverse square root reads the variance
    /// through a table sized from `2·max|x|²`, loose when one outlier sets `max|x|`.
    fn layer_norm() -> Graph {
        let mut b = GraphBuilder::new();
        let x = b.input("x", vec![1, 64, 8]);
        let gamma = b.constant("gamma", Tensor::from_elem(vec![8], 1.0));
        let op = Box::new(LayerNorm { axis: -1, epsilon: 1e-5 });
        let y = b.node("ln", op, vec![x, gamma], "y").unwrap_or_else(|e| panic!("{e}"));
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
}
