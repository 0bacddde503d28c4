//! The soundness harness: for every chip, gadget and lowering, a small graph is laid out with
//! limbs of 2, 3 and 4 bits, side by side and stacked, and
//! [`zkinfer_circuits::witness_search::search`] enumerates every other assignment of its cells
//! (see that module: integers around the honest values, their negatives, fractions `v·2^-j`
//! and `v·3^-1`, and over the whole field wherever a constraint determines a cell). Each search
//! must find no accepted assignment but the honest one; with a free input element, none but the
//! honest witness of the input value it holds.
//!
//! A chip or lowering joins the harness with one line in `cases!` below. Run with
//! `--nocapture` for the coverage table (one line per case and parameter set).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Instant;

use common::*;
use zkinfer_circuits::witness_search::{r1cs, search, SearchOptions, SearchReport};
use zkinfer_circuits::{plan_circuit, PlanOptions};
use zkinfer_graph::ParamVisibility as P;
use zkinfer_graph::{calibrate, quantize, QGraph, QOp, QuantConfig, TableFn, Visibility::*};
use zkinfer_onnx::testing::{float_info, float_tensor, int_attr, ints_attr, model_bytes, node, string_attr, values};

/// Limb sizes every case is laid out with.
const LIMB_BITS: [u32; 3] = [2, 3, 4];
/// How a case is laid out and searched besides the defaults.
#[derive(Default, Clone, Copy)]
struct Knobs {
    /// Force this dot block (inputs, outputs).
    dot: Option<(usize, usize)>,
    /// Also search with each of the first `free` input elements free (one search each).
    free: usize,
    /// Lay out only with these limb bits and stacking (a chip the limb layout does not touch,
    /// whose search is slow).
    only: Option<(u32, bool)>,
}

/// Lays `q` out with every limb size and stacking, searches each layout on `input` (and with
/// input elements free, as `knobs` says), and fails on anything but the honest witness.
fn check(name: &str, q: QGraph, input: Vec<i64>, knobs: Knobs) {
    let force_dot = knobs.dot;
    let w = Arc::new(q.eval(input).expect("eval"));
    let q = Arc::new(q);
    let mut lines = Vec::new();
    for b in LIMB_BITS {
        for stacked in [false, true] {
            if knobs.only.is_some_and(|o| o != (b, stacked)) {
                continue;
            }
            let opts = PlanOptions {
                min_limb_bits: b,
                max_limb_bits: b,
                stacked_limbs: Some(stacked),
                // Both Poseidon layouts, without doubling the searches: single partial rounds
                // beside limbs side by side, paired ones beside stacked limbs.
                poseidon_pairs: Some(stacked),
                force_dot,
                ..PlanOptions::default()
            };
            let p = plan_circuit(&q, &opts).expect("plan");
            let frees = (0..knobs.free.min(q.tensors[q.inputs[0].tensor].len())).map(Some);
            for free_input in std::iter::once(None).chain(frees) {
                let t = Instant::now();
                let so = SearchOptions { free_input, ..SearchOptions::default() };
                let r = search(q.clone(), p.clone(), w.clone(), &so).expect("search");
                let what = format!("{name}: b={b} stacked={stacked} free_input={free_input:?} k={}", p.k);
                lines.push(verdict(&what, &r, t));
            }
        }
    }
    eprintln!("{}", lines.join("\n"));
}

/// Searches the Groth16 back end's rows for `q` on `input`, and with each of the first
/// `knobs.free` input elements free, and fails on anything but the honest witness (the layout
/// knobs are Halo2's: R1CS has no layout).
fn check_r1cs(name: &str, q: QGraph, input: Vec<i64>, knobs: Knobs) {
    let w = q.eval(input).expect("eval");
    let frees = (0..knobs.free.min(q.tensors[q.inputs[0].tensor].len())).map(Some);
    for free_input in std::iter::once(None).chain(frees) {
        let t = Instant::now();
        let so = SearchOptions { free_input, ..SearchOptions::default() };
        let r = r1cs::search(&q, &w, &so).expect("search");
        eprintln!("{}", verdict(&format!("{name} (r1cs): free_input={free_input:?}"), &r, t));
    }
}

/// Fails unless `r` is sound; else its coverage line.
fn verdict(what: &str, r: &SearchReport, started: Instant) -> String {
    assert!(r.is_sound(), "{what}: {}", describe(r));
    format!(
        "{what}: {} variables, {} constraints, {} nodes, {} candidates, {} solved, {:.0?}",
        r.variables,
        r.constraints,
        r.counts.nodes,
        r.counts.candidates_tried,
        r.counts.solved_tried,
        started.elapsed()
    )
}

fn describe(r: &SearchReport) -> String {
    let mut s = format!(
        "complete {}, {} other witnesses, unconstrained {:?}",
        r.counts.complete, r.findings_total, r.unconstrained
    );
    for f in &r.findings {
        s.push_str("\n  accepted:");
        for c in &f.cells {
            s.push_str(&format!(" {:?} {:?} -> {:?};", c.cell, c.expected, c.found));
        }
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Hand-built graphs (one primitive each).

/// The input's range check alone, its output public.
fn input_check() -> (QGraph, Vec<i64>) {
    let xs = vec![vec![9, -4, 13, 0], vec![-16, 15, 1, -1]];
    let (b, x) = Builder::new(4);
    (b.finish(x, vis(Private, P::Fixed, Public), &xs), xs[0].clone())
}

/// `dense(4 -> 3)` then a rescale by `shift` (with ReLU or not), public output.
fn rescale(shift: u32, relu: bool) -> (QGraph, Vec<i64>) {
    let xs = vec![vec![9, -4, 13, 2], vec![-7, 3, -12, 5]];
    let (mut b, x) = Builder::new(4);
    let h = b.dense(x, vec![5, -3, 7, 1, -6, 2, 4, -8, 3, 3, -1, 9], vec![10, -40, 3]);
    let y = b.requant(h, shift, relu);
    (b.finish(y, vis(Private, P::Fixed, Public), &xs), xs[0].clone())
}

/// Two dense layers with private weights (held at their honest values: the statement leaves
/// them to the prover), ReLU between.
fn private_weights() -> (QGraph, Vec<i64>) {
    let xs = vec![vec![3, -7, 12, 0, -1], vec![-5, 6, 4, -9, 2]];
    (mlp(5, 3, 2, vis(Private, P::Private, Public), &xs), xs[0].clone())
}

/// Hashed input and output: the Poseidon chip at both ends (the input's hash pinned, the
/// output's hash free). With the first input element free, the search finds no other value its
/// pinned hash admits (what it shows is that every cell is determined: that the hash pins the
/// input is Poseidon's collision resistance, which no enumeration can show).
fn hashed_io() -> (QGraph, Vec<i64>) {
    let xs = vec![vec![3, -7, 12, 0, -1], vec![-5, 6, 4, -9, 2]];
    (mlp(5, 3, 2, vis(Hashed, P::Fixed, Hashed), &xs), xs[0].clone())
}

/// Hashed parameters: every weight and bias a witness, bound by the model id (instance 0).
fn hashed_params() -> (QGraph, Vec<i64>) {
    let xs = vec![vec![3, -7, 12, 0, -1], vec![-5, 6, 4, -9, 2]];
    (mlp(5, 3, 2, vis(Public, P::Hashed, Public), &xs), xs[0].clone())
}

/// Hashed parameters with a salt: the salt is a witness cell of the Poseidon state row that only
/// the hash reads, so the search tries every candidate for it against the pinned model id (7 s
/// a layout: one layout, since the salt meets no limb).
fn salted_params() -> (QGraph, Vec<i64>) {
    let (mut q, x) = hashed_params();
    q.param_salt = Some([0x5a; 31]);
    (q, x)
}

/// Public input and output: the instance wiring at both ends.
fn public_io() -> (QGraph, Vec<i64>) {
    let xs = vec![vec![3, -7, 12, 0, -1], vec![-5, 6, 4, -9, 2]];
    (mlp(5, 3, 2, vis(Public, P::Fixed, Public), &xs), xs[0].clone())
}

/// Elementwise products of two activations.
fn product() -> (QGraph, Vec<i64>) {
    let xs = vec![vec![3, -4, 5, 7, -2], vec![-6, 2, 1, -3, 4]];
    let (mut b, x) = Builder::new(5);
    let m = b.mul_rev(x, x);
    let y = b.requant(m, 2, false);
    (b.finish(y, vis(Private, P::Fixed, Public), &xs), xs[0].clone())
}

/// `round(2^2 a / b)` with `b = relu(x) + 1 > 0`.
fn division() -> (QGraph, Vec<i64>) {
    let xs = vec![vec![9, -4, 13, 2], vec![-7, 3, 12, 5]];
    let (mut b, x) = Builder::new(4);
    let pos = b.requant(x, 0, true);
    let den = b.dense(pos, (0..16).map(|i| i64::from(i % 5 == 0)).collect(), vec![1; 4]);
    let q = b.div(x, den, 2);
    let y = b.requant(q, 0, false);
    (b.finish(y, vis(Private, P::Fixed, Public), &xs), xs[0].clone())
}

/// A lookup table activation (nearest entry, no interpolation).
fn lookup() -> (QGraph, Vec<i64>) {
    let xs = vec![vec![9, -4, 13, 2], vec![-7, 3, -12, 5]];
    let (mut b, x) = Builder::new(4);
    let y = b.table(x, TableFn::Tanh, 3, 4);
    (b.finish(y, vis(Private, P::Fixed, Public), &xs), xs[0].clone())
}

// ---------------------------------------------------------------------------------------------
// Lowerings of ONNX ops (several primitives combined), quantized with small scales.

/// One ONNX node over `x` of `dims`, quantized with small activation and table sizes.
fn lowered(op: &str, dims: &[i64], out: &[i64], attrs: Vec<zkinfer_onnx::proto::AttributeProto>) -> (QGraph, Vec<i64>) {
    lowered_with(vec![node(op, &["x"], "y", attrs)], vec![], dims, out)
}

fn lowered_with(
    nodes: Vec<zkinfer_onnx::proto::NodeProto>,
    init: Vec<zkinfer_onnx::proto::TensorProto>,
    dims: &[i64],
    out: &[i64],
) -> (QGraph, Vec<i64>) {
    lowered_at(18, nodes, init, dims, out)
}

/// [`lowered_with`] in a model of `opset`.
fn lowered_at(
    opset: i64,
    nodes: Vec<zkinfer_onnx::proto::NodeProto>,
    init: Vec<zkinfer_onnx::proto::TensorProto>,
    dims: &[i64],
    out: &[i64],
) -> (QGraph, Vec<i64>) {
    let bytes = model_bytes(opset, nodes, init, float_info("x", dims), float_info("y", out));
    let g = zkinfer_onnx::parse(&bytes).expect("import");
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
fn compare_where() -> (QGraph, Vec<i64>) {
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
fn logical() -> (QGraph, Vec<i64>) {
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
fn activation(op: &str) -> (QGraph, Vec<i64>) {
    lowered(op, &[1, 3], &[1, 3], vec![])
}

fn max_pool() -> (QGraph, Vec<i64>) {
    lowered(
        "MaxPool",
        &[1, 1, 2, 3],
        &[1, 1, 1, 2],
        vec![ints_attr("kernel_shape", &[2, 2]), ints_attr("strides", &[1, 1])],
    )
}

fn arg_max() -> (QGraph, Vec<i64>) {
    lowered("ArgMax", &[1, 4], &[1, 1], vec![int_attr("axis", 1)])
}

fn softmax() -> (QGraph, Vec<i64>) {
    lowered("Softmax", &[1, 3], &[1, 3], vec![int_attr("axis", -1)])
}

/// `Trilu` of an activation: kept elements copied, the others a Linear position with no term.
fn trilu() -> (QGraph, Vec<i64>) {
    lowered("Trilu", &[2, 3], &[2, 3], vec![int_attr("upper", 0)])
}

/// `tanh(15·x)`: the calibrated range is four times wider than where tanh's rounded output
/// saturates, so the table input is clamped on both sides (`a + relu(x - a)`,
/// `b - relu(b - x)`) before the lookup.
fn saturated_tanh() -> (QGraph, Vec<i64>) {
    let nodes = vec![node("Mul", &["x", "c"], "h", vec![]), node("Tanh", &["h"], "y", vec![])];
    let (q, x) = lowered_with(nodes, vec![float_tensor("c", &[1], vec![15.0])], &[1, 3], &[1, 3]);
    let clamps = q.nodes.iter().filter(|n| matches!(&n.op, QOp::Requant(r) if r.relu && r.shift == 0)).count();
    assert_eq!(clamps, 2, "tanh's input is clamped on both sides");
    (q, x)
}

/// A softmax behind a constant `-inf` mask: the masked element is left out of the max and the
/// sum, and its output is a Linear position with no term (0).
fn masked_softmax() -> (QGraph, Vec<i64>) {
    let nodes =
        vec![node("Add", &["x", "mask"], "m", vec![]), node("Softmax", &["m"], "y", vec![int_attr("axis", -1)])];
    let init = vec![float_tensor("mask", &[1, 3], vec![0.0, f32::NEG_INFINITY, 0.0])];
    lowered_with(nodes, init, &[1, 3], &[1, 3])
}

/// A one-op graph on one integer input of two elements (`dtype`), the op reading constants
/// `consts` after the input, lowered on `samples` and searched on the second; every input in
/// `bad` must have no integer witness.
fn integer_input_graph(
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
fn embedding() -> (QGraph, Vec<i64>) {
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
fn boolean_input() -> (QGraph, Vec<i64>) {
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
fn computed_mask_softmax() -> (QGraph, Vec<i64>) {
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

fn layer_norm() -> (QGraph, Vec<i64>) {
    let n = node("LayerNormalization", &["x", "gamma", "beta"], "y", vec![int_attr("axis", -1)]);
    let init =
        vec![float_tensor("gamma", &[3], vec![1.0, 0.5, -2.0]), float_tensor("beta", &[3], vec![0.0, 0.25, -0.5])];
    lowered_with(vec![n], init, &[1, 3], &[1, 3])
}

/// RMSNormalization (opset 23): the same pieces without the centering sum.
fn rms_norm() -> (QGraph, Vec<i64>) {
    let n = node("RMSNormalization", &["x", "gamma"], "y", vec![int_attr("axis", -1)]);
    lowered_at(23, vec![n], vec![float_tensor("gamma", &[3], vec![1.0, 0.5, -2.0])], &[1, 3], &[1, 3])
}

/// InstanceNormalization: LayerNormalization's pieces over the spatial axis, per channel.
fn instance_norm() -> (QGraph, Vec<i64>) {
    let n = node("InstanceNormalization", &["x", "gamma", "beta"], "y", vec![]);
    let init = vec![float_tensor("gamma", &[2], vec![1.0, -0.5]), float_tensor("beta", &[2], vec![0.25, 0.0])];
    lowered_with(vec![n], init, &[1, 2, 2], &[1, 2, 2])
}

/// MatMul by a constant with a batch dim: one linear op whose positions read their batch's block
/// of terms, the other blocks empty.
fn batched_matmul() -> (QGraph, Vec<i64>) {
    let n = node("MatMul", &["x", "w"], "y", vec![]);
    let w = float_tensor("w", &[2, 2, 2], vec![1.0, -0.5, 0.25, 2.0, -1.0, 0.5, 1.5, -0.25]);
    lowered_with(vec![n], vec![w], &[2, 1, 2], &[2, 1, 2])
}

/// The Attention op (opset 23) as its function body: self-attention of `x [1, 1, 2, 2]` (one
/// head), causal: products of activations, the masked Softmax pieces, copies.
fn attention_op() -> (QGraph, Vec<i64>) {
    let n = node("Attention", &["x", "x", "x"], "y", vec![int_attr("is_causal", 1)]);
    lowered_at(23, vec![n], vec![], &[1, 1, 2, 2], &[1, 1, 2, 2])
}

/// `Einsum("ij,kj->ik")` of `x [2, 2]` with itself: a Transpose and a MatMul of activations.
fn einsum() -> (QGraph, Vec<i64>) {
    let eq = string_attr("equation", "ij,kj->ik");
    lowered_at(12, vec![node("Einsum", &["x", "x"], "y", vec![eq])], vec![], &[2, 2], &[2, 2])
}

/// SoftmaxCrossEntropyLoss at constant labels: a LogSoftmax, a GatherElements (copies), a product
/// by constant weights and a sum.
fn cross_entropy() -> (QGraph, Vec<i64>) {
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
fn conv_transpose() -> (QGraph, Vec<i64>) {
    let n = node("ConvTranspose", &["x", "w"], "y", vec![ints_attr("strides", &[2, 2])]);
    let w = float_tensor("w", &[1, 1, 2, 2], vec![1.0, -0.5, 0.25, 2.0]);
    lowered_with(vec![n], vec![w], &[1, 1, 1, 2], &[1, 1, 2, 4])
}

/// CumSum, exclusive and reversed: one Linear op of structural ones.
fn cumsum() -> (QGraph, Vec<i64>) {
    let attrs = vec![int_attr("exclusive", 1), int_attr("reverse", 1)];
    let axis = float_tensor("a", &[], vec![1.0]);
    lowered_with(vec![node("CumSum", &["x", "a"], "y", attrs)], vec![axis], &[1, 3], &[1, 3])
}

/// Resize, linear, built at import: the one row doubles by a Gather (both taps clamp to it) and
/// the two columns become four by a MatMul by the interpolation weights.
fn resize() -> (QGraph, Vec<i64>) {
    let scales = float_tensor("s", &[4], vec![1.0, 1.0, 2.0, 2.0]);
    let n = node("Resize", &["x", "", "s"], "y", vec![string_attr("mode", "linear")]);
    lowered_with(vec![n], vec![scales], &[1, 1, 1, 2], &[1, 1, 2, 4])
}

/// Integer division by constants (the `floor_div` module): `Mod` (floor quotient) or integer
/// `Div` (truncated quotient, with the comparison bit that moves negative dividends) of an
/// int64 input by `[3, -4]`: the quotient is the Div chip's, pinned by its remainder checks.
fn integer_division(op: Box<dyn zkinfer_graph::Op>) -> (QGraph, Vec<i64>) {
    use zkinfer_graph::{DType, Tensor};
    let d = Tensor::from_shape_vec(vec![2], vec![3.0, -4.0]).expect("shape");
    let samples = vec![vec![7.0, -5.0], vec![-7.0, 9.0], vec![5.0, 5.0]];
    integer_input_graph(DType::I64, op, vec![d], true, samples, &[])
}

/// A `Cast` of a computed float to INT4, `Cast(6·x)`: the truncated quotient by `2^s`, then
/// the two's-complement wrap (a floor quotient by 16 and its remainder).
fn cast_to_int4() -> (QGraph, Vec<i64>) {
    let nodes = vec![node("Mul", &["x", "six"], "m", vec![]), node("Cast", &["m"], "y", vec![int_attr("to", 22)])];
    lowered_with(nodes, vec![float_tensor("six", &[1], vec![6.0])], &[1, 2], &[1, 2])
}

macro_rules! cases {
    ($check:ident: $($name:ident => $build:expr $(, $knob:ident = $value:expr)*;)*) => {
        $(
            #[test]
            fn $name() {
                let (q, x) = $build;
                #[allow(unused_mut)]
                let mut knobs = Knobs::default();
                $(knobs.$knob = $value;)*
                $check(stringify!($name), q, x, knobs);
            }
        )*
    };
}

// One line per chip, gadget or lowering.
cases! {
    check:
    input_range_check => input_check(), free = 4;
    rescale_by_0 => rescale(0, false);
    rescale_by_1_relu => rescale(1, true);
    rescale_by_3 => rescale(3, false);
    rescale_by_5_relu => rescale(5, true);
    rescale_by_8 => rescale(8, false);
    dot_block_2x2 => rescale(2, true), dot = Some((2, 2));
    dot_private_weights => private_weights();
    instance_wiring => public_io(), free = 2;
    poseidon_hashed_io => hashed_io(), free = 1;
    poseidon_hashed_params => hashed_params();
    poseidon_salted_params => salted_params(), only = Some((3, false));
    product_chip => product();
    div => division();
    lookup_table => lookup();
    lookup_interpolated => activation("Tanh");
    softsign => activation("Softsign");
    selu => activation("Selu");
    mish => activation("Mish");
    trig_sin => activation("Sin");
    trig_asin_on_its_domain => activation("Asin");
    max_tree => max_pool();
    argmax => arg_max();
    softmax_pieces => softmax();
    masked_softmax_pieces => masked_softmax();
    computed_mask_softmax_pieces => computed_mask_softmax(), free = 1, only = Some((3, false));
    saturated_tanh_clamp => saturated_tanh();
    trilu_zeroes => trilu();
    embedding_lookup => embedding(), free = 2;
    boolean_input_check => boolean_input(), free = 2;
    layer_norm_pieces => layer_norm();
    rms_norm_pieces => rms_norm();
    instance_norm_pieces => instance_norm();
    matmul_batched_constant => batched_matmul();
    attention_op_body => attention_op();
    einsum_pieces => einsum();
    cross_entropy_pieces => cross_entropy();
    conv_transpose_taps => conv_transpose();
    cumsum_prefixes => cumsum();
    resize_weights => resize();
    floor_mod_by_constants => integer_division(Box::new(zkinfer_graph::ops::Mod { fmod: false }));
    trunc_div_by_constants => integer_division(Box::new(zkinfer_graph::ops::IntDiv));
    cast_to_int4_wraps => cast_to_int4();
    sign_bits => lowered_at(13, vec![node("Sign", &["x"], "y", vec![])], vec![], &[1, 3], &[1, 3]), free = 1;
    compare_and_where => compare_where(), free = 1;
    logical_connectives => logical(), free = 1;
}

// The Groth16 back end's gadgets, on the same graphs: one line per gadget or lowering it proves.
cases! {
    check_r1cs:
    r1cs_input_range_check => input_check(), free = 4;
    r1cs_rescale_by_0 => rescale(0, false);
    r1cs_rescale_by_1_relu => rescale(1, true);
    r1cs_rescale_by_3 => rescale(3, false);
    r1cs_rescale_by_5_relu => rescale(5, true);
    r1cs_rescale_by_8 => rescale(8, false);
    r1cs_instance_wiring => public_io(), free = 2;
    r1cs_poseidon_hashed_io => hashed_io(), free = 1;
    r1cs_private_weights => private_weights();
    r1cs_poseidon_hashed_params => hashed_params();
    r1cs_poseidon_salted_params => salted_params();
    r1cs_product => product();
    r1cs_div => division();
    r1cs_lookup_table => lookup(), free = 2;
    r1cs_lookup_interpolated => activation("Tanh");
    r1cs_softsign => activation("Softsign");
    r1cs_trig_asin_on_its_domain => activation("Asin");
    r1cs_max_tree => max_pool();
    r1cs_argmax => arg_max();
    r1cs_softmax_pieces => softmax();
    r1cs_masked_softmax_pieces => masked_softmax();
    r1cs_computed_mask_softmax_pieces => computed_mask_softmax(), free = 1;
    r1cs_saturated_tanh_clamp => saturated_tanh();
    r1cs_trilu_zeroes => trilu();
    r1cs_embedding_lookup => embedding(), free = 2;
    r1cs_boolean_input_check => boolean_input(), free = 2;
    r1cs_layer_norm_pieces => layer_norm();
    r1cs_rms_norm_pieces => rms_norm();
    r1cs_instance_norm_pieces => instance_norm();
    r1cs_matmul_batched_constant => batched_matmul();
    r1cs_attention_op_body => attention_op();
    r1cs_einsum_pieces => einsum();
    r1cs_cross_entropy_pieces => cross_entropy();
    r1cs_conv_transpose_taps => conv_transpose();
    r1cs_cumsum_prefixes => cumsum();
    r1cs_resize_weights => resize();
    r1cs_floor_mod_by_constants => integer_division(Box::new(zkinfer_graph::ops::Mod { fmod: false }));
    r1cs_trunc_div_by_constants => integer_division(Box::new(zkinfer_graph::ops::IntDiv));
    r1cs_cast_to_int4_wraps => cast_to_int4();
    r1cs_sign_bits => lowered_at(13, vec![node("Sign", &["x"], "y", vec![])], vec![], &[1, 3], &[1, 3]), free = 1;
    r1cs_compare_and_where => compare_where(), free = 1;
    r1cs_logical_connectives => logical(), free = 1;
}
