//! The harness graphs of more ops built at import from proven lowerings: Det, MVN, training-mode
//! BatchNormalization, Upsample, TfIdfVectorizer, an unrolled Loop and DynamicQuantizeLinear.

use super::*;
use zkinfer_onnx::proto::GraphProto;
use zkinfer_onnx::testing::graph_attr;

/// `Det` of a 2×2 matrix: constant-index Gathers, two products of activations and a Sub.
pub(super) fn det() -> (QGraph, Vec<i64>) {
    lowered_at(22, vec![node("Det", &["x"], "y", vec![])], vec![], &[1, 2, 2], &[1])
}

/// `MeanVarianceNormalization` over the last axis: a Transpose, a layer normalization, back.
pub(super) fn mean_variance_norm() -> (QGraph, Vec<i64>) {
    let n = node("MeanVarianceNormalization", &["x"], "y", vec![ints_attr("axes", &[1])]);
    lowered_at(13, vec![n], vec![], &[1, 3], &[1, 3])
}

/// Training-mode `BatchNormalization` (its `Y`): the batch's own statistics by an instance
/// normalization of the input viewed per channel.
pub(super) fn batch_norm_training() -> (QGraph, Vec<i64>) {
    let n = node("BatchNormalization", &["x", "s", "b", "m", "v"], "y", vec![int_attr("training_mode", 1)]);
    let init = vec![
        float_tensor("s", &[1], vec![1.5]),
        float_tensor("b", &[1], vec![-0.25]),
        float_tensor("m", &[1], vec![0.0]),
        float_tensor("v", &[1], vec![1.0]),
    ];
    lowered_at(15, vec![n], init, &[2, 1, 2], &[2, 1, 2])
}

/// `Upsample` (nearest, scale 2): one constant-index Gather.
pub(super) fn upsample() -> (QGraph, Vec<i64>) {
    let n = node("Upsample", &["x", "s"], "y", vec![]);
    lowered_at(9, vec![n], vec![float_tensor("s", &[2], vec![1.0, 2.0])], &[1, 2], &[1, 4])
}

/// `DynamicQuantizeLinear`'s `y`: ReduceMax and ReduceMin trees, Max and Min with constants,
/// the `Div` primitive by the computed scale (for the zero point and for `y`), Round, Add. Ten-bit
/// activations hold `y`'s `0..=255` and the scale (`8/255` for the searched input) at 2^-6; the
/// constant `1/255` needs a weight scale of 2^-12.
pub(super) fn dynamic_quantize_linear() -> (QGraph, Vec<i64>) {
    let n = node("DynamicQuantizeLinear", &["x"], "y", vec![]);
    let samples = vec![vec![-4.0, 2.5], vec![3.0, -5.0], vec![6.0, 1.0], vec![-2.0, -4.5]];
    let config = QuantConfig {
        activation_bits: 10,
        max_activation_scale: 6,
        weight_bits: 6,
        max_weight_scale: 12,
        ..QuantConfig::default()
    };
    quantized_on(model_bytes(11, vec![n], vec![], float_info("x", &[2]), float_info("y", &[2])), samples, config)
}

/// `QuantizeLinear` by a scale computed from the input (a quarter of its ReduceMax): the `Div`
/// primitive by it, Round, the zero point's Add and the saturation.
pub(super) fn quantize_by_computed_scale() -> (QGraph, Vec<i64>) {
    let nodes = vec![
        node("ReduceMax", &["x"], "m", vec![int_attr("keepdims", 0)]),
        node("Mul", &["m", "quarter"], "s", vec![]),
        node("QuantizeLinear", &["x", "s", "z"], "y", vec![]),
    ];
    let init = vec![float_tensor("quarter", &[], vec![0.25]), int8_tensor("z", &[], vec![1])];
    let samples = vec![vec![0.5, 1.0], vec![0.75, 0.25], vec![1.0, 0.5], vec![0.25, 0.75]];
    let config = QuantConfig {
        activation_bits: 7,
        max_activation_scale: 4,
        weight_bits: 5,
        max_weight_scale: 3,
        ..QuantConfig::default()
    };
    quantized_on(model_bytes(13, nodes, init, float_info("x", &[2]), float_info("y", &[2])), samples, config)
}

/// `TfIdfVectorizer` (unigrams and bigrams, skips up to 1) of three int8 tokens: equality bits,
/// constant-index Gathers, their products, ReduceSums, Adds and a Concat.
pub(super) fn tfidf() -> (QGraph, Vec<i64>) {
    let attrs = vec![
        int_attr("min_gram_length", 1),
        int_attr("max_gram_length", 2),
        int_attr("max_skip_count", 1),
        string_attr("mode", "TF"),
        ints_attr("ngram_counts", &[0, 1]),
        ints_attr("ngram_indexes", &[1, 0]),
        ints_attr("pool_int64s", &[2, 2, 5]),
    ];
    let n = node("TfIdfVectorizer", &["x"], "y", attrs);
    let bytes = model_bytes(9, vec![n], vec![], int8_info("x", &[3]), float_info("y", &[2]));
    let samples = vec![vec![2.0, 5.0, 2.0], vec![2.0, 2.0, 5.0], vec![5.0, 1.0, 2.0]];
    quantized_on(bytes, samples, QuantConfig { weight_bits: 5, max_weight_scale: 3, ..QuantConfig::default() })
}

/// `Loop` of two iterations adding the input to a carried sum (the condition passed through):
/// unrolled into the body's Adds.
pub(super) fn loop_sum() -> (QGraph, Vec<i64>) {
    let body = GraphProto {
        node: vec![node("Identity", &["c_in"], "c_out", vec![]), node("Add", &["s", "x"], "s_out", vec![])],
        input: vec![float_info("i", &[]), float_info("c_in", &[]), float_info("s", &[2])],
        output: vec![float_info("c_out", &[]), float_info("s_out", &[2])],
        ..Default::default()
    };
    let attr = graph_attr("body", body);
    let n = node("Loop", &["m", "", "s0"], "y", vec![attr]);
    let init = vec![float_tensor("m", &[], vec![2.0]), float_tensor("s0", &[2], vec![0.5, -0.25])];
    lowered_at(16, vec![n], init, &[2], &[2])
}

/// `Einsum` `...ii->...i`: a batched diagonal, one constant-index Gather.
pub(super) fn einsum_diagonal() -> (QGraph, Vec<i64>) {
    let n = node("Einsum", &["x"], "y", vec![string_attr("equation", "...ii->...i")]);
    lowered_at(12, vec![n], vec![], &[2, 2, 2], &[2, 2])
}

/// `FlexAttention` (`ai.onnx.preview`) of the input as query, key and value, with a `score_mod`
/// that adds a constant bias: MatMuls of activations, the modifier's Add, Softmax.
pub(super) fn flex_attention() -> (QGraph, Vec<i64>) {
    let score_mod = GraphProto {
        node: vec![node("Add", &["s", "bias"], "t", vec![])],
        input: vec![float_info("s", &[1, 1, 2, 2])],
        output: vec![float_info("t", &[1, 1, 2, 2])],
        initializer: vec![float_tensor("bias", &[], vec![0.25])],
        ..Default::default()
    };
    let attr = graph_attr("score_mod", score_mod);
    let n = node("FlexAttention", &["x", "x", "x"], "y", vec![attr]);
    let bytes = model_bytes(26, vec![n], vec![], float_info("x", &[1, 1, 2, 2]), float_info("y", &[1, 1, 2, 2]));
    lowered_bytes(&zkinfer_onnx::testing::in_domain(&bytes, "ai.onnx.preview", 1, &["FlexAttention"]))
}

/// `TreeEnsemble` (`ai.onnx.ml` 5): one split of feature 0 at 0.25 into two leaves of one
/// target: a comparison bit, its complement, and the leaf weights times them, summed.
pub(super) fn tree_ensemble() -> (QGraph, Vec<i64>) {
    use zkinfer_onnx::testing::tensor_attr;
    let attrs = vec![
        ints_attr("leaf_targetids", &[0, 0]),
        tensor_attr("leaf_weights", vec![1.5, -0.5]),
        int_attr("n_targets", 1),
        ints_attr("nodes_falseleafs", &[1]),
        ints_attr("nodes_falsenodeids", &[1]),
        ints_attr("nodes_featureids", &[0]),
        tensor_attr("nodes_modes", vec![0.0]),
        tensor_attr("nodes_splits", vec![0.25]),
        ints_attr("nodes_trueleafs", &[1]),
        ints_attr("nodes_truenodeids", &[0]),
        ints_attr("tree_roots", &[0]),
    ];
    let n = node("TreeEnsemble", &["x"], "y", attrs);
    let bytes = model_bytes(18, vec![n], vec![], float_info("x", &[2, 1]), float_info("y", &[2, 1]));
    lowered_bytes(&zkinfer_onnx::testing::in_domain(&bytes, "ai.onnx.ml", 5, &["TreeEnsemble"]))
}
