//! The public instance layout: which values of a [`QGraph`] are public, in which order.
//!
//! Built once from the graph ([`InstanceLayout::of`]) and stored in the settings, so the
//! circuit (which cells it binds to which instance rows), the verifier (how many instances
//! a proof has), the proof file (which instances are the outputs) and the EVM calldata all read
//! one order instead of each writing "input, then output" by hand. It belongs to no proof
//! system: every back end takes its public values in this order.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::{IoSpec, QGraph, TensorId, Witness};

/// What a segment of the instance column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InstanceRole {
    /// A model input's values.
    Input,
    /// A model output's values.
    Output,
}

/// One run of consecutive instances: every value of one tensor, in its row-major order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceSegment {
    /// Input or output.
    pub role: InstanceRole,
    /// Which input or output of the model (in graph order).
    pub index: usize,
    /// The tensor whose values these are.
    pub tensor: TensorId,
    /// Number of values.
    pub len: usize,
}

/// The order of the public instance column: every public input in graph order, then every
/// public output.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceLayout {
    /// The segments, in instance order.
    pub segments: Vec<InstanceSegment>,
}

impl InstanceLayout {
    /// The layout of `q` under its inputs' and outputs' visibility.
    pub fn of(q: &QGraph) -> Self {
        let segments = |role, specs: &[IoSpec]| -> Vec<InstanceSegment> {
            let public = specs.iter().enumerate().filter(|(_, s)| s.visibility.is_public());
            public
                .map(|(index, s)| InstanceSegment { role, index, tensor: s.tensor, len: q.tensors[s.tensor].len() })
                .collect()
        };
        let mut all = segments(InstanceRole::Input, &q.inputs);
        all.extend(segments(InstanceRole::Output, &q.outputs));
        Self { segments: all }
    }

    /// Number of public instances.
    pub fn len(&self) -> usize {
        self.segments.iter().map(|s| s.len).sum()
    }

    /// No public instance at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The public inputs (or outputs, as `role` says), by index, in order.
    pub fn public(&self, role: InstanceRole) -> Vec<usize> {
        self.segments.iter().filter(|s| s.role == role).map(|s| s.index).collect()
    }

    /// The instance rows of input or output `index`, if it is public.
    pub fn range(&self, role: InstanceRole, index: usize) -> Option<Range<usize>> {
        let mut start = 0;
        for s in &self.segments {
            if s.role == role && s.index == index {
                return Some(start..start + s.len);
            }
            start += s.len;
        }
        None
    }

    /// The public values of `w`, in instance order.
    pub fn values(&self, w: &Witness) -> Vec<i64> {
        self.segments.iter().flat_map(|s| w.values[s.tensor].iter().copied()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DType, ParamVisibility, QTensor, Visibility};

    fn graph(inputs: &[Visibility], outputs: &[Visibility]) -> QGraph {
        let t = |len: usize| QTensor { name: String::new(), shape: vec![len], scale: 0 };
        let spec = |tensor, visibility| IoSpec { tensor, dtype: DType::F32, visibility, bits: 4 };
        let n = inputs.len();
        QGraph {
            tensors: (0..n).map(|i| t(3 + i)).chain(outputs.iter().map(|_| t(2))).collect(),
            nodes: Vec::new(),
            inputs: inputs.iter().enumerate().map(|(i, &v)| spec(i, v)).collect(),
            outputs: outputs.iter().enumerate().map(|(i, &v)| spec(n + i, v)).collect(),
            params: ParamVisibility::Fixed,
        }
    }

    #[test]
    fn public_inputs_come_first_then_outputs() {
        use Visibility::*;
        let w = Witness { values: vec![vec![1, 2, 3], vec![7, 8]] };
        let both = InstanceLayout::of(&graph(&[Public], &[Public]));
        assert_eq!(both.len(), 5);
        assert_eq!(both.range(InstanceRole::Input, 0), Some(0..3));
        assert_eq!(both.range(InstanceRole::Output, 0), Some(3..5));
        assert_eq!(both.values(&w), vec![1, 2, 3, 7, 8]);

        let output_only = InstanceLayout::of(&graph(&[Private], &[Public]));
        assert_eq!(output_only.range(InstanceRole::Input, 0), None);
        assert_eq!(output_only.range(InstanceRole::Output, 0), Some(0..2));
        assert_eq!(output_only.values(&w), vec![7, 8]);

        let none = InstanceLayout::of(&graph(&[Private], &[Private]));
        assert!(none.is_empty());
        assert!(none.values(&w).is_empty());
    }

    #[test]
    fn several_inputs_and_outputs_keep_their_order_and_index() {
        use Visibility::*;
        // Inputs of 3, 4 and 5 values (tensors 0..3), outputs of 2 (tensors 3, 4).
        let layout = InstanceLayout::of(&graph(&[Public, Private, Public], &[Private, Public]));
        let order: Vec<(InstanceRole, usize, TensorId)> =
            layout.segments.iter().map(|s| (s.role, s.index, s.tensor)).collect();
        assert_eq!(order, vec![(InstanceRole::Input, 0, 0), (InstanceRole::Input, 2, 2), (InstanceRole::Output, 1, 4)]);
        assert_eq!(layout.range(InstanceRole::Input, 2), Some(3..8));
        assert_eq!(layout.range(InstanceRole::Input, 1), None);
        assert_eq!(layout.range(InstanceRole::Output, 1), Some(8..10));
        assert_eq!(layout.len(), 10);
    }
}
