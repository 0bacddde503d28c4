//! The public instance layout: which values of a [`QGraph`] are public, in which order.
//!
//! Built once from the graph ([`InstanceLayout::of`]) and stored in the settings, so the
//! circuit (which cells it binds to which instance rows), the verifier (how many instances
//! a proof has), the proof file (which instances are the outputs) and the EVM calldata all read
//! one order instead of each writing "input, then output" by hand. It belongs to no proof
//! system: every back end takes its public values in this order.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::{IoSpec, ParamVisibility, QGraph, TensorId, Visibility, Witness};

/// What a segment of the instance column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InstanceRole {
    /// A model input's values.
    Input,
    /// A model output's values.
    Output,
    /// The hash of every model parameter (hashed parameters): the model id.
    Params,
}

/// One run of consecutive instances: every value of one tensor, in its row-major order, or
/// (hashed) one instance, the Poseidon hash of those values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceSegment {
    /// Input, output or parameters.
    pub role: InstanceRole,
    /// Which input or output of the model (in graph order); 0 for the parameters.
    pub index: usize,
    /// The tensor whose values these are (0, unused, for the parameters).
    pub tensor: TensorId,
    /// Number of instances: the tensor's values, or 1 when hashed.
    pub len: usize,
    /// The one instance is the hash of the tensor's values (hashed visibility).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hashed: bool,
}

/// The order of the public instance column: the parameters' hash (the model id) when they are
/// hashed, then every public (or hashed) input in graph order, then every public (or hashed)
/// output.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceLayout {
    /// The segments, in instance order.
    pub segments: Vec<InstanceSegment>,
}

impl InstanceLayout {
    /// The layout of `q` under its inputs' and outputs' visibility.
    pub fn of(q: &QGraph) -> Self {
        let segments = |role, specs: &[IoSpec]| -> Vec<InstanceSegment> {
            let seen = specs.iter().enumerate().filter(|(_, s)| s.visibility != Visibility::Private);
            seen.map(|(index, s)| InstanceSegment {
                role,
                index,
                tensor: s.tensor,
                len: s.visibility.instance_len(q.tensors[s.tensor].len()),
                hashed: s.visibility == Visibility::Hashed,
            })
            .collect()
        };
        let mut all = Vec::new();
        if q.params == ParamVisibility::Hashed {
            all.push(InstanceSegment { role: InstanceRole::Params, index: 0, tensor: 0, len: 1, hashed: true });
        }
        all.extend(segments(InstanceRole::Input, &q.inputs));
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

    /// The public inputs (or outputs, as `role` says), by index, in order: those whose values
    /// are instances (not the hashed ones).
    pub fn public(&self, role: InstanceRole) -> Vec<usize> {
        self.segments.iter().filter(|s| s.role == role && !s.hashed).map(|s| s.index).collect()
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

    /// The instances of `w` for `q`, in instance order: each public tensor's values, and the
    /// values to hash of each hashed tensor or of the parameters (the hash is the proof system's
    /// to compute).
    pub fn values(&self, q: &QGraph, w: &Witness) -> Vec<(&InstanceSegment, Vec<i64>)> {
        self.segments.iter().map(|s| (s, s.values(q, &w.values))).collect()
    }
}

impl InstanceSegment {
    /// The values this segment holds (or hashes): its tensor's among `tensors` (a witness's
    /// values), or `q`'s parameters (without the salt, a field element the proof system
    /// appends; `tensors` is not read).
    pub fn values(&self, q: &QGraph, tensors: &[Vec<i64>]) -> Vec<i64> {
        match self.role {
            InstanceRole::Params => q.param_values(),
            InstanceRole::Input | InstanceRole::Output => tensors[self.tensor].clone(),
        }
    }

    /// How many field elements this segment holds (or hashes): for the parameters, the packed
    /// weights, the biases and the salt ([`crate::ParamMessage`]).
    pub fn value_count(&self, q: &QGraph) -> usize {
        match self.role {
            InstanceRole::Params => q.param_message().len() + usize::from(q.param_salt.is_some()),
            InstanceRole::Input | InstanceRole::Output => q.tensors[self.tensor].len(),
        }
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
            param_salt: None,
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
        assert_eq!(flat(&both, &w), vec![1, 2, 3, 7, 8]);

        let output_only = InstanceLayout::of(&graph(&[Private], &[Public]));
        assert_eq!(output_only.range(InstanceRole::Input, 0), None);
        assert_eq!(output_only.range(InstanceRole::Output, 0), Some(0..2));
        assert_eq!(flat(&output_only, &w), vec![7, 8]);

        let q = graph(&[Private], &[Private]);
        let none = InstanceLayout::of(&q);
        assert!(none.is_empty());
        assert!(none.values(&q, &w).is_empty());
    }

    fn flat(layout: &InstanceLayout, w: &Witness) -> Vec<i64> {
        let q = graph(&[], &[]);
        layout.values(&q, w).into_iter().flat_map(|(_, v)| v).collect()
    }

    #[test]
    fn a_hashed_tensor_takes_one_instance() {
        use Visibility::*;
        let w = Witness { values: vec![vec![1, 2, 3], vec![7, 8]] };
        let layout = InstanceLayout::of(&graph(&[Hashed], &[Public]));
        assert_eq!(layout.len(), 3);
        assert_eq!(layout.range(InstanceRole::Input, 0), Some(0..1));
        assert_eq!(layout.range(InstanceRole::Output, 0), Some(1..3));
        // The hashed input is not a public one: its values are not instances.
        assert!(layout.public(InstanceRole::Input).is_empty());
        assert_eq!(layout.public(InstanceRole::Output), vec![0]);
        let values = layout.values(&graph(&[Hashed], &[Public]), &w);
        assert!(values[0].0.hashed && values[0].1 == [1, 2, 3]);
        assert!(!values[1].0.hashed && values[1].1 == [7, 8]);
        // Only hashed segments say so in JSON.
        let json = serde_json::to_string(&layout).unwrap();
        assert_eq!(json.matches("hashed").count(), 1, "{json}");
    }

    #[test]
    fn hashed_parameters_come_first_as_one_instance() {
        use crate::{LinearOp, LinearParams, QNode, QOp};
        use Visibility::*;
        let mut q = graph(&[Public], &[Public]);
        q.params = ParamVisibility::Hashed;
        let linear = |weight: Vec<i64>, bias: Vec<i64>, params| {
            let op =
                LinearOp { params, ..LinearOp::single_channel(1, weight.len(), vec![Some(0); weight.len()], weight) };
            QNode { name: String::new(), op: QOp::Linear(LinearOp { bias, ..op }), inputs: vec![0], output: 1 }
        };
        q.nodes = vec![
            linear(vec![5, 6], vec![7], LinearParams::All),
            linear(vec![1, 1], vec![9], LinearParams::BiasOnly),
            linear(vec![2, 2], vec![0], LinearParams::Structural),
        ];
        assert_eq!(q.param_values(), vec![5, 6, 7, 9]);
        let layout = InstanceLayout::of(&q);
        assert_eq!(layout.len(), 1 + 3 + 2);
        assert_eq!(layout.range(InstanceRole::Params, 0), Some(0..1));
        assert_eq!(layout.range(InstanceRole::Input, 0), Some(1..4));
        let w = Witness { values: vec![vec![1, 2, 3], vec![7, 8]] };
        let values = layout.values(&q, &w);
        assert!(values[0].0.hashed && values[0].1 == [5, 6, 7, 9]);
        // The weights 5, 6 packed into one element, then the biases 7 and 9.
        let m = q.param_message();
        assert_eq!((m.weights, m.biases), (vec![5, 6], vec![7, 9]));
        assert_eq!(layout.segments[0].value_count(&q), 3);
        assert!(layout.public(InstanceRole::Params).is_empty());
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
