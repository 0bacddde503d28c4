//! EZKL-compatible data files: `{"input_data": [[...], ...]}`.

use serde::Deserialize;

use crate::{GraphError, Result};

#[derive(Deserialize)]
struct DataFile {
    input_data: Vec<Vec<f64>>,
}

/// Parses EZKL's input format. Each inner array is one flat input (or, for calibration files,
/// several inputs concatenated: see [`split_samples`]).
pub fn parse_input_data(text: &str) -> Result<Vec<Vec<f32>>> {
    let file: DataFile = serde_json::from_str(text).map_err(|e| {
        let hint = if text.contains("NaN") || text.contains("Infinity") {
            " (NaN and Infinity are not valid inputs: every value must be a finite number)"
        } else {
            ""
        };
        GraphError::InputData(format!("expected {{\"input_data\": [[numbers...]]}}: {e}{hint}"))
    })?;
    if file.input_data.is_empty() || file.input_data.iter().all(|r| r.is_empty()) {
        return Err(GraphError::InputData("input_data is empty".into()));
    }
    Ok(file.input_data.into_iter().map(|r| r.into_iter().map(|v| v as f32).collect()).collect())
}

/// Splits rows into samples of `input_len` values: a row may hold one sample or several
/// concatenated (EZKL's calibration files concatenate samples into one row).
pub fn split_samples(rows: Vec<Vec<f32>>, input_len: usize) -> Result<Vec<Vec<f32>>> {
    let mut out = Vec::new();
    for row in rows {
        if input_len == 0 || row.len() % input_len != 0 {
            return Err(GraphError::InputLength { expected: input_len, got: row.len(), shape: vec![input_len] });
        }
        out.extend(row.chunks(input_len).map(|c| c.to_vec()));
    }
    Ok(out)
}
