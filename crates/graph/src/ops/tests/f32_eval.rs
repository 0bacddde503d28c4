//! f32 evaluation against hand-computed values.

use super::{eval, t};
use crate::ops::{Add, Conv, Flatten, Gemm, Identity, MatMul, Mul, Padding, Relu, Reshape, Sub};
use crate::Op;

#[test]
fn gemm_with_transposes_alpha_beta_and_bias() {
    let a = t(&[2, 3], &[1., 2., 3., 4., 5., 6.]);
    let b = t(&[3, 2], &[1., 0., 0., 1., 1., 1.]);
    let c = t(&[2], &[10., 20.]);
    let op = Gemm { alpha: 0.5, beta: 2.0, ..Gemm::default() };
    // A*B = [[4, 5], [10, 11]].
    assert_eq!(eval(&op, &[&a, &b, &c]), t(&[2, 2], &[22., 42.5, 25., 45.5]));
    // Transposed operands give the same product.
    let at = a.t().to_owned();
    let bt = b.t().to_owned();
    let op = Gemm { trans_a: true, trans_b: true, ..Gemm::default() };
    assert_eq!(eval(&op, &[&at, &bt]), t(&[2, 2], &[4., 5., 10., 11.]));
    assert!(op.output_shape(&[&[3, 2], &[3, 2]]).is_err());
}

#[test]
fn matmul_batches_and_promotes_vectors() {
    let a = t(&[2, 1, 2], &[1., 2., 3., 4.]);
    let b = t(&[2, 2], &[1., 2., 3., 4.]);
    assert_eq!(eval(&MatMul, &[&a, &b]), t(&[2, 1, 2], &[7., 10., 15., 22.]));
    let v = t(&[2], &[1., 1.]);
    assert_eq!(eval(&MatMul, &[&v, &b]), t(&[2], &[4., 6.]));
    assert_eq!(eval(&MatMul, &[&b, &v]), t(&[2], &[3., 7.]));
    assert_eq!(MatMul.output_shape(&[&[5, 1, 2, 3], &[4, 3, 6]]).ok(), Some(vec![5, 4, 2, 6]));
    assert!(MatMul.output_shape(&[&[2, 3], &[2, 3]]).is_err());
}

#[test]
fn elementwise_ops_broadcast() {
    let a = t(&[2, 3], &[1., 2., 3., 4., 5., 6.]);
    let row = t(&[3], &[10., 20., 30.]);
    let col = t(&[2, 1], &[2., 3.]);
    assert_eq!(eval(&Add, &[&a, &row]), t(&[2, 3], &[11., 22., 33., 14., 25., 36.]));
    assert_eq!(eval(&Sub, &[&row, &a]), t(&[2, 3], &[9., 18., 27., 6., 15., 24.]));
    assert_eq!(eval(&Mul, &[&a, &col]), t(&[2, 3], &[2., 4., 6., 12., 15., 18.]));
    assert!(Add.output_shape(&[&[2, 3], &[2]]).is_err());
}

#[test]
fn relu_identity_flatten_reshape() {
    let a = t(&[1, 2, 2], &[-1., 2., -3., 4.]);
    assert_eq!(eval(&Relu, &[&a]), t(&[1, 2, 2], &[0., 2., 0., 4.]));
    assert_eq!(eval(&Identity, &[&a]), a);
    assert_eq!(eval(&Flatten { axis: 1 }, &[&a]).shape(), &[1, 4]);
    assert_eq!(eval(&Flatten { axis: 0 }, &[&a]).shape(), &[1, 4]);
    assert_eq!(eval(&Flatten { axis: -1 }, &[&a]).shape(), &[2, 2]);
    assert!(Flatten { axis: 4 }.output_shape(&[&[1, 2, 2]]).is_err());
    let r = Reshape { shape: vec![0, -1], allow_zero: false };
    assert_eq!(eval(&r, &[&a]), t(&[1, 4], &[-1., 2., -3., 4.]));
    assert_eq!(r.resolve(&[3, 4, 5]).ok(), Some(vec![3, 20]));
    assert!(Reshape { shape: vec![3, -1], allow_zero: false }.resolve(&[2, 2]).is_err());
    assert!(Reshape { shape: vec![-1, -1], allow_zero: false }.resolve(&[2, 2]).is_err());
}

#[test]
fn conv_with_stride_padding_dilation_and_bias() {
    let x = t(&[1, 1, 3, 3], &[1., 2., 3., 4., 5., 6., 7., 8., 9.]);
    let w = t(&[1, 1, 2, 2], &[1., 1., 1., 1.]);
    let b = t(&[1], &[0.5]);
    // Sums of each 2x2 window, plus the bias.
    let y = eval(&Conv::default(), &[&x, &w, &b]);
    assert_eq!(y, t(&[1, 1, 2, 2], &[12.5, 16.5, 24.5, 28.5]));
    // Pad one row on top only, stride 2: windows start at rows -1 and 1, column 0.
    let op = Conv { strides: [2, 2], pads: Padding { top: 1, ..Padding::default() }, ..Conv::default() };
    assert_eq!(eval(&op, &[&x, &w]), t(&[1, 1, 2, 1], &[3., 24.]));
    // Dilation 2: the 2x2 kernel reads the corners of the 3x3 input.
    let op = Conv { dilations: [2, 2], ..Conv::default() };
    assert_eq!(eval(&op, &[&x, &w]), t(&[1, 1, 1, 1], &[20.]));
    assert!(Conv::default().output_shape(&[&[1, 1, 1, 1], &[1, 1, 2, 2]]).is_err());
    assert!(Conv::default().output_shape(&[&[1, 2, 3, 3], &[1, 1, 2, 2]]).is_err());
}
