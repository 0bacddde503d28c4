//! The model's inputs and outputs as lists: each one a tensor with its number type, its
//! visibility and (for an input) the calibrated bound the circuit range-checks.

use serde::{Deserialize, Serialize};

use super::{QGraph, TensorId, Visibility};
use crate::{GraphError, Result};

/// The number type of a model input or output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DType {
    /// Real numbers, as the integers `round(v · 2^scale)` at the tensor's scale.
    #[default]
    F32,
    /// Exact integers (token ids, indices, masks): scale 0, taken as they are; a value with a
    /// fractional part is an error, never rounded.
    I64,
    /// Booleans: scale 0, each value 0 or 1, which the circuit enforces (a boolean input's
    /// check, `compare::boolean`); any other value is an error.
    Bool,
}

impl DType {
    /// The integer of a real value `v` is `round(v · unit)`: `2^scale` for `F32` at that
    /// scale, 1 for `I64`.
    pub fn unit(self, scale: u32) -> f64 {
        match self {
            Self::F32 => (1u64 << scale.min(62)) as f64,
            Self::I64 | Self::Bool => 1.0,
        }
    }

    /// Whether its values are exact integers at scale 0 (`I64` and `Bool`).
    pub fn is_exact(self) -> bool {
        self != Self::F32
    }
}

/// One input or output of a [`QGraph`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IoSpec {
    /// The tensor that holds its values (for an input, the raw values before their range check).
    pub tensor: TensorId,
    /// Its number type.
    pub dtype: DType,
    /// Who sees its values.
    pub visibility: Visibility,
    /// For an input, the calibrated bound `|x| < 2^bits` that the circuit range-checks (the
    /// first nodes of the graph, one per input, in input order). For an output, 0: the
    /// primitive that computes it bounds it.
    pub bits: u32,
}

impl QGraph {
    /// The tensors of the model inputs, in input order.
    pub fn input_tensors(&self) -> impl Iterator<Item = TensorId> + '_ {
        self.inputs.iter().map(|s| s.tensor)
    }

    /// The tensors of the model outputs, in output order.
    pub fn output_tensors(&self) -> impl Iterator<Item = TensorId> + '_ {
        self.outputs.iter().map(|s| s.tensor)
    }

    /// Quantizes one real value per element of every input (in input order), checking each
    /// against its calibrated range: an `F32` input at its scale, an `I64` input as the exact
    /// integer it must be.
    pub fn quantize_inputs(&self, inputs: &[&[f32]]) -> Result<Vec<Vec<i64>>> {
        if inputs.len() != self.inputs.len() {
            return Err(GraphError::InputCount { expected: self.inputs.len(), got: inputs.len() });
        }
        self.inputs.iter().zip(inputs).map(|(spec, values)| self.quantize(spec, values)).collect()
    }

    /// [`QGraph::quantize_inputs`] of a model with one input.
    pub fn quantize_input(&self, input: &[f32]) -> Result<Vec<i64>> {
        Ok(self.quantize_inputs(&[input])?.remove(0))
    }

    fn quantize(&self, spec: &IoSpec, input: &[f32]) -> Result<Vec<i64>> {
        let t = &self.tensors[spec.tensor];
        if input.len() != t.len() {
            return Err(GraphError::InputLength { expected: t.len(), got: input.len(), shape: t.shape.clone() });
        }
        let factor = spec.dtype.unit(t.scale);
        let bound = (1i64 << spec.bits.min(62)) as f64;
        input
            .iter()
            .enumerate()
            .map(|(index, &v)| {
                if !v.is_finite() {
                    return Err(GraphError::NonFiniteInput { index, value: v });
                }
                let q = (v as f64 * factor).round();
                if spec.dtype.is_exact() && q != v as f64 {
                    return Err(GraphError::InputData(format!(
                        "input '{}' holds integers, but value #{index} is {v}",
                        t.name
                    )));
                }
                if spec.dtype == DType::Bool && q != 0.0 && q != 1.0 {
                    return Err(GraphError::InputData(format!(
                        "input '{}' holds booleans (0 or 1), but value #{index} is {v}",
                        t.name
                    )));
                }
                if q.abs() >= bound {
                    return Err(GraphError::OutOfRange {
                        tensor: t.name.clone(),
                        value: q as i64,
                        bits: spec.bits,
                        real: v as f64,
                    });
                }
                Ok(q as i64)
            })
            .collect()
    }

    /// Real values of output `index` from its integers.
    pub fn dequantize_output(&self, index: usize, values: &[i64]) -> Vec<f64> {
        let spec = &self.outputs[index];
        let unit = spec.dtype.unit(self.tensors[spec.tensor].scale);
        values.iter().map(|&v| v as f64 / unit).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ParamVisibility, QTensor};

    /// One F32 input at scale 2 (bound 2^4) and one I64 input (bound 2^3); the outputs are the
    /// inputs themselves.
    fn graph() -> QGraph {
        let t = |scale| QTensor { name: format!("t{scale}"), shape: vec![2], scale };
        let spec = |tensor, dtype, bits| IoSpec { tensor, dtype, visibility: Visibility::Public, bits };
        QGraph {
            tensors: vec![t(2), t(0)],
            nodes: Vec::new(),
            inputs: vec![spec(0, DType::F32, 4), spec(1, DType::I64, 3)],
            outputs: vec![spec(0, DType::F32, 0), spec(1, DType::I64, 0)],
            params: ParamVisibility::Fixed,
            param_salt: None,
        }
    }

    #[test]
    fn each_input_is_quantized_by_its_dtype_and_checked_against_its_bound() {
        let q = graph();
        let x = q.quantize_inputs(&[&[0.5, -1.25], &[3.0, -7.0]]).expect("in range");
        assert_eq!(x, vec![vec![2, -5], vec![3, -7]]);
        assert_eq!(q.dequantize_output(0, &x[0]), vec![0.5, -1.25]);
        assert_eq!(q.dequantize_output(1, &x[1]), vec![3.0, -7.0]);

        // An integer input is never rounded.
        let err = q.quantize_inputs(&[&[0.5, 0.0], &[2.5, 0.0]]).expect_err("a fraction");
        assert!(err.to_string().contains("holds integers, but value #0 is 2.5"), "{err}");
        // Each input has its own bound: 8 is outside the integer input's 2^3.
        assert!(matches!(
            q.quantize_inputs(&[&[0.5, 0.0], &[8.0, 0.0]]),
            Err(GraphError::OutOfRange { bits: 3, value: 8, .. })
        ));
        assert!(matches!(q.quantize_inputs(&[&[0.5, 0.0]]), Err(GraphError::InputCount { expected: 2, got: 1 })));
        assert!(matches!(
            q.quantize_inputs(&[&[0.5], &[1.0, 2.0]]),
            Err(GraphError::InputLength { expected: 2, got: 1, .. })
        ));
    }
}
