//! f32 evaluation of the CNN ops against values from the `onnx` 1.17 reference evaluator
//! (`onnx.reference.ReferenceEvaluator`; the grouped-convolution and SAME-padding cases are
//! computed by hand).

use super::{eval, t};
use crate::ops::{
    AveragePool, BatchNorm, Concat, Conv, ConvTranspose, Div, Gather, GlobalAveragePool, Neg, Pad, PadMode, Padding,
    Reduce, ReduceKind, Shape, Slice, Squeeze, Transpose, Unsqueeze,
};
use crate::{Op, Tensor};

fn arange(shape: &[usize]) -> Tensor {
    let n: usize = shape.iter().product();
    t(shape, &(0..n).map(|v| v as f32).collect::<Vec<_>>())
}

#[test]
fn transpose_permutes_axes() {
    let y = eval(&Transpose { perm: Some(vec![2, 0, 1]) }, &[&arange(&[2, 3, 4])]);
    let want =
        [0., 4., 8., 12., 16., 20., 1., 5., 9., 13., 17., 21., 2., 6., 10., 14., 18., 22., 3., 7., 11., 15., 19., 23.];
    assert_eq!(y, t(&[4, 2, 3], &want));
    assert_eq!(eval(&Transpose::default(), &[&arange(&[2, 3])]), arange(&[2, 3]).t().to_owned());
    assert!(Transpose { perm: Some(vec![0, 0, 1]) }.output_shape(&[&[2, 3, 4]]).is_err());
}

#[test]
fn slice_with_negative_indices_steps_and_clamping() {
    // starts [1, -1], ends [100, -4], axes [1, -2], steps [1, -2].
    let op = Slice { starts: vec![1, -1], ends: vec![100, -4], axes: Some(vec![1, -1]), steps: Some(vec![1, -2]) };
    assert_eq!(eval(&op, &[&arange(&[2, 3, 4])]), t(&[2, 2, 2], &[7., 5., 11., 9., 19., 17., 23., 21.]));
    let all = Slice { starts: vec![i64::MAX], ends: vec![i64::MIN], axes: Some(vec![0]), steps: Some(vec![-1]) };
    assert_eq!(eval(&all, &[&arange(&[3])]), t(&[3], &[2., 1., 0.]));
    assert!(Slice { starts: vec![0], ends: vec![1], axes: None, steps: Some(vec![0]) }.output_shape(&[&[3]]).is_err());
}

#[test]
fn pad_in_every_mode() {
    let x = arange(&[2, 3]);
    let pad = |mode, value| Pad { pads: vec![1, 2, 0, 1], value, mode };
    let cases = [
        (
            pad(PadMode::Constant, 1.5),
            [1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 0., 1., 2., 1.5, 1.5, 1.5, 3., 4., 5., 1.5],
        ),
        (pad(PadMode::Reflect, 0.0), [5., 4., 3., 4., 5., 4., 2., 1., 0., 1., 2., 1., 5., 4., 3., 4., 5., 4.]),
        (pad(PadMode::Edge, 0.0), [0., 0., 0., 1., 2., 2., 0., 0., 0., 1., 2., 2., 3., 3., 3., 4., 5., 5.]),
        (pad(PadMode::Wrap, 0.0), [4., 5., 3., 4., 5., 3., 1., 2., 0., 1., 2., 0., 4., 5., 3., 4., 5., 3.]),
    ];
    for (op, want) in cases {
        assert_eq!(eval(&op, &[&x]), t(&[3, 6], &want), "{:?}", op.mode);
    }
    // Negative pads crop.
    let crop = Pad { pads: vec![0, -1, 0, 0], ..Pad::default() };
    assert_eq!(eval(&crop, &[&x]), t(&[2, 2], &[1., 2., 4., 5.]));
}

#[test]
fn concat_squeeze_unsqueeze_shape_gather() {
    let x = arange(&[2, 3]);
    let nines = t(&[2, 1], &[9., 9.]);
    assert_eq!(eval(&Concat { axis: -1 }, &[&x, &nines]), t(&[2, 4], &[0., 1., 2., 9., 3., 4., 5., 9.]));
    assert_eq!(eval(&Concat { axis: 0 }, &[&x, &x]).shape(), &[4, 3]);
    assert!(Concat { axis: 0 }.output_shape(&[&[2, 3], &[2, 4]]).is_err());
    let u = eval(&Unsqueeze { axes: vec![0, -1] }, &[&x]);
    assert_eq!(u.shape(), &[1, 2, 3, 1]);
    assert_eq!(eval(&Squeeze { axes: None }, &[&u]), x);
    assert_eq!(eval(&Squeeze { axes: Some(vec![-1]) }, &[&u]).shape(), &[1, 2, 3]);
    assert!(Squeeze { axes: Some(vec![1]) }.output_shape(&[&[1, 2, 3, 1]]).is_err());
    assert_eq!(eval(&Shape::default(), &[&u]), t(&[4], &[1., 2., 3., 1.]));
    assert_eq!(eval(&Shape { start: 1, end: Some(-1) }, &[&u]), t(&[2], &[2., 3.]));
    let idx = t(&[1, 2], &[2., -3.]);
    let want = [2., 1., 6., 5., 10., 9., 14., 13., 18., 17., 22., 21.];
    assert_eq!(eval(&Gather { axis: 2 }, &[&arange(&[2, 3, 4]), &idx]), t(&[2, 3, 1, 2], &want));
    // A scalar index drops the axis (the `Shape -> Gather` idiom).
    assert_eq!(eval(&Gather { axis: 0 }, &[&t(&[4], &[1., 2., 3., 1.]), &t(&[], &[1.])]), t(&[], &[2.]));
    assert!(Gather { axis: 0 }.eval(&[&x, &t(&[1], &[2.])]).is_err());
}

#[test]
fn neg_and_div() {
    let x = arange(&[2, 2]);
    assert_eq!(eval(&Neg, &[&x]), t(&[2, 2], &[0., -1., -2., -3.]));
    assert_eq!(eval(&Div, &[&x, &t(&[2], &[2., 4.])]), t(&[2, 2], &[0., 0.25, 1., 0.75]));
}

#[test]
fn batch_norm_per_channel() {
    let p = |v: [f32; 2]| t(&[2], &v);
    let (s, b, m, v) = (p([1., 2.]), p([0.5, -1.]), p([1., 4.]), p([4., 0.25]));
    let y = eval(&BatchNorm { epsilon: 0.0 }, &[&arange(&[1, 2, 2, 2]), &s, &b, &m, &v]);
    assert_eq!(y, t(&[1, 2, 2, 2], &[0., 0.5, 1., 1.5, -1., 3., 7., 11.]));
}

#[test]
fn average_pools() {
    let x = arange(&[1, 1, 4, 4]);
    let pool = |count_include_pad| AveragePool {
        kernel: vec![3, 3],
        strides: vec![2, 2],
        pads: vec![1, 1, 1, 1],
        count_include_pad,
        ..AveragePool::default()
    };
    let close = |a: &Tensor, b: &[f32]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-5);
    let y = eval(&pool(true), &[&x]);
    assert!(close(&y, &[1.11111, 2.66667, 5.66667, 10.0]), "{y}");
    assert_eq!(eval(&pool(false), &[&x]), t(&[1, 1, 2, 2], &[2.5, 4., 8.5, 10.]));
    // SAME_LOWER 2x2 (pads [1, 1, 0, 0]), count_include_pad = 0.
    let same = AveragePool { kernel: vec![2, 2], pads: vec![1, 1, 0, 0], ..AveragePool::default() };
    let want = [0., 0.5, 1.5, 2.5, 2., 2.5, 3.5, 4.5, 6., 6.5, 7.5, 8.5, 10., 10.5, 11.5, 12.5];
    assert_eq!(eval(&same, &[&x]), t(&[1, 1, 4, 4], &want));
    assert_eq!(eval(&GlobalAveragePool, &[&arange(&[1, 2, 2, 2])]), t(&[1, 2, 1, 1], &[1.5, 5.5]));
}

#[test]
fn reductions() {
    let x = arange(&[2, 3, 4]);
    let mean = Reduce { kind: ReduceKind::Mean, axes: Some(vec![0, 2]), keepdims: true, ..Reduce::default() };
    assert_eq!(eval(&mean, &[&x]), t(&[1, 3, 1], &[7.5, 11.5, 15.5]));
    let sum = Reduce { kind: ReduceKind::Sum, axes: Some(vec![-1]), keepdims: false, ..Reduce::default() };
    assert_eq!(eval(&sum, &[&x]), t(&[2, 3], &[6., 22., 38., 54., 70., 86.]));
    let all = Reduce { kind: ReduceKind::Sum, axes: None, keepdims: false, ..Reduce::default() };
    assert_eq!(eval(&all, &[&x]), t(&[], &[276.]));
    let noop = Reduce { noop_with_empty_axes: true, keepdims: true, ..Reduce::default() };
    assert_eq!(eval(&noop, &[&x]), x);
}

#[test]
fn grouped_and_same_padded_conv() {
    let x = arange(&[1, 2, 3, 3]);
    let w = t(&[2, 1, 2, 2], &[1., 2., 3., 4., 5., 6., 7., 8.]);
    let dw = Conv { group: 2, ..Conv::default() };
    assert_eq!(eval(&dw, &[&x, &w]), t(&[1, 2, 2, 2], &[27., 37., 57., 67., 293., 319., 371., 397.]));
    assert!(Conv { group: 3, ..Conv::default() }.output_shape(&[&[1, 2, 3, 3], &[2, 1, 2, 2]]).is_err());
    // SAME_UPPER, stride 2 on 3x3 with a 2x2 kernel: pads [0, 0, 1, 1] (by hand: ceil(3/2) = 2).
    let pads = crate::ops::Padding { top: 0, left: 0, bottom: 1, right: 1 };
    let same = Conv { strides: [2, 2], pads, ..Conv::default() };
    assert_eq!(eval(&same, &[&x, &Tensor::ones(vec![1, 2, 2, 2])]), t(&[1, 1, 2, 2], &[52., 32., 44., 25.]));
}

/// ConvTranspose as ONNX defines it, scattered: input pixel `(iy, ix)` of channel `c` adds
/// `x · w[c, m, ky, kx]` to output pixel `(iy·s + ky·d − pad_top, ..)` of channel `m` in `c`'s
/// group; the op's gather form (the one it lowers) must agree, with strides, dilations, pads,
/// output_padding, two groups and a bias, and with an explicit output size.
#[test]
fn conv_transpose_matches_its_scatter_definition() {
    let (c, h, w, mg, g, kh, kw) = (4, 3, 2, 3, 2, 2, 3);
    let x = arange(&[1, c, h, w]).mapv(|v| (v * 0.37).sin());
    let wt = arange(&[c, mg, kh, kw]).mapv(|v| (v * 0.21).cos());
    let bias = t(&[mg * g], &[0.5, -1.0, 0.25, 0.0, 1.0, -0.5]);
    for (strides, dilations, pads, output_padding, output_size) in [
        ([2, 1], [1, 2], Padding { top: 1, left: 0, bottom: 0, right: 2 }, [1, 0], None),
        ([1, 3], [2, 1], Padding::default(), [0, 2], None),
        ([2, 2], [1, 1], Padding { top: 1, left: 1, bottom: 1, right: 1 }, [0, 0], Some([7, 6])),
    ] {
        let op = ConvTranspose { strides, pads, dilations, output_padding, output_size, group: g };
        let y = eval(&op, &[&x, &wt, &bias]);
        let (oh, ow) = (y.shape()[2], y.shape()[3]);
        let full =
            |i: usize, size: usize, k: usize| strides[i] * (size - 1) + output_padding[i] + dilations[i] * (k - 1) + 1;
        assert_eq!(
            (oh, ow),
            output_size
                .map_or((full(0, h, kh) - pads.top - pads.bottom, full(1, w, kw) - pads.left - pads.right), |[a, b]| (
                    a, b
                ))
        );
        let mut want = vec![0f64; mg * g * oh * ow];
        for (m, chunk) in want.chunks_mut(oh * ow).enumerate() {
            chunk.iter_mut().for_each(|v| *v = f64::from(bias[m]));
        }
        for ci in 0..c {
            let grp = ci / (c / g);
            for ml in 0..mg {
                let m = grp * mg + ml;
                for iy in 0..h {
                    for ix in 0..w {
                        for ky in 0..kh {
                            for kx in 0..kw {
                                let oy = (iy * strides[0] + ky * dilations[0]) as i64 - pads.top as i64;
                                let ox = (ix * strides[1] + kx * dilations[1]) as i64 - pads.left as i64;
                                if (0..oh as i64).contains(&oy) && (0..ow as i64).contains(&ox) {
                                    want[(m * oh + oy as usize) * ow + ox as usize] +=
                                        f64::from(x[[0, ci, iy, ix]]) * f64::from(wt[[ci, ml, ky, kx]]);
                                }
                            }
                        }
                    }
                }
            }
        }
        for (got, want) in y.iter().zip(&want) {
            assert!((f64::from(*got) - want).abs() < 1e-4, "{strides:?} {dilations:?}: {got} vs {want}");
        }
    }
}
