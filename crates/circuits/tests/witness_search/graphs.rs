//! The graphs the soundness harness searches: one chip, gadget or lowering each (hand-built, or
//! an ONNX model of one or two nodes imported and quantized).

use super::*;

/// The input's range check alone, its output public.
pub(super) fn input_check() -> (QGraph, Vec<i64>) {
    let xs = vec![vec![9, -4, 13, 0], vec![-16, 15, 1, -1]];
    let (b, x) = Builder::new(4);
    (b.finish(x, vis(Private, P::Fixed, Public), &xs), xs[0].clone())
}

/// `dense(4 -> 3)` then a rescale by `shift` (with ReLU or not), public output.
pub(super) fn rescale(shift: u32, relu: bool) -> (QGraph, Vec<i64>) {
    let xs = vec![vec![9, -4, 13, 2], vec![-7, 3, -12, 5]];
    let (mut b, x) = Builder::new(4);
    let h = b.dense(x, vec![5, -3, 7, 1, -6, 2, 4, -8, 3, 3, -1, 9], vec![10, -40, 3]);
    let y = b.requant(h, shift, relu);
    (b.finish(y, vis(Private, P::Fixed, Public), &xs), xs[0].clone())
}

/// Two dense layers with private weights (held at their honest values: the statement leaves
/// them to the prover), ReLU between.
pub(super) fn private_weights() -> (QGraph, Vec<i64>) {
    let xs = vec![vec![3, -7, 12, 0, -1], vec![-5, 6, 4, -9, 2]];
    (mlp(5, 3, 2, vis(Private, P::Private, Public), &xs), xs[0].clone())
}

/// Hashed input and output: the Poseidon chip at both ends (the input's hash pinned, the
/// output's hash free). With the first input element free, the search finds no other value its
/// pinned hash admits (what it shows is that every cell is determined: that the hash pins the
/// input is Poseidon's collision resistance, which no enumeration can show).
pub(super) fn hashed_io() -> (QGraph, Vec<i64>) {
    let xs = vec![vec![3, -7, 12, 0, -1], vec![-5, 6, 4, -9, 2]];
    (mlp(5, 3, 2, vis(Hashed, P::Fixed, Hashed), &xs), xs[0].clone())
}

/// Hashed parameters: every weight and bias a witness, bound by the model id (instance 0).
pub(super) fn hashed_params() -> (QGraph, Vec<i64>) {
    let xs = vec![vec![3, -7, 12, 0, -1], vec![-5, 6, 4, -9, 2]];
    (mlp(5, 3, 2, vis(Public, P::Hashed, Public), &xs), xs[0].clone())
}

/// Hashed parameters with a salt: the salt is a witness cell of the Poseidon state row that only
/// the hash reads, so the search tries every candidate for it against the pinned model id (7 s
/// a layout: one layout, since the salt meets no limb).
pub(super) fn salted_params() -> (QGraph, Vec<i64>) {
    let (mut q, x) = hashed_params();
    q.param_salt = Some([0x5a; 31]);
    (q, x)
}

/// Public input and output: the instance wiring at both ends.
pub(super) fn public_io() -> (QGraph, Vec<i64>) {
    let xs = vec![vec![3, -7, 12, 0, -1], vec![-5, 6, 4, -9, 2]];
    (mlp(5, 3, 2, vis(Public, P::Fixed, Public), &xs), xs[0].clone())
}

/// Elementwise products of two activations.
pub(super) fn product() -> (QGraph, Vec<i64>) {
    let xs = vec![vec![3, -4, 5, 7, -2], vec![-6, 2, 1, -3, 4]];
    let (mut b, x) = Builder::new(5);
    let m = b.mul_rev(x, x);
    let y = b.requant(m, 2, false);
    (b.finish(y, vis(Private, P::Fixed, Public), &xs), xs[0].clone())
}

/// `round(2^2 a / b)` with `b = relu(x) + 1 > 0`.
pub(super) fn division() -> (QGraph, Vec<i64>) {
    let xs = vec![vec![9, -4, 13, 2], vec![-7, 3, 12, 5]];
    let (mut b, x) = Builder::new(4);
    let pos = b.requant(x, 0, true);
    let den = b.dense(pos, (0..16).map(|i| i64::from(i % 5 == 0)).collect(), vec![1; 4]);
    let q = b.div(x, den, 2);
    let y = b.requant(q, 0, false);
    (b.finish(y, vis(Private, P::Fixed, Public), &xs), xs[0].clone())
}

/// A lookup table activation (nearest entry, no interpolation).
pub(super) fn lookup() -> (QGraph, Vec<i64>) {
    let xs = vec![vec![9, -4, 13, 2], vec![-7, 3, -12, 5]];
    let (mut b, x) = Builder::new(4);
    let y = b.table(x, TableFn::Tanh, 3, 4);
    (b.finish(y, vis(Private, P::Fixed, Public), &xs), xs[0].clone())
}

// ---------------------------------------------------------------------------------------------
// Lowerings of ONNX ops (several primitives combined), quantized with small scales.

/// One ONNX node over `x` of `dims`, quantized with small activation and table sizes.
pub(super) fn lowered(
    op: &str,
    dims: &[i64],
    out: &[i64],
    attrs: Vec<zkinfer_onnx::proto::AttributeProto>,
) -> (QGraph, Vec<i64>) {
    lowered_with(vec![node(op, &["x"], "y", attrs)], vec![], dims, out)
}

pub(super) fn lowered_with(
    nodes: Vec<zkinfer_onnx::proto::NodeProto>,
    init: Vec<zkinfer_onnx::proto::TensorProto>,
    dims: &[i64],
    out: &[i64],
) -> (QGraph, Vec<i64>) {
    lowered_at(18, nodes, init, dims, out)
}

/// [`lowered_with`] in a model of `opset`.
pub(super) fn lowered_at(
    opset: i64,
    nodes: Vec<zkinfer_onnx::proto::NodeProto>,
    init: Vec<zkinfer_onnx::proto::TensorProto>,
    dims: &[i64],
    out: &[i64],
) -> (QGraph, Vec<i64>) {
    lowered_bytes(&model_bytes(opset, nodes, init, float_info("x", dims), float_info("y", out)))
}

/// A model's bytes imported, calibrated on four samples and quantized small (7-bit activations,
/// 5-bit weights and tables); the second sample is the input searched.
pub(super) fn lowered_bytes(bytes: &[u8]) -> (QGraph, Vec<i64>) {
    let g = zkinfer_onnx::parse(bytes).expect("import");
    let n: usize = g.input_shape(0).iter().product();
    let samples: Vec<Vec<f32>> = (0..4).map(|s| values(60 + s, n)).collect();
    let calib = calibrate(&g, zkinfer_graph::one_input_samples(samples.clone())).expect("calibrate");
    let config = QuantConfig {
        activation_bits: 7,
        max_activation_scale: 4,
        weight_bits: 5,
        max_weight_scale: 3,
        table_bits: 5,
        ..QuantConfig::default()
    };
    let q = quantize(&g, &calib, &config, &vis(Private, P::Fixed, Public)).expect("quantize");
    let x = q.quantize_input(&samples[1]).expect("in range");
    (q, x)
}

/// Comparisons of a computed value and `Where`: `x < 0.25 ? 0.5·x : x`, then `== 0` of that
/// (each bit `relu(-d) - relu(-d-1)`, the selection a product by the bit).
pub(super) fn compare_where() -> (QGraph, Vec<i64>) {
    let nodes = vec![
        node("Less", &["x", "c"], "lt", vec![]),
        node("Mul", &["x", "half"], "h", vec![]),
        node("Where", &["lt", "h", "x"], "w", vec![]),
        node("Equal", &["w", "zero"], "eq", vec![]),
        node("Where", &["eq", "c", "w"], "y", vec![]),
    ];
    let init = vec![
        float_tensor("c", &[1], vec![0.25]),
        float_tensor("half", &[1], vec![0.5]),
        float_tensor("zero", &[1], vec![0.0]),
    ];
    lowered_with(nodes, init, &[1, 3], &[1, 3])
}

/// `And`, `Or` and `Xor` of comparison bits (products and Linears) and `And` by a constant mask
/// (a Linear): `((x < 0.25) ⊕ (x > -0.5) ∨ (x < 0.25)) ∧ [1, 0, 1]`.
pub(super) fn logical() -> (QGraph, Vec<i64>) {
    let nodes = vec![
        node("Less", &["x", "c"], "a", vec![]),
        node("Greater", &["x", "d"], "b", vec![]),
        node("Xor", &["a", "b"], "e", vec![]),
        node("Or", &["e", "a"], "f", vec![]),
        node("And", &["f", "keep"], "y", vec![]),
    ];
    let mut keep = float_tensor("keep", &[3], vec![1.0, 0.0, 1.0]);
    keep.data_type = Some(zkinfer_onnx::proto::tensor_proto::DataType::Bool as i32);
    keep.int32_data = vec![1, 0, 1];
    keep.float_data.clear();
    let init = vec![float_tensor("c", &[1], vec![0.25]), float_tensor("d", &[1], vec![-0.5]), keep];
    lowered_with(nodes, init, &[1, 3], &[1, 3])
}

/// A table activation: one interpolated lookup of its function.
pub(super) fn activation(op: &str) -> (QGraph, Vec<i64>) {
    lowered(op, &[1, 3], &[1, 3], vec![])
}

pub(super) fn max_pool() -> (QGraph, Vec<i64>) {
    lowered(
        "MaxPool",
        &[1, 1, 2, 3],
        &[1, 1, 1, 2],
        vec![ints_attr("kernel_shape", &[2, 2]), ints_attr("strides", &[1, 1])],
    )
}

pub(super) fn arg_max() -> (QGraph, Vec<i64>) {
    lowered("ArgMax", &[1, 4], &[1, 1], vec![int_attr("axis", 1)])
}

pub(super) fn softmax() -> (QGraph, Vec<i64>) {
    lowered("Softmax", &[1, 3], &[1, 3], vec![int_attr("axis", -1)])
}

/// `Trilu` of an activation: kept elements copied, the others a Linear position with no term.
pub(super) fn trilu() -> (QGraph, Vec<i64>) {
    lowered("Trilu", &[2, 3], &[2, 3], vec![int_attr("upper", 0)])
}

/// `tanh(15·x)`: the calibrated range is four times wider than where tanh's rounded output
/// saturates, so the table input is clamped on both sides (`a + relu(x - a)`,
/// `b - relu(b - x)`) before the lookup.
pub(super) fn saturated_tanh() -> (QGraph, Vec<i64>) {
    let nodes = vec![node("Mul", &["x", "c"], "h", vec![]), node("Tanh", &["h"], "y", vec![])];
    let (q, x) = lowered_with(nodes, vec![float_tensor("c", &[1], vec![15.0])], &[1, 3], &[1, 3]);
    let clamps = q.nodes.iter().filter(|n| matches!(&n.op, QOp::Requant(r) if r.relu && r.shift == 0)).count();
    assert_eq!(clamps, 2, "tanh's input is clamped on both sides");
    (q, x)
}

/// A softmax behind a constant `-inf` mask: the masked element is left out of the max and the
/// sum, and its output is a Linear position with no term (0).
pub(super) fn masked_softmax() -> (QGraph, Vec<i64>) {
    let nodes =
        vec![node("Add", &["x", "mask"], "m", vec![]), node("Softmax", &["m"], "y", vec![int_attr("axis", -1)])];
    let init = vec![float_tensor("mask", &[1, 3], vec![0.0, f32::NEG_INFINITY, 0.0])];
    lowered_with(nodes, init, &[1, 3], &[1, 3])
}

/// A one-op graph on one integer input of two elements (`dtype`), the op reading constants
/// `consts` after the input, lowered on `samples` and searched on the second; every input in
/// `bad` must have no integer witness.
pub(super) fn integer_input_graph(
    dtype: zkinfer_graph::DType,
    op: Box<dyn zkinfer_graph::Op>,
    consts: Vec<zkinfer_graph::Tensor>,
    input_first: bool,
    samples: Vec<Vec<f32>>,
    bad: &[Vec<i64>],
) -> (QGraph, Vec<i64>) {
    let mut b = zkinfer_graph::GraphBuilder::new();
    let x = b.typed_input("x", vec![2], dtype);
    let consts: Vec<_> = consts.into_iter().enumerate().map(|(i, t)| b.constant(&format!("c{i}"), t)).collect();
    let inputs = if input_first { [vec![x], consts].concat() } else { [consts, vec![x]].concat() };
    let y = b.node("op", op, inputs, "y").expect("node");
    let g = b.finish_outputs(vec![y]).expect("graph");
    let calib = calibrate(&g, zkinfer_graph::one_input_samples(samples.clone())).expect("calibrate");
    let config = QuantConfig { weight_bits: 5, max_weight_scale: 3, ..QuantConfig::default() };
    let q = quantize(&g, &calib, &config, &vis(Private, P::Fixed, Public)).expect("quantize");
    let x = q.quantize_input(&samples[1]).expect("in range");
    for bad in bad {
        assert!(q.eval(bad.clone()).is_err(), "input {bad:?} has no witness");
    }
    (q, x)
}

/// An embedding lookup by a witness token id: `Gather(table, ids)` with `ids` an int64 input is
/// the one-hot rows of the ids (two ReLUs per id and row, and the check that the row sums to 1)
/// times the table. With the ids free, an id outside the table's 3 rows has no witness.
pub(super) fn embedding() -> (QGraph, Vec<i64>) {
    use zkinfer_graph::{ops::Gather, DType, Tensor};
    let table = Tensor::from_shape_vec(vec![3, 2], vec![0.5, -1.0, 0.25, 1.5, -0.75, 2.0]).expect("shape");
    let samples = vec![vec![0.0, 2.0], vec![1.0, 0.0], vec![2.0, 1.0]];
    integer_input_graph(
        DType::I64,
        Box::new(Gather { axis: 0 }),
        vec![table],
        false,
        samples,
        &[vec![3, 0], vec![0, -1]],
    )
}

/// A boolean input selecting by `Where`: the input is checked to be 0 or 1 (two ReLUs and a
/// check at the smallest bound), so with it free, a 2 or a -1 has no witness.
pub(super) fn boolean_input() -> (QGraph, Vec<i64>) {
    use zkinfer_graph::{ops::Where, DType, Tensor};
    let x = Tensor::from_shape_vec(vec![2], vec![0.75, -1.5]).expect("shape");
    let y = Tensor::from_shape_vec(vec![], vec![0.25]).expect("shape");
    let samples = vec![vec![0.0, 1.0], vec![1.0, 0.0], vec![1.0, 1.0]];
    integer_input_graph(DType::Bool, Box::new(Where), vec![x, y], true, samples, &[vec![2, 0], vec![0, -1]])
}

/// A softmax behind a computed mask, `Where(x > -0.5, x, -inf)`: the keep bits are held to 0 or 1,
/// the fill replaced by a bounded one (a Linear position per element), each row checked to keep
/// an element, then the softmax pieces over whole rows. (With the input free the search takes
/// about 25 s a layout, so the Halo2 case runs one layout.)
pub(super) fn computed_mask_softmax() -> (QGraph, Vec<i64>) {
    let nodes = vec![
        node("Greater", &["x", "c"], "keep", vec![]),
        node("Where", &["keep", "x", "ninf"], "m", vec![]),
        node("Softmax", &["m"], "y", vec![int_attr("axis", -1)]),
    ];
    let init = vec![float_tensor("c", &[1], vec![-0.5]), float_tensor("ninf", &[1], vec![f32::NEG_INFINITY])];
    let (q, x) = lowered_with(nodes, init, &[1, 3], &[1, 3]);
    // The searched input keeps one element of three (x = [-0.78, -0.34, -0.99] at scale 2^s).
    let kept = x.iter().filter(|&&v| v as f64 > -0.5 * f64::from(1u32 << q.tensors[q.inputs[0].tensor].scale)).count();
    assert_eq!(kept, 1, "{x:?}");
    (q, x)
}

pub(super) fn layer_norm() -> (QGraph, Vec<i64>) {
    let n = node("LayerNormalization", &["x", "gamma", "beta"], "y", vec![int_attr("axis", -1)]);
    let init =
        vec![float_tensor("gamma", &[3], vec![1.0, 0.5, -2.0]), float_tensor("beta", &[3], vec![0.0, 0.25, -0.5])];
    lowered_with(vec![n], init, &[1, 3], &[1, 3])
}

/// RMSNormalization (opset 23): the same pieces without the centering sum.
pub(super) fn rms_norm() -> (QGraph, Vec<i64>) {
    let n = node("RMSNormalization", &["x", "gamma"], "y", vec![int_attr("axis", -1)]);
    lowered_at(23, vec![n], vec![float_tensor("gamma", &[3], vec![1.0, 0.5, -2.0])], &[1, 3], &[1, 3])
}

/// InstanceNormalization: LayerNormalization's pieces over the spatial axis, per channel.
pub(super) fn instance_norm() -> (QGraph, Vec<i64>) {
    let n = node("InstanceNormalization", &["x", "gamma", "beta"], "y", vec![]);
    let init = vec![float_tensor("gamma", &[2], vec![1.0, -0.5]), float_tensor("beta", &[2], vec![0.25, 0.0])];
    lowered_with(vec![n], init, &[1, 2, 2], &[1, 2, 2])
}

/// MatMul by a constant with a batch dim: one linear op whose positions read their batch's block
/// of terms, the other blocks empty.
pub(super) fn batched_matmul() -> (QGraph, Vec<i64>) {
    let n = node("MatMul", &["x", "w"], "y", vec![]);
    let w = float_tensor("w", &[2, 2, 2], vec![1.0, -0.5, 0.25, 2.0, -1.0, 0.5, 1.5, -0.25]);
    lowered_with(vec![n], vec![w], &[2, 1, 2], &[2, 1, 2])
}

/// The Attention op (opset 23) as its function body: self-attention of `x [1, 1, 2, 2]` (one
/// head), causal: products of activations, the masked Softmax pieces, copies.
pub(super) fn attention_op() -> (QGraph, Vec<i64>) {
    let n = node("Attention", &["x", "x", "x"], "y", vec![int_attr("is_causal", 1)]);
    lowered_at(23, vec![n], vec![], &[1, 1, 2, 2], &[1, 1, 2, 2])
}

/// `Einsum("ij,kj->ik")` of `x [2, 2]` with itself: a Transpose and a MatMul of activations.
pub(super) fn einsum() -> (QGraph, Vec<i64>) {
    let eq = string_attr("equation", "ij,kj->ik");
    lowered_at(12, vec![node("Einsum", &["x", "x"], "y", vec![eq])], vec![], &[2, 2], &[2, 2])
}

/// SoftmaxCrossEntropyLoss at constant labels: a LogSoftmax, a GatherElements (copies), a product
/// by constant weights and a sum.
pub(super) fn cross_entropy() -> (QGraph, Vec<i64>) {
    let labels = zkinfer_onnx::proto::TensorProto {
        name: Some("t".into()),
        dims: vec![2],
        data_type: Some(zkinfer_onnx::proto::tensor_proto::DataType::Int64 as i32),
        int64_data: vec![1, 0],
        ..Default::default()
    };
    let sum = string_attr("reduction", "sum");
    let n = node("SoftmaxCrossEntropyLoss", &["x", "t"], "y", vec![sum]);
    lowered_at(13, vec![n], vec![labels], &[2, 2], &[])
}

/// ConvTranspose (stride 2): one Linear op whose positions read their taps, the rest empty.
pub(super) fn conv_transpose() -> (QGraph, Vec<i64>) {
    let n = node("ConvTranspose", &["x", "w"], "y", vec![ints_attr("strides", &[2, 2])]);
    let w = float_tensor("w", &[1, 1, 2, 2], vec![1.0, -0.5, 0.25, 2.0]);
    lowered_with(vec![n], vec![w], &[1, 1, 1, 2], &[1, 1, 2, 4])
}

/// A 1-D `Conv` of a batch of two: the 2-D op of height 1 between reshapes, its positions
/// permuted from `[C_out, N, ..]` into NCHW.
pub(super) fn conv_1d_batch() -> (QGraph, Vec<i64>) {
    let n = node("Conv", &["x", "w"], "y", vec![ints_attr("pads", &[1, 0])]);
    let w = float_tensor("w", &[2, 1, 2], vec![1.0, -0.5, 0.25, 2.0]);
    lowered_with(vec![n], vec![w], &[2, 1, 2], &[2, 2, 2])
}

/// CumSum, exclusive and reversed: one Linear op of structural ones.
pub(super) fn cumsum() -> (QGraph, Vec<i64>) {
    let attrs = vec![int_attr("exclusive", 1), int_attr("reverse", 1)];
    let axis = float_tensor("a", &[], vec![1.0]);
    lowered_with(vec![node("CumSum", &["x", "a"], "y", attrs)], vec![axis], &[1, 3], &[1, 3])
}

/// Resize, linear, built at import: the one row doubles by a Gather (both taps clamp to it) and
/// the two columns become four by a MatMul by the interpolation weights.
pub(super) fn resize() -> (QGraph, Vec<i64>) {
    let scales = float_tensor("s", &[4], vec![1.0, 1.0, 2.0, 2.0]);
    let n = node("Resize", &["x", "", "s"], "y", vec![string_attr("mode", "linear")]);
    lowered_with(vec![n], vec![scales], &[1, 1, 1, 2], &[1, 1, 2, 4])
}

/// Integer division by constants (the `floor_div` module): `Mod` (floor quotient) or integer
/// `Div` (truncated quotient, with the comparison bit that moves negative dividends) of an
/// int64 input by `[3, -4]`: the quotient is the Div chip's, pinned by its remainder checks.
pub(super) fn integer_division(op: Box<dyn zkinfer_graph::Op>) -> (QGraph, Vec<i64>) {
    use zkinfer_graph::{DType, Tensor};
    let d = Tensor::from_shape_vec(vec![2], vec![3.0, -4.0]).expect("shape");
    let samples = vec![vec![7.0, -5.0], vec![-7.0, 9.0], vec![5.0, 5.0]];
    integer_input_graph(DType::I64, op, vec![d], true, samples, &[])
}

/// A `Cast` of a computed float to INT4, `Cast(6·x)`: the truncated quotient by `2^s`, then
/// the two's-complement wrap (a floor quotient by 16 and its remainder).
pub(super) fn cast_to_int4() -> (QGraph, Vec<i64>) {
    let nodes = vec![node("Mul", &["x", "six"], "m", vec![]), node("Cast", &["m"], "y", vec![int_attr("to", 22)])];
    lowered_with(nodes, vec![float_tensor("six", &[1], vec![6.0])], &[1, 2], &[1, 2])
}

/// `Floor`, `Ceil` or `Round` of a computed value, `op(2.5·x)`: quotients by `2^s` (for `Round`,
/// by `2^(s+1)`, its remainder and two comparison bits).
pub(super) fn rounding(op: &str) -> (QGraph, Vec<i64>) {
    let nodes = vec![node("Mul", &["x", "c"], "m", vec![]), node(op, &["m"], "y", vec![])];
    lowered_with(nodes, vec![float_tensor("c", &[1], vec![2.5])], &[1, 2], &[1, 2])
}

/// `BitShift` of a uint8 input by constants 1 and 3: a left shift is the product by `2^y` and the
/// wrap into 8 bits, a right shift the floor quotient by `2^y`.
pub(super) fn bit_shift(left: bool) -> (QGraph, Vec<i64>) {
    use zkinfer_graph::{ops::BitShift, DType, Tensor};
    let y = Tensor::from_shape_vec(vec![2], vec![1.0, 3.0]).expect("shape");
    let samples = vec![vec![16.0, 200.0], vec![201.0, 37.0], vec![255.0, 1.0]];
    integer_input_graph(DType::I64, Box::new(BitShift { left, bits: 8 }), vec![y], true, samples, &[])
}

/// An opset-6 `Add` with the legacy broadcast from axis 1: the second operand reshaped with
/// trailing 1s, then numpy's broadcast.
pub(super) fn legacy_broadcast() -> (QGraph, Vec<i64>) {
    let attrs = vec![int_attr("broadcast", 1), int_attr("axis", 1)];
    let b = float_tensor("b", &[2], vec![0.5, -1.0]);
    lowered_at(6, vec![node("Add", &["x", "b"], "y", attrs)], vec![b], &[1, 2, 2], &[1, 2, 2])
}

/// `RotaryEmbedding` at constant caches and positions: a Gather of the partners along the head
/// dimension, two products by constant tensors and an Add.
pub(super) fn rotary() -> (QGraph, Vec<i64>) {
    let n = node("RotaryEmbedding", &["x", "cos", "sin", "pos"], "y", vec![]);
    let cos = float_tensor("cos", &[3, 2], vec![1.0, 0.5, 0.75, -0.25, 0.0, 1.0]);
    let sin = float_tensor("sin", &[3, 2], vec![0.0, 0.5, -0.5, 1.0, 1.0, 0.0]);
    let pos = float_tensor("pos", &[1, 2], vec![2.0, 1.0]);
    lowered_at(23, vec![n], vec![cos, sin, pos], &[1, 1, 2, 4], &[1, 1, 2, 4])
}

/// `QuantizeLinear` to int8 by 0.25 (a product by 4, Round, the saturation as Max and Min with
/// constants), or `DequantizeLinear` by 0.5 around zero point 3 (a Sub and a product).
pub(super) fn quantize_linear(dequantize: bool) -> (QGraph, Vec<i64>) {
    let (n, init) = if dequantize {
        let n = node("DequantizeLinear", &["x", "s", "z"], "y", vec![]);
        (n, vec![float_tensor("s", &[], vec![0.5]), float_tensor("z", &[], vec![3.0])])
    } else {
        (
            node("QuantizeLinear", &["x", "s"], "y", vec![int_attr("output_dtype", 3)]),
            vec![float_tensor("s", &[], vec![0.25])],
        )
    };
    lowered_at(21, vec![n], init, &[1, 3], &[1, 3])
}

/// `ScatterElements` with `reduction = max` at constant indices and updates: an exact Max with
/// a constant, kept by a constant 0/1 mask, beside the untouched elements.
pub(super) fn scatter_max() -> (QGraph, Vec<i64>) {
    let attrs = vec![int_attr("axis", 1), string_attr("reduction", "max")];
    let n = node("ScatterElements", &["x", "i", "u"], "y", attrs);
    let init = vec![float_tensor("i", &[1, 2], vec![2.0, 0.0]), float_tensor("u", &[1, 2], vec![0.5, -0.25])];
    lowered_at(18, vec![n], init, &[1, 3], &[1, 3])
}

/// `TopK` (k = 2 of 3) at import: pairwise comparison bits, their sums as ranks, the one-hot of
/// each rank by equality, products of the bits with the values, sums.
pub(super) fn top_k() -> (QGraph, Vec<i64>) {
    let n = node("TopK", &["x", "k"], "y", vec![int_attr("axis", 1)]);
    lowered_at(11, vec![n], vec![float_tensor("k", &[1], vec![2.0])], &[1, 3], &[1, 2])
}

/// `OneHot` of a computed index (depth 3, values [-1, 2]): a sign bit, an Add, equality bits
/// against 0..3, an affine map.
pub(super) fn one_hot() -> (QGraph, Vec<i64>) {
    let n = node("OneHot", &["x", "d", "v"], "y", vec![]);
    let init = vec![float_tensor("d", &[], vec![3.0]), float_tensor("v", &[2], vec![-1.0, 2.0])];
    lowered_at(11, vec![n], init, &[1, 2], &[1, 2, 3])
}

/// `GroupNormalization` (2 groups of 2 channels) at constant scale and bias: a reshape, the
/// instance-norm pieces, a per-channel affine map.
pub(super) fn group_norm() -> (QGraph, Vec<i64>) {
    let n = node("GroupNormalization", &["x", "s", "b"], "y", vec![int_attr("num_groups", 2)]);
    let init =
        vec![float_tensor("s", &[4], vec![1.0, 0.5, -1.0, 2.0]), float_tensor("b", &[4], vec![0.0, 0.25, -0.5, 1.0])];
    lowered_at(21, vec![n], init, &[1, 4, 2], &[1, 4, 2])
}

/// `DFT` of a real signal of 3 along axis 1: one MatMul by the constant cos/sin matrix.
pub(super) fn dft() -> (QGraph, Vec<i64>) {
    lowered_at(19, vec![node("DFT", &["x"], "y", vec![int_attr("axis", 1)])], vec![], &[1, 3, 1], &[1, 3, 2])
}

/// `CenterCropPad` to [1, 4] from [1, 3]: a constant-index Gather and a product by the 0/1 mask
/// of the padding (the re-wiring every constant-index op of `rewire.rs` is).
pub(super) fn center_crop_pad() -> (QGraph, Vec<i64>) {
    let n = node("CenterCropPad", &["x", "s"], "y", vec![]);
    lowered_at(18, vec![n], vec![float_tensor("s", &[2], vec![1.0, 4.0])], &[1, 3], &[1, 4])
}

/// `BitwiseXor` of an int8 input element with a constant: the two's-complement wrap into uint8, the
/// quotients by 2^i, the bits, one product per bit pair (a constant operand's folds into a
/// Linear weight), the weighted sum and the wrap back into int8.
pub(super) fn bitwise_xor() -> (QGraph, Vec<i64>) {
    let c = int8_tensor("c", &[1], vec![-3]);
    let n = node("BitwiseXor", &["x", "c"], "y", vec![]);
    let bytes = model_bytes(18, vec![n], vec![c], int8_info("x", &[1]), int8_info("y", &[1]));
    let samples = vec![vec![3.0], vec![-100.0], vec![64.0]];
    quantized_on(bytes, samples, QuantConfig { weight_bits: 5, max_weight_scale: 3, ..QuantConfig::default() })
}

/// An int8 value info.
pub(super) fn int8_info(name: &str, dims: &[i64]) -> zkinfer_onnx::proto::ValueInfoProto {
    use zkinfer_onnx::proto::type_proto::Value;
    let mut info = float_info(name, dims);
    if let Some(Value::TensorType(t)) = info.r#type.as_mut().and_then(|t| t.value.as_mut()) {
        t.elem_type = Some(zkinfer_onnx::proto::tensor_proto::DataType::Int8 as i32);
    }
    info
}

/// A model's bytes imported, calibrated on `samples` and quantized under `config`; the second
/// sample is the input searched.
pub(super) fn quantized_on(bytes: Vec<u8>, samples: Vec<Vec<f32>>, config: QuantConfig) -> (QGraph, Vec<i64>) {
    let g = zkinfer_onnx::parse(&bytes).expect("import");
    let calib = calibrate(&g, zkinfer_graph::one_input_samples(samples.clone())).expect("calibrate");
    let q = quantize(&g, &calib, &config, &vis(Private, P::Fixed, Public)).expect("quantize");
    let x = q.quantize_input(&samples[1]).expect("in range");
    (q, x)
}

/// `GridSample` (bilinear, zero padding) at a constant grid: one batched MatMul by the constant
/// matrix of interpolation weights.
pub(super) fn grid_sample() -> (QGraph, Vec<i64>) {
    let n = node("GridSample", &["x", "g"], "y", vec![string_attr("mode", "linear")]);
    let g = float_tensor("g", &[1, 1, 2, 2], vec![-0.5, 0.25, 0.75, -1.25]);
    lowered_at(20, vec![n], vec![g], &[1, 1, 2, 2], &[1, 1, 1, 2])
}

/// `AffineGrid` of a 2-D size: theta times the constant homogeneous coordinates (a MatMul by a
/// constant) and a re-wiring.
pub(super) fn affine_grid() -> (QGraph, Vec<i64>) {
    let n = node("AffineGrid", &["x", "s"], "y", vec![]);
    lowered_at(20, vec![n], vec![float_tensor("s", &[4], vec![1.0, 1.0, 1.0, 2.0])], &[1, 2, 3], &[1, 1, 2, 2])
}

/// `QLinearMatMul` at constant `b`, scales and zero points: a Sub, a MatMul by the constant
/// matrix, a product by the constant multiplier, Round, an Add and the saturation.
pub(super) fn qlinear_matmul() -> (QGraph, Vec<i64>) {
    let n = node("QLinearMatMul", &["x", "as", "az", "b", "bs", "bz", "ys", "yz"], "y", vec![]);
    let init = vec![
        float_tensor("as", &[], vec![0.5]),
        float_tensor("az", &[], vec![1.0]),
        float_tensor("b", &[2, 1], vec![3.0, -2.0]),
        float_tensor("bs", &[], vec![0.25]),
        float_tensor("bz", &[], vec![0.0]),
        float_tensor("ys", &[], vec![0.125]),
        int8_tensor("yz", &[], vec![2]),
    ];
    lowered_at(21, vec![n], init, &[1, 2], &[1, 1])
}

/// ONNX's `INT8` element type.
/// `GRU` or `LSTM` of hidden size 1 over two steps, at constant weights: the input projections
/// (MatMul by constants), the gates' Sigmoid and Tanh tables, the state products and Adds.
pub(super) fn recurrent(op: &str) -> (QGraph, Vec<i64>) {
    let gates = if op == "LSTM" { 4 } else { 3 };
    let w = float_tensor("w", &[1, gates, 1], (0..gates).map(|k| 0.5 - 0.25 * k as f32).collect());
    let r = float_tensor("r", &[1, gates, 1], (0..gates).map(|k| 0.75 - 0.5 * k as f32).collect());
    let n = node(op, &["x", "w", "r"], "y", vec![int_attr("hidden_size", 1)]);
    lowered_at(14, vec![n], vec![w, r], &[2, 1, 1], &[2, 1, 1, 1])
}

/// `CausalConvWithState` (silu, no past state) at constant weights: a Concat with zeros, one
/// Gather per tap, products by constant per-channel weights, Adds, the Sigmoid table and a
/// product.
pub(super) fn causal_conv() -> (QGraph, Vec<i64>) {
    let n = node("CausalConvWithState", &["x", "w"], "y", vec![string_attr("activation", "silu")]);
    let w = float_tensor("w", &[2, 1, 2], vec![0.5, -0.75, 1.0, 0.25]);
    lowered_at(27, vec![n], vec![w], &[1, 2, 2], &[1, 2, 2])
}

/// `LinearAttention` (gated delta rule, one head of width 2, two steps) with the input as query,
/// key and value, so every state update is computed: Exp of the constant decay, products of two
/// activations, MatMuls of two activations, Adds.
pub(super) fn linear_attention() -> (QGraph, Vec<i64>) {
    let attrs = vec![int_attr("q_num_heads", 1), int_attr("kv_num_heads", 1)];
    let n = node("LinearAttention", &["x", "x", "x", "", "d", "b"], "y", attrs);
    let d = float_tensor("d", &[1, 2, 1], vec![-0.5, -0.25]);
    let b = float_tensor("b", &[1, 2, 1], vec![0.5, 0.75]);
    lowered_at(27, vec![n], vec![d, b], &[1, 2, 2], &[1, 2, 2])
}

/// `Scan` of a running sum over two steps (state plus slice, the slice also a scan output),
/// unrolled: a constant-index Gather per step, the body's Add, Unsqueeze and Concat.
pub(super) fn scan_sum() -> (QGraph, Vec<i64>) {
    use zkinfer_onnx::proto::GraphProto;
    use zkinfer_onnx::testing::graph_attr;
    let body = GraphProto {
        node: vec![node("Add", &["s", "x_t"], "s_out", vec![]), node("Identity", &["s_out"], "y_t", vec![])],
        input: vec![float_info("s", &[2]), float_info("x_t", &[2])],
        output: vec![float_info("s_out", &[2]), float_info("y_t", &[2])],
        ..Default::default()
    };
    let attrs = vec![graph_attr("body", body), int_attr("num_scan_inputs", 1)];
    let mut n = node("Scan", &["s0", "x"], "s_final", attrs);
    n.output.push("y".into());
    let s0 = float_tensor("s0", &[2], vec![0.5, -0.25]);
    let bytes = model_bytes(11, vec![n], vec![s0], float_info("x", &[2, 2]), float_info("y", &[2, 2]));
    let g = zkinfer_onnx::parse(&bytes).expect("import");
    let samples: Vec<Vec<f32>> = (0..4).map(|s| values(60 + s, 4)).collect();
    let calib = calibrate(&g, zkinfer_graph::one_input_samples(samples.clone())).expect("calibrate");
    let config = QuantConfig { weight_bits: 5, max_weight_scale: 3, ..QuantConfig::default() };
    let q = quantize(&g, &calib, &config, &vis(Private, P::Fixed, Public)).expect("quantize");
    let x = q.quantize_input(&samples[1]).expect("in range");
    (q, x)
}
