//! Since-versions of the registry's ops in onnx 1.23.2 (default domain, newest
//! opset 28), written by `scripts/op-versions.py`: an op's version in force at
//! opset `O` is its largest since-version not above `O`. Do not edit by hand.

/// The onnx release these versions come from.
pub const ONNX_RELEASE: &str = "1.23.2";

/// Newest default-domain opset of that release.
pub const NEWEST_OPSET: i64 = 28;

/// Per op type, its since-versions, ascending.
pub(crate) static SINCE_VERSIONS: &[(&str, &[i64])] = &[
    ("Abs", &[1, 6, 13]),
    ("Add", &[1, 6, 7, 13, 14]),
    ("ArgMax", &[1, 11, 12, 13]),
    ("ArgMin", &[1, 11, 12, 13]),
    ("AveragePool", &[1, 7, 10, 11, 19, 22]),
    ("BatchNormalization", &[1, 6, 7, 9, 14, 15]),
    ("Clip", &[1, 6, 11, 12, 13]),
    ("Concat", &[1, 4, 11, 13]),
    ("Constant", &[1, 9, 11, 12, 13, 19, 21, 23, 24, 25]),
    ("Conv", &[1, 11, 22]),
    ("Div", &[1, 6, 7, 13, 14]),
    ("Elu", &[1, 6, 22]),
    ("Erf", &[9, 13]),
    ("Exp", &[1, 6, 13]),
    ("Flatten", &[1, 9, 11, 13, 21, 23, 24, 25]),
    ("Gather", &[1, 11, 13]),
    ("Gelu", &[20]),
    ("Gemm", &[1, 6, 7, 9, 11, 13]),
    ("GlobalAveragePool", &[1, 22]),
    ("GlobalMaxPool", &[1, 22]),
    ("HardSigmoid", &[1, 6, 22]),
    ("HardSwish", &[14, 22]),
    ("Identity", &[1, 13, 14, 16, 19, 21, 23, 24, 25]),
    ("LayerNormalization", &[17]),
    ("LeakyRelu", &[1, 6, 16]),
    ("Log", &[1, 6, 13]),
    ("LogSoftmax", &[1, 11, 13]),
    ("MatMul", &[1, 9, 13]),
    ("Max", &[1, 6, 8, 12, 13]),
    ("MaxPool", &[1, 8, 10, 11, 12, 22]),
    ("Min", &[1, 6, 8, 12, 13]),
    ("Mish", &[18, 22]),
    ("Mul", &[1, 6, 7, 13, 14]),
    ("Neg", &[1, 6, 13]),
    ("PRelu", &[1, 6, 7, 9, 16]),
    ("Pad", &[1, 2, 11, 13, 18, 19, 21, 23, 24, 25]),
    ("ReduceMax", &[1, 11, 12, 13, 18, 20]),
    ("ReduceMean", &[1, 11, 13, 18]),
    ("ReduceMin", &[1, 11, 12, 13, 18, 20]),
    ("ReduceSum", &[1, 11, 13]),
    ("Relu", &[1, 6, 13, 14]),
    ("Reshape", &[1, 5, 13, 14, 19, 21, 23, 24, 25]),
    ("Selu", &[1, 6, 22]),
    ("Shape", &[1, 13, 15, 19, 21, 23, 24, 25]),
    ("Sigmoid", &[1, 6, 13]),
    ("Slice", &[1, 10, 11, 13]),
    ("Softmax", &[1, 11, 13]),
    ("Softplus", &[1, 22]),
    ("Softsign", &[1, 22]),
    ("Sqrt", &[1, 6, 13]),
    ("Squeeze", &[1, 11, 13, 21, 23, 24, 25]),
    ("Sub", &[1, 6, 7, 13, 14]),
    ("Tanh", &[1, 6, 13]),
    ("Transpose", &[1, 13, 21, 23, 24, 25]),
    ("Unsqueeze", &[1, 11, 13, 21, 23, 24, 25]),
];
