//! f32 calibration: value ranges from sample inputs.

use crate::{Graph, GraphError, Result};

/// Per-value ranges observed on sample inputs, plus the samples (integer calibration reuses them).
#[derive(Debug, Clone)]
pub struct Calibration {
    /// Largest magnitude seen for each graph value (indexed by `ValueId`).
    pub max_abs: Vec<f64>,
    pub samples: Vec<Vec<f32>>,
}

/// Runs the f32 graph on each sample (each a flat input) and records per-value magnitudes.
pub fn calibrate(graph: &Graph, samples: Vec<Vec<f32>>) -> Result<Calibration> {
    if samples.is_empty() {
        return Err(GraphError::Calibration("no calibration samples".into()));
    }
    let mut max_abs = vec![0f64; graph.values.len()];
    for sample in &samples {
        let values = graph.eval_all(sample)?;
        for (m, v) in max_abs.iter_mut().zip(&values) {
            if let Some(v) = v {
                *m = v.iter().fold(*m, |m, x| m.max((*x as f64).abs()));
            }
        }
    }
    Ok(Calibration { max_abs, samples })
}
