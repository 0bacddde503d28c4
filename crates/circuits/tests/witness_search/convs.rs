//! The harness graphs of the convolutions and pools built at import: 3-D convolution (depth
//! folded into the batch), the integer convolutions, and average pooling with `ceil_mode` and
//! dilations.

use super::*;

/// `Conv` over three spatial axes: a depth-padded input re-wired by a constant-index Gather,
/// transposed and reshaped into one 2-D convolution, reshaped and transposed back.
pub(super) fn conv_3d() -> (QGraph, Vec<i64>) {
    let attrs = vec![ints_attr("pads", &[1, 0, 0, 0, 0, 0])];
    let n = node("Conv", &["x", "w"], "y", attrs);
    let w = float_tensor("w", &[1, 1, 2, 1, 1], vec![0.5, -0.75]);
    lowered_with(vec![n], vec![w], &[1, 1, 2, 1, 2], &[1, 1, 2, 1, 2])
}

/// `ConvInteger`: the zero points subtracted, then the convolution (exact on integers).
pub(super) fn conv_integer() -> (QGraph, Vec<i64>) {
    let n = node("ConvInteger", &["x", "w", "xz"], "y", vec![]);
    let init = vec![float_tensor("w", &[1, 1, 2], vec![2.0, -1.0]), float_tensor("xz", &[], vec![1.0])];
    lowered_at(10, vec![n], init, &[1, 1, 3], &[1, 1, 2])
}

/// `QLinearConv` (1-D, per-channel weight scales, a bias): the integer convolution requantized by
/// Mul, Round, Add and the saturating Max/Min.
pub(super) fn qlinear_conv() -> (QGraph, Vec<i64>) {
    let n = node("QLinearConv", &["x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"], "y", vec![]);
    let init = vec![
        float_tensor("xs", &[], vec![0.5]),
        float_tensor("xz", &[], vec![1.0]),
        float_tensor("w", &[2, 1, 2], vec![3.0, -2.0, 1.0, 1.0]),
        float_tensor("ws", &[2], vec![0.25, 0.5]),
        float_tensor("wz", &[], vec![0.0]),
        float_tensor("ys", &[], vec![0.125]),
        int8_tensor("yz", &[], vec![2]),
        float_tensor("b", &[2], vec![1.0, -3.0]),
    ];
    lowered_at(10, vec![n], init, &[1, 1, 3], &[1, 2, 2])
}

/// `AveragePool` with `ceil_mode` and a dilation: a last window cut short by the input's end,
/// its divisor the cells it holds.
pub(super) fn average_pool_ceil() -> (QGraph, Vec<i64>) {
    let attrs = vec![ints_attr("kernel_shape", &[2]), ints_attr("strides", &[2]), int_attr("ceil_mode", 1)];
    lowered_at(19, vec![node("AveragePool", &["x"], "y", attrs)], vec![], &[1, 1, 3], &[1, 1, 2])
}
