//! Integer evaluation of the CNN ops against f32.
//!
//! Tolerance (see [`super::assert_int_close`]): `(terms + 2)` quanta of the finest scale in the
//! integer graph — each of a linear op's `terms` rounded weights contributes at most half a
//! quantum of the output, plus one rounding per rescale.

use super::{assert_int_close, graph, node, quantized, t, values};
use crate::ops::{
    AveragePool, BatchNorm, Concat, Conv, Div, Gather, GlobalAveragePool, MatMul, Neg, Pad, PadMode, Padding, Reduce,
    ReduceKind, Relu, Reshape, Slice, Squeeze, Transpose, Unsqueeze,
};
use crate::{GraphBuilder, GraphError, OpError, QOp, ValueId};

fn count(q: &crate::QGraph, f: impl Fn(&QOp) -> bool) -> usize {
    q.nodes.iter().filter(|n| f(&n.op)).count()
}

fn dense(b: &mut GraphBuilder, x: ValueId, n_in: usize, n_out: usize, seed: u64) -> ValueId {
    let w = b.constant("w", t(&[n_in, n_out], &values(seed, n_in * n_out)));
    node(b, MatMul, vec![x, w])
}

fn reshape(b: &mut GraphBuilder, x: ValueId, shape: &[i64]) -> ValueId {
    let s = b.constant("s", t(&[shape.len()], &shape.iter().map(|&d| d as f32).collect::<Vec<_>>()));
    node(b, Reshape { shape: shape.to_vec(), allow_zero: false }, vec![x, s])
}

#[test]
fn rewiring_ops_are_free_gathers() {
    let g = graph(&[1, 6], |b, x| {
        let y = dense(b, x, 6, 24, 1);
        let y = reshape(b, y, &[2, 3, 4]);
        let y = node(b, Transpose { perm: Some(vec![1, 2, 0]) }, vec![y]);
        let y = node(
            b,
            Slice { starts: vec![-1, 0], ends: vec![0, 4], axes: Some(vec![1, 0]), steps: Some(vec![-1, 2]) },
            vec![y],
        );
        let y = node(b, Unsqueeze { axes: vec![0] }, vec![y]);
        let y = node(b, Squeeze { axes: None }, vec![y]);
        let idx = b.constant("idx", t(&[3], &[1., -1., 0.]));
        node(b, Gather { axis: 1 }, vec![y, idx])
    });
    assert_eq!(g.output_shape(0), &[2, 3, 2]);
    assert_int_close(&g, &values(2, 6), 6);
    let q = quantized(&g, vec![values(2, 6)]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(count(&q, |o| matches!(o, QOp::Linear(_))), 1, "only the MatMul costs: {:#?}", q.nodes);
}

#[test]
fn neg_folds_into_its_producer_or_is_a_linear_op() {
    for relu_first in [false, true] {
        let g = graph(&[1, 4], |b, x| {
            let y = dense(b, x, 4, 3, 3);
            let y = if relu_first { node(b, Relu, vec![y]) } else { y };
            node(b, Neg, vec![y])
        });
        assert_int_close(&g, &values(4, 4), 4);
        let q = quantized(&g, vec![values(4, 4)]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(count(&q, |o| matches!(o, QOp::Linear(_))), 1 + relu_first as usize);
    }
}

#[test]
fn pads_in_every_mode() {
    for (mode, value) in [
        (PadMode::Constant, 0.0),
        (PadMode::Constant, -0.75),
        (PadMode::Reflect, 0.0),
        (PadMode::Edge, 0.0),
        (PadMode::Wrap, 0.0),
    ] {
        let g = graph(&[1, 6], |b, x| {
            let y = dense(b, x, 6, 6, 5);
            let y = reshape(b, y, &[2, 3]);
            node(b, Pad { pads: vec![1, 2, 0, -1], value, mode }, vec![y])
        });
        assert_int_close(&g, &values(6, 6), 6);
    }
}

#[test]
fn concat_of_activations_at_different_scales_and_constants() {
    let g = graph(&[1, 4], |b, x| {
        let small = dense(b, x, 4, 3, 7);
        let big = dense(b, x, 4, 2, 8);
        let ten = b.constant("ten", t(&[2], &[10., -20.]));
        let big = node(b, crate::ops::Mul, vec![big, ten]); // ~20x larger: a smaller scale
        let c = b.constant("c", t(&[1, 2], &[0.5, -3.25]));
        let y = node(b, Concat { axis: 1 }, vec![small, c, big, small]);
        node(b, Relu, vec![y])
    });
    assert_eq!(g.output_shape(0), &[1, 10]);
    assert_int_close(&g, &values(9, 4), 8);
}

#[test]
fn batch_norm_folds_into_conv_and_falls_back_to_an_affine_map() {
    let stats = |b: &mut GraphBuilder, c: usize, seed: u64| {
        let v = values(seed, 4 * c);
        let scale = b.constant("scale", t(&[c], &v[..c].iter().map(|x| 2.0 * x).collect::<Vec<_>>()));
        let bias = b.constant("bias", t(&[c], &v[c..2 * c]));
        let mean = b.constant("mean", t(&[c], &v[2 * c..3 * c]));
        let var = b.constant("var", t(&[c], &v[3 * c..].iter().map(|x| x.abs() + 0.1).collect::<Vec<_>>()));
        vec![scale, bias, mean, var]
    };
    for after_relu in [false, true] {
        let g = graph(&[1, 2, 4, 4], |b, x| {
            let w = b.constant("w", t(&[3, 2, 3, 3], &values(10, 54)));
            let y =
                node(b, Conv { pads: Padding { top: 1, left: 1, bottom: 1, right: 1 }, ..Conv::default() }, vec![x, w]);
            let y = if after_relu { node(b, Relu, vec![y]) } else { y };
            let mut inputs = vec![y];
            inputs.extend(stats(b, 3, 11));
            node(b, BatchNorm { epsilon: 1e-5 }, inputs)
        });
        assert_int_close(&g, &values(12, 32), 18);
        let q = quantized(&g, vec![values(12, 32)]).unwrap_or_else(|e| panic!("{e}"));
        let linears = count(&q, |o| matches!(o, QOp::Linear(_)));
        assert_eq!(linears, 1 + after_relu as usize, "fold only into the conv: {:#?}", q.nodes);
    }
}

#[test]
fn depthwise_conv_then_pools() {
    for count_include_pad in [false, true] {
        let g = graph(&[1, 3, 5, 5], |b, x| {
            let w = b.constant("w", t(&[3, 1, 3, 3], &values(13, 27)));
            let bias = b.constant("b", t(&[3], &values(14, 3)));
            let conv = Conv { group: 3, pads: Padding { top: 1, left: 1, bottom: 1, right: 1 }, ..Conv::default() };
            let y = node(b, conv, vec![x, w, bias]);
            let pool = AveragePool {
                kernel: vec![3, 2],
                strides: vec![2, 2],
                pads: vec![1, 0, 1, 1],
                count_include_pad,
                ..AveragePool::default()
            };
            let y = node(b, pool, vec![y]);
            node(b, GlobalAveragePool, vec![y])
        });
        assert_eq!(g.output_shape(0), &[1, 3, 1, 1]);
        assert_int_close(&g, &values(15, 75), 27);
    }
}

#[test]
fn reductions_and_division_by_constants() {
    for (kind, keepdims) in [(ReduceKind::Sum, false), (ReduceKind::Mean, true)] {
        let g = graph(&[1, 12], |b, x| {
            let y = dense(b, x, 12, 12, 16);
            let y = reshape(b, y, &[3, 4]);
            let d = b.constant("d", t(&[4], &[3., -0.5, 7., 1.]));
            let y = node(b, Div, vec![y, d]);
            node(b, Reduce { kind, axes: Some(vec![0]), keepdims, ..Reduce::default() }, vec![y])
        });
        assert_int_close(&g, &values(17, 12), 12);
    }
}

#[test]
fn non_positive_divisors_and_gathers_by_float_activations_are_refused() {
    // Division by an activation needs a positive divisor on every calibration sample.
    let g = graph(&[2, 2], |b, x| node(b, Div, vec![x, x]));
    match quantized(&g, vec![vec![0.5, -0.25, 1.0, 2.0]]) {
        Err(e @ GraphError::NonPositiveDivisor { .. }) => assert!(e.to_string().contains("not positive"), "{e}"),
        other => panic!("expected NonPositiveDivisor, got {other:?}"),
    }
    // A float activation as indices: a lookup by index needs an integer input's exact values.
    let g = graph(&[2], |b, x| {
        let data = b.constant("data", t(&[3], &[1., 2., 3.]));
        node(b, Gather { axis: 0 }, vec![data, x])
    });
    match quantized(&g, vec![vec![0., 1.]]) {
        Err(GraphError::Node { source: OpError::Unsupported(msg), .. }) => {
            assert!(msg.contains("needs integer indices"), "{msg}")
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

/// ConvTranspose (stride 2, a pad, two groups) then ReLU: the integer evaluation stays within
/// the rounding of the terms it sums.
#[test]
fn conv_transpose_integer_eval_matches_f32() {
    let g = graph(&[1, 2, 3, 3], |b, x| {
        let w = b.constant("w", t(&[2, 2, 3, 2], &values(31, 24)));
        let bias = b.constant("b", t(&[4], &values(32, 4)));
        let op = crate::ops::ConvTranspose {
            strides: [2, 1],
            pads: crate::ops::Padding { top: 1, left: 0, bottom: 0, right: 1 },
            dilations: [1, 1],
            output_padding: [1, 0],
            output_size: None,
            group: 2,
        };
        let y = node(b, op, vec![x, w, bias]);
        node(b, crate::ops::Relu, vec![y])
    });
    assert_int_close(&g, &values(33, 18), 8);
}
