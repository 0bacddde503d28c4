//! f32 calibration: value ranges from sample inputs.

use crate::{Graph, GraphError, Result};

/// One run of the model: one flat vector per input, in input order.
pub type Sample = Vec<Vec<f32>>;

/// Per-value ranges observed on sample inputs, plus the samples (integer calibration reuses them).
#[derive(Debug, Clone)]
pub struct Calibration {
    /// Largest magnitude seen for each graph value (indexed by `ValueId`).
    pub max_abs: Vec<f64>,
    /// The samples the ranges were observed on, in the order given.
    pub samples: Vec<Sample>,
}

/// Runs the f32 graph on each sample and records per-value magnitudes.
pub fn calibrate(graph: &Graph, samples: Vec<Sample>) -> Result<Calibration> {
    if samples.is_empty() {
        return Err(GraphError::Calibration("no calibration samples".into()));
    }
    let mut max_abs = vec![0f64; graph.values.len()];
    for sample in &samples {
        let inputs: Vec<&[f32]> = sample.iter().map(|x| x.as_slice()).collect();
        let values = graph.eval_all(&inputs)?;
        for (m, v) in max_abs.iter_mut().zip(&values) {
            if let Some(v) = v {
                *m = v.iter().fold(*m, |m, x| m.max((*x as f64).abs()));
            }
        }
    }
    Ok(Calibration { max_abs, samples })
}

/// Samples of a model with one input, from one flat vector each.
pub fn one_input_samples(rows: Vec<Vec<f32>>) -> Vec<Sample> {
    rows.into_iter().map(|r| vec![r]).collect()
}
