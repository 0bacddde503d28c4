//! The op registry: the only place that maps ONNX op-type strings (and opset ranges) to ops.
//!
//! Adding an op means writing its `zkinfer_graph::ops` file plus one line in [`REGISTRY`] and,
//! when it has attributes, a small builder below that parses them into the op's typed struct.

use zkinfer_graph::ops::{
    Abs, Add, Erf, Exp, Extremum, Flatten, Gemm, GlobalAveragePool, GlobalMaxPool, HardSwish, Identity, Log, MatMul,
    Max, Mean, Mish, Mul, Neg, PRelu, Reciprocal, Relu, Reshape, Round, RoundTo, Sigmoid, Softplus, Softsign, Sqrt,
    Sub, Sum, Tanh, Where,
};
use zkinfer_graph::ops::{Comparison, Connective, GatherElements, Logical, Trig, TrigFn};
use zkinfer_graph::{Op, Tensor};

use crate::activations::{
    clip_v11, clip_v6, elu, gelu, hard_sigmoid, instance_norm, layer_norm, leaky_relu, log_softmax_v1, log_softmax_v13,
    rms_norm, selu, shrink, softmax_v1, softmax_v13,
};
use crate::attention::attention;
use crate::attrs::Attrs;
use crate::bitwise::{bitwise, bitwise_not, Bitwise};
use crate::builders::{
    arg_max, arg_min, average_pool, batch_norm, cast, cast_like, compare, concat, constant_of_shape, expand, gather,
    max_pool, max_v6, min_v6, pad_v11, pad_v2, pow, range as range_op, reduce_max_v1, reduce_max_v18, reduce_mean_v1,
    reduce_mean_v18, reduce_min_v1, reduce_min_v18, reduce_sum_v1, reduce_sum_v13, shape, size, slice_v1, slice_v10,
    split_v13, split_v2, squeeze_v1, squeeze_v13, tile, transpose, trilu, unsqueeze_v1, unsqueeze_v13,
};
use crate::composed::{
    celu, det, group_norm, lrn, matmul_integer, mean_variance_norm, one_hot, swish, thresholded_relu,
};
use crate::convs::{causal_conv_with_state, conv, conv_transpose};
use crate::einsum::einsum;
use crate::grid_sample::{affine_grid, grid_sample};
use crate::legacy::{batch_norm_v1, binary_v1, same_v1, uniform_v1};
use crate::losses::{nll_loss, softmax_cross_entropy};
use crate::misc::{bit_shift, cumprod, cumsum, div, dropout, hardmax, modulo, sign};
use crate::qconv::{conv_integer, qlinear_conv};
use crate::quantize::{dequantize_linear, dynamic_quantize_linear, qlinear_matmul, quantize_linear};
use crate::recurrent::{recurrent, Cell};
use crate::reductions::{lp_normalization, lp_pool, reduce_composite, reduce_prod, Composite};
use crate::rewire::{
    center_crop_pad, compress, depth_to_space, eye_like, gather_nd, max_unpool, reverse_sequence, space_to_depth,
    tensor_scatter, upsample,
};
use crate::rotary::rotary_embedding;
use crate::scatter::{scatter, Scatter};
use crate::signal::{col2im, dft};
use crate::tensor::to_tensor;
use crate::top_k::top_k;
use crate::ImportError;

/// Newest default-domain opset this importer knows (of onnx [`crate::ONNX_RELEASE`]).
pub const MAX_OPSET: i64 = crate::versions::NEWEST_OPSET;

/// What a builder produces: an op to add to the graph, or (for `Constant`) a value, or (for a
/// node with several outputs: `Split`, `LayerNormalization`) one op per output, each applied to
/// the node's first `n` inputs, or (for an op ONNX defines as a function of others:
/// `Attention`, `Einsum`, `ReduceL2`, the losses, ...) a graph of ops, with the step that gives
/// each of the node's outputs.
pub(crate) enum Built {
    Op(Box<dyn Op>),
    Const(Tensor),
    Outputs(Vec<(Box<dyn Op>, usize)>),
    Nodes(Vec<(Box<dyn Op>, Vec<Src>)>, Vec<usize>),
    /// A `Scan`, unrolled by the importer (which alone can import its body's nodes).
    Scan(Box<crate::scan::ScanSpec>),
    /// A `Loop` at a constant trip count, unrolled by the importer.
    Loop(Box<crate::loops::LoopSpec>),
    /// A `FlexAttention`, whose score and probability modifiers the importer adds in place.
    Flex(Box<crate::flex::FlexSpec>),
    /// A graph whose nodes the importer adds in place of the node, its outputs the node's (the
    /// chosen branch of an `If`).
    Inline(Box<crate::proto::GraphProto>),
}

/// Where an input of a [`Built::Nodes`] step comes from.
#[derive(Clone)]
pub(crate) enum Src {
    /// The node's input `i`.
    Input(usize),
    /// An earlier step's output.
    Step(usize),
    /// A constant.
    Const(Tensor),
}

/// A scalar constant operand.
pub(crate) fn scalar(v: f32) -> Src {
    Src::Const(Tensor::from_elem(vec![], v))
}

/// The steps of a [`Built::Nodes`] under construction.
#[derive(Default)]
pub(crate) struct Steps(pub Vec<(Box<dyn Op>, Vec<Src>)>);

impl Steps {
    /// Adds a step; returns where its output comes from.
    pub fn push(&mut self, op: impl Op + 'static, inputs: Vec<Src>) -> Src {
        self.0.push((Box::new(op), inputs));
        Src::Step(self.0.len() - 1)
    }

    /// Appends what another builder built, its node inputs read from `inputs`; returns where its
    /// outputs come from. Only an op or a graph of ops can be appended.
    pub fn inline(&mut self, cx: &NodeCx, built: Built, inputs: &[Src]) -> Result<Vec<Src>, ImportError> {
        let input = |i: usize| {
            inputs.get(i).cloned().ok_or_else(|| cx.attrs.node_error(format!("a built step reads a missing input {i}")))
        };
        match built {
            Built::Op(op) => {
                self.0.push((op, inputs.to_vec()));
                Ok(vec![Src::Step(self.0.len() - 1)])
            }
            Built::Nodes(steps, outputs) => {
                let base = self.0.len();
                for (op, srcs) in steps {
                    let srcs = srcs
                        .into_iter()
                        .map(|s| match s {
                            Src::Input(i) => input(i),
                            Src::Step(k) => Ok(Src::Step(base + k)),
                            c @ Src::Const(_) => Ok(c),
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    self.0.push((op, srcs));
                }
                Ok(outputs.into_iter().map(|k| Src::Step(base + k)).collect())
            }
            _ => Err(cx.attrs.node_error("a built step is neither an op nor a graph of ops")),
        }
    }

    /// The graph of these steps whose node outputs are `outputs`, each a step (else `not_a_step`).
    pub fn built(self, outputs: &[&Src], not_a_step: impl Fn() -> ImportError) -> Result<Built, ImportError> {
        let steps = outputs
            .iter()
            .map(|o| match o {
                Src::Step(k) => Ok(*k),
                _ => Err(not_a_step()),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Built::Nodes(self.0, steps))
    }
}

/// Everything a builder may look at: typed attributes and the values of constant inputs.
pub(crate) struct NodeCx<'a> {
    pub attrs: Attrs<'a>,
    /// Per input (ONNX order): its value when it is a constant.
    pub consts: Vec<Option<&'a Tensor>>,
    /// Per input (ONNX order): its static shape (for `Shape` and `auto_pad`).
    pub shapes: Vec<Vec<usize>>,
    /// Per input (ONNX order): its element type, when known (`crate::dtypes`; for `CastLike`).
    pub dtypes: Vec<Option<crate::proto::tensor_proto::DataType>>,
    /// How many outputs the node declares (for `Split`).
    pub outputs: usize,
}

pub(crate) type Builder = fn(&NodeCx) -> Result<Built, ImportError>;

/// One registry row: op type, the op versions (since-versions, [`crate::versions`]) whose
/// semantics it implements, and its builder.
pub(crate) struct Entry {
    pub op_type: &'static str,
    pub since: i64,
    pub until: i64,
    pub build: Builder,
}

const fn entry(op_type: &'static str, since: i64, build: Builder) -> Entry {
    Entry { op_type, since, until: MAX_OPSET, build }
}

/// An entry for the op versions `since..=until` (an op whose inputs or attributes changed later).
const fn range(op_type: &'static str, since: i64, until: i64, build: Builder) -> Entry {
    Entry { op_type, since, until, build }
}

/// The registry. `since` is the first op version with the semantics implemented here (e.g.
/// numpy broadcasting for Add/Sub/Mul from version 7; Reshape's shape as an input from version
/// 5); `entry` runs to the newest version known, `range` ends where a later version changed
/// something the builder relies on. A node resolves to the version in force at the model's
/// opset ([`version_in_force`]), so a newer opset that only widened an op's types (opsets
/// 23-25 for Reshape, Shape, Transpose, ...: `scripts/op-versions.py` checks) is accepted.
pub(crate) static REGISTRY: &[Entry] = &[
    range("Add", 1, 6, |cx| binary_v1(cx, |_| op(Add))),
    entry("Add", 7, |_| op(Add)),
    range("Sub", 1, 6, |cx| binary_v1(cx, |_| op(Sub))),
    entry("Sub", 7, |_| op(Sub)),
    range("Mul", 1, 6, |cx| binary_v1(cx, |_| op(Mul))),
    entry("Mul", 7, |_| op(Mul)),
    entry("Relu", 6, |_| op(Relu)),
    entry("Identity", 1, |_| op(Identity)),
    // Inference: the identity (training mode only with a ratio of 0).
    entry("Dropout", 7, dropout),
    entry("MatMul", 1, |_| op(MatMul)),
    range("Gemm", 1, 6, |cx| same_v1(cx, gemm)),
    entry("Gemm", 7, gemm),
    entry("Conv", 1, conv),
    entry("ConvInteger", 10, conv_integer),
    entry("ConvTranspose", 1, conv_transpose),
    entry("Flatten", 1, flatten),
    entry("Reshape", 5, reshape),
    entry("Constant", 1, constant),
    entry("Neg", 6, |_| op(Neg)),
    entry("Floor", 6, |_| op(Round { to: RoundTo::Floor })),
    entry("Ceil", 6, |_| op(Round { to: RoundTo::Ceil })),
    entry("Round", 11, |_| op(Round { to: RoundTo::HalfEven })),
    range("Div", 1, 6, |cx| binary_v1(cx, div)),
    entry("Div", 7, div),
    // The remainder (by constants on computed values).
    entry("Mod", 10, modulo),
    entry("BitShift", 11, bit_shift),
    entry("Transpose", 1, transpose),
    entry("Concat", 4, concat),
    range("Pad", 2, 10, pad_v2),
    entry("Pad", 11, pad_v11),
    range("Slice", 1, 9, slice_v1),
    entry("Slice", 10, slice_v10),
    range("Squeeze", 1, 12, squeeze_v1),
    entry("Squeeze", 13, squeeze_v13),
    range("Unsqueeze", 1, 12, unsqueeze_v1),
    entry("Unsqueeze", 13, unsqueeze_v13),
    entry("Shape", 1, shape),
    entry("Size", 1, size),
    entry("ConstantOfShape", 9, constant_of_shape),
    entry("Range", 11, range_op),
    // Comparisons to masks: folded on constants, proven exactly on computed values (a bit).
    entry("Equal", 7, |_| compare(Comparison::Equal)),
    entry("Less", 7, |_| compare(Comparison::Less)),
    entry("LessOrEqual", 12, |_| compare(Comparison::LessOrEqual)),
    entry("Greater", 7, |_| compare(Comparison::Greater)),
    entry("GreaterOrEqual", 12, |_| compare(Comparison::GreaterOrEqual)),
    entry("Not", 1, |_| compare(Comparison::Not)),
    // [x > 0] - [x < 0]: two comparison bits.
    entry("Sign", 9, sign),
    // Connectives of booleans: folded on constants, integer identities of bits otherwise.
    entry("And", 7, |_| op(Logical { kind: Connective::And })),
    entry("Or", 7, |_| op(Logical { kind: Connective::Or })),
    entry("Xor", 7, |_| op(Logical { kind: Connective::Xor })),
    // condition ? x : y: a comparison's bit times the difference, plus y (no rounding).
    entry("Where", 9, |_| op(Where)),
    // To float: the identity; to an integer or boolean type: constants only (folded at import).
    entry("Cast", 6, cast),
    // Cast to the element type of the second input.
    entry("CastLike", 15, cast_like),
    // Re-wirings of the input by a constant shape or repeat count (no rows).
    entry("Expand", 8, expand),
    entry("Tile", 6, tile),
    range("Split", 2, 12, split_v2),
    entry("Split", 13, split_v13),
    entry("Trilu", 14, trilu),
    // Sums of several inputs (variadic, broadcasting from version 8).
    range("Sum", 1, 7, |cx| uniform_v1(cx, |_| op(Sum))),
    entry("Sum", 8, |_| op(Sum)),
    // Running sums along a constant axis: one linear op of ones.
    entry("CumSum", 11, cumsum),
    entry("CumProd", 26, cumprod),
    range("Mean", 1, 7, |cx| uniform_v1(cx, |_| op(Mean))),
    entry("Mean", 8, |_| op(Mean)),
    entry("Gather", 1, gather),
    // Resizing by constant scales or sizes: per axis a Gather (nearest) or a MatMul by the
    // interpolation weights (`resize.rs`).
    entry("Resize", 11, crate::resize::resize),
    entry("GatherElements", 11, |cx| op(GatherElements { axis: cx.attrs.int("axis")?.unwrap_or(0) })),
    range("BatchNormalization", 1, 8, |cx| batch_norm_v1(cx, batch_norm)),
    entry("BatchNormalization", 9, batch_norm),
    // Version 1 is version 7 without count_include_pad (whose default, 0, it had).
    entry("AveragePool", 1, average_pool),
    entry("LpPool", 11, lp_pool),
    entry("GlobalAveragePool", 1, |_| op(GlobalAveragePool)),
    range("ReduceSum", 1, 12, reduce_sum_v1),
    entry("ReduceSum", 13, reduce_sum_v13),
    // Reductions defined as functions of others: a chain of the ops their bodies use.
    range("ReduceSumSquare", 1, 17, |cx| reduce_composite(cx, Composite::SumSquare, false)),
    entry("ReduceSumSquare", 18, |cx| reduce_composite(cx, Composite::SumSquare, true)),
    range("ReduceL1", 1, 17, |cx| reduce_composite(cx, Composite::L1, false)),
    entry("ReduceL1", 18, |cx| reduce_composite(cx, Composite::L1, true)),
    range("ReduceL2", 1, 17, |cx| reduce_composite(cx, Composite::L2, false)),
    entry("ReduceL2", 18, |cx| reduce_composite(cx, Composite::L2, true)),
    range("ReduceLogSum", 1, 17, |cx| reduce_composite(cx, Composite::LogSum, false)),
    entry("ReduceLogSum", 18, |cx| reduce_composite(cx, Composite::LogSum, true)),
    range("ReduceProd", 1, 17, |cx| reduce_prod(cx, false)),
    entry("ReduceProd", 18, |cx| reduce_prod(cx, true)),
    range("ReduceLogSumExp", 1, 17, |cx| reduce_composite(cx, Composite::LogSumExp, false)),
    entry("ReduceLogSumExp", 18, |cx| reduce_composite(cx, Composite::LogSumExp, true)),
    entry("LpNormalization", 1, lp_normalization),
    range("ReduceMean", 1, 17, reduce_mean_v1),
    entry("ReduceMean", 18, reduce_mean_v18),
    // Comparisons, lowered to ReLUs of differences (no comparison chip).
    range("Max", 6, 7, max_v6),
    range("Max", 1, 5, |cx| uniform_v1(cx, max_v6)),
    entry("Max", 8, |_| op(Max { kind: Extremum::Max })),
    range("Min", 6, 7, min_v6),
    range("Min", 1, 5, |cx| uniform_v1(cx, min_v6)),
    entry("Min", 8, |_| op(Max { kind: Extremum::Min })),
    range("ReduceMax", 1, 17, reduce_max_v1),
    entry("ReduceMax", 18, reduce_max_v18),
    range("ReduceMin", 1, 17, reduce_min_v1),
    entry("ReduceMin", 18, reduce_min_v18),
    entry("MaxPool", 1, max_pool),
    entry("GlobalMaxPool", 1, |_| op(GlobalMaxPool)),
    entry("ArgMax", 1, arg_max),
    range("Hardmax", 1, 12, |cx| hardmax(cx, true)),
    entry("Hardmax", 13, |cx| hardmax(cx, false)),
    entry("ArgMin", 1, arg_min),
    range("PRelu", 6, 6, |_| op(PRelu { channel_slope: true })),
    entry("PRelu", 7, |_| op(PRelu::default())),
    // Nonlinear activations, proven by lookup tables.
    entry("Sigmoid", 6, |_| op(Sigmoid)),
    entry("Tanh", 6, |_| op(Tanh)),
    entry("Exp", 6, |_| op(Exp)),
    entry("Erf", 9, |_| op(Erf)),
    entry("Softplus", 1, |_| op(Softplus)),
    entry("Softsign", 1, |_| op(Softsign)),
    entry("Mish", 18, |_| op(Mish)),
    entry("Elu", 6, elu),
    entry("Selu", 6, selu),
    entry("HardSigmoid", 6, hard_sigmoid),
    entry("HardSwish", 14, |_| op(HardSwish)),
    entry("LeakyRelu", 6, leaky_relu),
    range("Clip", 6, 10, clip_v6),
    entry("Clip", 11, clip_v11),
    entry("Abs", 6, |_| op(Abs)),
    entry("Sqrt", 6, |_| op(Sqrt)),
    // By a constant exponent: x^2 is an exact product, other exponents a table.
    range("Pow", 1, 6, |cx| binary_v1(cx, pow)),
    entry("Pow", 7, pow),
    entry("Reciprocal", 6, |_| op(Reciprocal)),
    entry("Log", 6, |_| op(Log)),
    entry("Sin", 7, |_| op(Trig { func: TrigFn::Sin })),
    entry("Cos", 7, |_| op(Trig { func: TrigFn::Cos })),
    entry("Tan", 7, |_| op(Trig { func: TrigFn::Tan })),
    entry("Asin", 7, |_| op(Trig { func: TrigFn::Asin })),
    entry("Acos", 7, |_| op(Trig { func: TrigFn::Acos })),
    entry("Atan", 7, |_| op(Trig { func: TrigFn::Atan })),
    entry("Sinh", 9, |_| op(Trig { func: TrigFn::Sinh })),
    entry("Cosh", 9, |_| op(Trig { func: TrigFn::Cosh })),
    entry("Asinh", 9, |_| op(Trig { func: TrigFn::Asinh })),
    entry("Acosh", 9, |_| op(Trig { func: TrigFn::Acosh })),
    entry("Atanh", 9, |_| op(Trig { func: TrigFn::Atanh })),
    entry("Gelu", 20, gelu),
    range("Softmax", 1, 12, softmax_v1),
    entry("Softmax", 13, softmax_v13),
    range("LogSoftmax", 1, 12, log_softmax_v1),
    entry("LogSoftmax", 13, log_softmax_v13),
    entry("LayerNormalization", 17, layer_norm),
    // Built as its function body: MatMuls, a Softmax, the mask folded into it. Version 25
    // aligns the causal mask to a KV cache's end and adds sliding windows.
    range("Attention", 23, 24, attention),
    entry("RotaryEmbedding", 23, rotary_embedding),
    entry("Shrink", 9, shrink),
    range("Scatter", 9, 10, |cx| scatter(cx, Scatter::Elements)),
    entry("ScatterElements", 11, |cx| scatter(cx, Scatter::Elements)),
    entry("ScatterND", 11, |cx| scatter(cx, Scatter::Nd)),
    entry("QuantizeLinear", 10, quantize_linear),
    entry("DequantizeLinear", 10, dequantize_linear),
    entry("QLinearMatMul", 10, qlinear_matmul),
    entry("DynamicQuantizeLinear", 11, dynamic_quantize_linear),
    entry("QLinearConv", 10, qlinear_conv),
    // At constant labels: the picked scores times constants, summed.
    entry("NegativeLogLikelihoodLoss", 12, nll_loss),
    entry("SoftmaxCrossEntropyLoss", 12, softmax_cross_entropy),
    // One or two operands: ReduceSum, re-wirings and one MatMul.
    entry("Einsum", 12, einsum),
    entry("RMSNormalization", 23, rms_norm),
    entry("InstanceNormalization", 6, instance_norm),
    range("GroupNormalization", 18, 20, |cx| group_norm(cx, false)),
    entry("GroupNormalization", 21, |cx| group_norm(cx, true)),
    entry("LRN", 1, lrn),
    entry("ThresholdedRelu", 10, thresholded_relu),
    entry("Swish", 24, swish),
    entry("Celu", 12, celu),
    entry("MatMulInteger", 10, matmul_integer),
    entry("OneHot", 9, one_hot),
    entry("BitwiseNot", 18, bitwise_not),
    entry("BitwiseAnd", 18, |cx| bitwise(cx, Bitwise::And)),
    entry("BitwiseOr", 18, |cx| bitwise(cx, Bitwise::Or)),
    entry("BitwiseXor", 18, |cx| bitwise(cx, Bitwise::Xor)),
    range("TopK", 1, 9, |cx| top_k(cx, true)),
    entry("TopK", 10, |cx| top_k(cx, false)),
    // Linear maps with constant coefficients.
    range("DFT", 17, 19, |cx| dft(cx, false)),
    entry("DFT", 20, |cx| dft(cx, true)),
    entry("Col2Im", 18, col2im),
    entry("GridSample", 16, grid_sample),
    entry("AffineGrid", 20, affine_grid),
    entry("CausalConvWithState", 27, causal_conv_with_state),
    // Unrolled over the static sequence.
    entry("RNN", 7, |cx| recurrent(cx, Cell::Rnn)),
    entry("GRU", 7, |cx| recurrent(cx, Cell::Gru)),
    entry("LSTM", 7, |cx| recurrent(cx, Cell::Lstm)),
    entry("Scan", 9, crate::scan::scan),
    entry("If", 1, crate::branch::if_op),
    entry("Loop", 1, crate::loops::loop_op),
    entry("LinearAttention", 27, crate::linear_attention::linear_attention),
    // Re-wirings at constant indices, lengths or shapes.
    entry("GatherND", 11, gather_nd),
    entry("Compress", 9, compress),
    entry("DepthToSpace", 1, depth_to_space),
    entry("Upsample", 7, upsample),
    entry("BitCast", 26, crate::misc::bit_cast),
    entry("Det", 11, det),
    entry("TfIdfVectorizer", 9, crate::tfidf::tfidf_vectorizer),
    entry("MeanVarianceNormalization", 9, mean_variance_norm),
    entry("SpaceToDepth", 1, space_to_depth),
    entry("CenterCropPad", 18, center_crop_pad),
    entry("ReverseSequence", 10, reverse_sequence),
    entry("MaxUnpool", 9, max_unpool),
    entry("TensorScatter", 24, tensor_scatter),
    entry("EyeLike", 9, eye_like),
];

/// One op of another domain than the default: its domain, op type, the domain version that
/// introduced the semantics built here, and its builder.
struct DomainEntry {
    domain: &'static str,
    op_type: &'static str,
    since: i64,
    build: Builder,
}

/// The ops of other domains (`ai.onnx.preview`, `ai.onnx.ml`).
const DOMAIN_REGISTRY: &[DomainEntry] = &[
    DomainEntry { domain: "ai.onnx.preview", op_type: "FlexAttention", since: 1, build: crate::flex::flex_attention },
    DomainEntry { domain: "ai.onnx.ml", op_type: "Binarizer", since: 1, build: crate::ml::binarizer },
    DomainEntry {
        domain: "ai.onnx.ml",
        op_type: "ArrayFeatureExtractor",
        since: 1,
        build: crate::ml::array_feature_extractor,
    },
    DomainEntry { domain: "ai.onnx.ml", op_type: "TreeEnsemble", since: 5, build: crate::ml::tree_ensemble },
];

/// Whether `domain` is the default ONNX domain.
pub(crate) fn default_domain(domain: &str) -> bool {
    domain.is_empty() || domain == "ai.onnx"
}

/// The builder of `op_type` of `domain` (not the default one), when the registry has it for a
/// model importing that domain at `version` (`None`: the version is not checked here).
pub(crate) fn lookup_domain(domain: &str, op_type: &str, version: Option<i64>) -> Option<Builder> {
    DOMAIN_REGISTRY
        .iter()
        .find(|e| e.domain == domain && e.op_type == op_type && version.is_none_or(|v| v >= e.since))
        .map(|e| e.build)
}

/// The version of `op_type` in force at `opset`: its largest since-version not above it. `None`
/// for an op the registry does not know, or an opset newer than [`MAX_OPSET`] (a version added
/// after it could change anything).
pub fn version_in_force(op_type: &str, opset: i64) -> Option<i64> {
    if opset > MAX_OPSET {
        return None;
    }
    let (_, versions) = crate::versions::SINCE_VERSIONS.iter().find(|(op, _)| *op == op_type)?;
    versions.iter().copied().take_while(|&v| v <= opset).last()
}

/// The entry for `op_type` at `opset`, if supported.
pub(crate) fn lookup(op_type: &str, opset: i64) -> Option<&'static Entry> {
    let version = version_in_force(op_type, opset)?;
    REGISTRY.iter().find(|e| e.op_type == op_type && (e.since..=e.until).contains(&version))
}

/// Why `op_type` is not supported at `opset`, after the error's "not supported at opset N".
pub(crate) fn unsupported_reason(op_type: &str, opset: i64) -> String {
    let implemented: Vec<String> =
        REGISTRY
            .iter()
            .filter(|e| e.op_type == op_type)
            .map(|e| {
                if e.until >= MAX_OPSET {
                    format!("{} and later", e.since)
                } else {
                    format!("{}-{}", e.since, e.until)
                }
            })
            .collect();
    if implemented.is_empty() {
        return String::new();
    }
    if opset > MAX_OPSET {
        return format!(
            ": opset {opset} is newer than the newest this importer knows ({MAX_OPSET}, onnx {})",
            crate::versions::ONNX_RELEASE
        );
    }
    match version_in_force(op_type, opset) {
        Some(v) => {
            format!(": its version in force there is {v}; this importer implements versions {}", implemented.join(", "))
        }
        None => format!(": the op did not exist yet; this importer implements versions {}", implemented.join(", ")),
    }
}

pub(crate) fn op(o: impl Op + 'static) -> Result<Built, ImportError> {
    Ok(Built::Op(Box::new(o)))
}

/// `Gemm`; a bias `C` computed from the input is added after the product (`+ beta·C`), since
/// the Gemm op takes a constant bias.
fn gemm(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let gemm = Gemm {
        alpha: a.float("alpha")?.unwrap_or(1.0),
        beta: a.float("beta")?.unwrap_or(1.0),
        trans_a: a.flag("transA")?,
        trans_b: a.flag("transB")?,
    };
    if cx.shapes.len() < 3 || cx.consts.get(2).copied().flatten().is_some() {
        return op(gemm);
    }
    let beta = gemm.beta;
    let mut steps = Steps::default();
    let product = steps.push(gemm, vec![Src::Input(0), Src::Input(1)]);
    let bias = steps.push(Mul, vec![Src::Input(2), scalar(beta)]);
    let sum = steps.push(Add, vec![product, bias]);
    steps.built(&[&sum], || a.node_error("the sum is not a step"))
}

fn flatten(cx: &NodeCx) -> Result<Built, ImportError> {
    op(Flatten { axis: cx.attrs.int("axis")?.unwrap_or(1) })
}

fn reshape(cx: &NodeCx) -> Result<Built, ImportError> {
    let allow_zero = cx.attrs.flag("allowzero")?;
    let Some(shape) = cx.consts.get(1).copied().flatten() else {
        return Err(cx.attrs.error("shape", "the target shape must be a constant input"));
    };
    if shape.ndim() != 1 {
        return Err(cx.attrs.error("shape", format!("the shape input must be 1-D, found {:?}", shape.shape())));
    }
    op(Reshape { shape: shape.iter().map(|&v| v as i64).collect(), allow_zero })
}

fn constant(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let scalar = |v: f32| Tensor::from_elem(vec![], v);
    let list = |v: Vec<f32>| Tensor::from_shape_vec(vec![v.len()], v);
    let mut found = Vec::new();
    if let Some(t) = a.tensor("value")? {
        found.push(to_tensor(t)?);
    }
    if let Some(v) = a.float("value_float")? {
        found.push(scalar(v));
    }
    if let Some(v) = a.int("value_int")? {
        found.push(scalar(v as f32));
    }
    if let Some(v) = a.floats("value_floats")? {
        found.push(list(v).map_err(|e| a.error("value_floats", e.to_string()))?);
    }
    if let Some(v) = a.ints("value_ints")? {
        found.push(list(v.into_iter().map(|x| x as f32).collect()).map_err(|e| a.error("value_ints", e.to_string()))?);
    }
    match found.len() {
        1 => Ok(Built::Const(found.remove(0))),
        0 => {
            a.finish()?;
            Err(a.error("value", "a Constant needs one of value, value_float(s), value_int(s)"))
        }
        _ => Err(a.error("value", "a Constant must set exactly one value attribute")),
    }
}
