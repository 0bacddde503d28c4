//! The comparison ops (Max/Min, ReduceMax/ReduceMin, MaxPool, ArgMax/ArgMin) and PRelu: f32
//! evaluation against hand-computed values, integer evaluation against f32, and the shape of
//! their lowering (a log-depth tree of ReLUs, no lookup table).

use proptest::prelude::*;

use super::{assert_int_close, eval, graph, node, quantized, t, values};
use crate::ops::{ArgMax, Extremum, GlobalMaxPool, MatMul, Max, MaxPool, PRelu, ReduceMax};
use crate::{Graph, GraphBuilder, LinearParams, Op, QGraph, QOp, Tensor, ValueId};

const MAX: Max = Max { kind: Extremum::Max };
const MIN: Max = Max { kind: Extremum::Min };

fn count(q: &QGraph, f: impl Fn(&QOp) -> bool) -> usize {
    q.nodes.iter().filter(|n| f(&n.op)).count()
}

fn relus(q: &QGraph) -> usize {
    count(q, |o| matches!(o, QOp::Requant(r) if r.relu && r.shift == 0))
}

fn dense(b: &mut GraphBuilder, x: ValueId, n_in: usize, n_out: usize, seed: u64) -> ValueId {
    let w = b.constant("w", t(&[n_in, n_out], &values(seed, n_in * n_out)));
    node(b, MatMul, vec![x, w])
}

/// Integer and f32 outputs of `g` on `x` (calibrated on `x` and a few random inputs).
fn both(g: &Graph, x: &[f32]) -> (QGraph, Vec<f64>, Vec<f32>) {
    let mut samples: Vec<Vec<f32>> = (0..4).map(|s| values(200 + s, x.len())).collect();
    samples.push(x.to_vec());
    let q = quantized(g, samples).unwrap_or_else(|e| panic!("quantize: {e}"));
    let w = q.eval(q.quantize_input(x).unwrap_or_else(|e| panic!("{e}"))).unwrap_or_else(|e| panic!("eval: {e}"));
    let got = q.dequantize_output(0, w.output(&q, 0));
    let want = g.eval(x).unwrap_or_else(|e| panic!("{e}")).iter().copied().collect();
    (q, got, want)
}

/// `x` rounded to the model input's scale (what the integer graph sees).
fn on_grid(q: &QGraph, x: &[f32]) -> Vec<f32> {
    let s = (1u64 << q.tensors[q.inputs[0].tensor].scale) as f32;
    x.iter().map(|v| (v * s).round() / s).collect()
}

#[test]
fn max_and_min_take_any_number_of_broadcast_inputs() {
    let a = t(&[2, 3], &[1., -2., 3., 4., 5., -6.]);
    let row = t(&[3], &[0., 0., 7.]);
    let col = t(&[2, 1], &[2., -1.]);
    assert_eq!(eval(&MAX, &[&a, &row, &col]), t(&[2, 3], &[2., 2., 7., 4., 5., 7.]));
    assert_eq!(eval(&MIN, &[&a, &row, &col]), t(&[2, 3], &[0., -2., 2., -1., -1., -6.]));
    assert_eq!(eval(&MAX, &[&a]), a);
    assert_eq!(MAX.output_shape(&[&[2, 1], &[3], &[1, 1, 1]]).ok(), Some(vec![1, 2, 3]));
    assert!(MAX.output_shape(&[&[2], &[3]]).is_err());
    assert!(MAX.output_shape(&[]).is_err());
}

#[test]
fn reduce_max_and_min_follow_the_axes_attributes() {
    let x = t(&[2, 3], &[1., -2., 3., 4., 5., -6.]);
    let op =
        |kind, axes: Option<Vec<i64>>, keepdims, noop| ReduceMax { kind, axes, keepdims, noop_with_empty_axes: noop };
    assert_eq!(eval(&op(Extremum::Max, Some(vec![1]), false, false), &[&x]), t(&[2], &[3., 5.]));
    assert_eq!(eval(&op(Extremum::Min, Some(vec![-2]), true, false), &[&x]), t(&[1, 3], &[1., -2., -6.]));
    assert_eq!(eval(&op(Extremum::Max, None, true, false), &[&x]), t(&[1, 1], &[5.]));
    assert_eq!(eval(&op(Extremum::Min, Some(vec![]), false, false), &[&x]), t(&[], &[-6.]));
    assert_eq!(eval(&op(Extremum::Min, Some(vec![]), false, true), &[&x]), x);
    assert!(op(Extremum::Max, Some(vec![2]), true, false).output_shape(&[&[2, 3]]).is_err());
    let empty = op(Extremum::Max, Some(vec![0]), true, false).output_shape(&[&[0, 3]]);
    assert!(empty.is_err_and(|e| e.to_string().contains("empty set")));
}

#[test]
fn max_pool_skips_padding_and_supports_dilations_and_ceil_mode() {
    // All negative: a zero pad taking part would show up as 0.
    let x = t(&[1, 1, 3, 3], &[-1., -2., -3., -4., -5., -6., -7., -8., -9.]);
    let pool = MaxPool { kernel: vec![2, 2], pads: vec![1, 1, 0, 0], ..MaxPool::default() };
    assert_eq!(eval(&pool, &[&x]), t(&[1, 1, 3, 3], &[-1., -1., -2., -1., -1., -2., -4., -4., -5.]));
    let dilated = MaxPool { kernel: vec![2, 2], dilations: vec![2, 2], ..MaxPool::default() };
    assert_eq!(eval(&dilated, &[&x]), t(&[1, 1, 1, 1], &[-1.]));
    // 3 wide, kernel 2, stride 2: floor gives 1 window, ceil a second (partial) one.
    let ceil = MaxPool { kernel: vec![2, 2], strides: vec![2, 2], ceil_mode: true, ..MaxPool::default() };
    assert_eq!(eval(&ceil, &[&x]), t(&[1, 1, 2, 2], &[-1., -3., -7., -9.]));
    // ceil_mode never starts a window in the end padding: 4 wide, kernel 1, stride 2, pad 1 at the end.
    let ceil = MaxPool { kernel: vec![1], strides: vec![2], pads: vec![0, 1], ceil_mode: true, ..MaxPool::default() };
    assert_eq!(ceil.output_shape(&[&[1, 1, 4]]).ok(), Some(vec![1, 1, 2]));
    let one_d = MaxPool { kernel: vec![2], ..MaxPool::default() };
    assert_eq!(eval(&one_d, &[&t(&[1, 2, 3], &[1., 3., 2., 6., 5., 4.])]), t(&[1, 2, 2], &[3., 3., 6., 5.]));
    assert!(MaxPool { kernel: vec![4, 4], ..MaxPool::default() }.output_shape(&[&[1, 1, 3, 3]]).is_err());
    let in_pad = MaxPool { kernel: vec![1, 1], pads: vec![1, 0, 0, 0], ..MaxPool::default() };
    assert!(in_pad.eval(&[&x]).is_err());
}

#[test]
fn global_max_pool_is_a_max_pool_over_the_whole_input() {
    let x = t(&[1, 2, 2, 3], &[1., -2., 3., 4., 5., -6., -1., -2., -3., -4., -5., -6.]);
    assert_eq!(eval(&GlobalMaxPool, &[&x]), t(&[1, 2, 1, 1], &[5., -1.]));
    assert!(GlobalMaxPool.output_shape(&[&[2, 3]]).is_err());
    let g = graph(&[1, 2, 2, 3], |b, x| node(b, GlobalMaxPool, vec![x]));
    let x = values(12, 12);
    let (q, got, _) = both(&g, &x);
    let want: Vec<f64> =
        g.eval(&on_grid(&q, &x)).unwrap_or_else(|e| panic!("{e}")).iter().map(|&v| f64::from(v)).collect();
    assert_eq!(got, want);
    assert_eq!(relus(&q), 3, "6 leaves: 3 levels");
}

#[test]
fn arg_max_and_min_report_first_or_last_occurrence() {
    let x = t(&[2, 3], &[2., 5., 5., -1., -1., 0.]);
    let op = |kind, axis, keepdims, last| ArgMax { kind, axis, keepdims, select_last_index: last };
    assert_eq!(eval(&op(Extremum::Max, 1, false, false), &[&x]), t(&[2], &[1., 2.]));
    assert_eq!(eval(&op(Extremum::Max, -1, true, true), &[&x]), t(&[2, 1], &[2., 2.]));
    assert_eq!(eval(&op(Extremum::Min, 1, false, false), &[&x]), t(&[2], &[0., 0.]));
    assert_eq!(eval(&op(Extremum::Min, 1, false, true), &[&x]), t(&[2], &[0., 1.]));
    assert_eq!(eval(&op(Extremum::Max, 0, true, false), &[&x]), t(&[1, 3], &[0., 0., 0.]));
    assert!(op(Extremum::Max, 2, true, false).output_shape(&[&[2, 3]]).is_err());
}

#[test]
fn prelu_broadcasts_its_slope_to_the_input() {
    let x = t(&[1, 2, 2], &[-1., 2., -3., 4.]);
    let slope = t(&[2, 1], &[0.5, -2.]);
    assert_eq!(eval(&PRelu::default(), &[&x, &slope]), t(&[1, 2, 2], &[-0.5, 2., 6., 4.]));
    // Unidirectional: the slope may not widen the input.
    assert!(PRelu::default().output_shape(&[&[2], &[2, 2]]).is_err());
    // Opset 6: a 1-D slope of C values is per channel (axis 1), not per last axis.
    let legacy = PRelu { channel_slope: true };
    let x = t(&[1, 2, 3], &[-1., -1., -1., -1., -1., 2.]);
    let slope = t(&[2], &[0.5, 0.25]);
    assert_eq!(eval(&legacy, &[&x, &slope]), t(&[1, 2, 3], &[-0.5, -0.5, -0.5, -0.25, -0.25, 2.]));
    assert!(PRelu::default().output_shape(&[&[1, 2, 3], &[2]]).is_err());
}

#[test]
fn max_pool_is_exact_and_costs_one_relu_per_tree_level() {
    let g = graph(&[1, 2, 4, 4], |b, x| {
        node(b, MaxPool { kernel: vec![2, 2], strides: vec![2, 2], ..MaxPool::default() }, vec![x])
    });
    let x = values(1, 32);
    let (q, got, _) = both(&g, &x);
    let want = g.eval(&on_grid(&q, &x)).unwrap_or_else(|e| panic!("{e}"));
    assert!(got.iter().zip(want.iter()).all(|(a, b)| *a == f64::from(*b)), "{got:?} vs {want:?}");
    // 4 leaves: 2 levels, each one linear op + one ReLU, then the final sum.
    assert_eq!(relus(&q), 2, "{:#?}", q.nodes);
    assert_eq!(count(&q, |o| matches!(o, QOp::Linear(_))), 3);
    assert_eq!(count(&q, |o| matches!(o, QOp::Table(_) | QOp::Mul(_))), 0);
}

#[test]
fn max_pool_with_padding_dilations_and_ceil_mode_after_a_layer() {
    let pool = MaxPool {
        kernel: vec![2, 3],
        strides: vec![2, 1],
        pads: vec![1, 0, 0, 2],
        dilations: vec![1, 2],
        ceil_mode: true,
    };
    let g = graph(&[1, 6], |b, x| {
        let y = dense(b, x, 6, 30, 2);
        let s = b.constant("s", t(&[4], &[1., 2., 3., 5.]));
        let y = node(b, crate::ops::Reshape { shape: vec![1, 2, 3, 5], allow_zero: false }, vec![y, s]);
        node(b, pool.clone(), vec![y])
    });
    assert_eq!(g.output_shape(0), &[1, 2, 2, 3]);
    assert_int_close(&g, &values(3, 6), 6);
}

#[test]
fn max_and_min_of_activations_and_constants() {
    for kind in [Extremum::Max, Extremum::Min] {
        let g = graph(&[1, 4], |b, x| {
            let y = dense(b, x, 4, 12, 4);
            let s = b.constant("s", t(&[2], &[3., 4.]));
            let y = node(b, crate::ops::Reshape { shape: vec![3, 4], allow_zero: false }, vec![y, s]);
            let c = b.constant("c", t(&[4], &[0.25, -0.5, 0.0, 0.1]));
            let c2 = b.constant("c2", t(&[3, 1], &[-0.2, 0.3, 0.0]));
            node(b, Max { kind }, vec![y, x, c, c2])
        });
        assert_eq!(g.output_shape(0), &[3, 4]);
        assert_int_close(&g, &values(5, 4), 4);
        let q = quantized(&g, vec![values(5, 4)]).unwrap_or_else(|e| panic!("{e}"));
        // Four leaves per element (the constants fold into one): a two-level tree.
        assert_eq!(relus(&q), 2, "{kind:?}");
    }
}

#[test]
fn reduce_max_over_every_axis_combination() {
    for kind in [Extremum::Max, Extremum::Min] {
        for axes in [None, Some(vec![0]), Some(vec![1, -1]), Some(vec![-3])] {
            for keepdims in [false, true] {
                let g = graph(&[2, 3, 5], |b, x| {
                    node(b, ReduceMax { kind, axes: axes.clone(), keepdims, noop_with_empty_axes: false }, vec![x])
                });
                let x = values(6, 30);
                let (q, got, _) = both(&g, &x);
                let want = g.eval(&on_grid(&q, &x)).unwrap_or_else(|e| panic!("{e}"));
                let exact = got.iter().zip(want.iter()).all(|(a, b)| *a == f64::from(*b));
                assert!(exact, "{kind:?} {axes:?} {keepdims}: {got:?} vs {want:?}");
            }
        }
    }
    // Over 30 elements: ceil(log2 30) = 5 levels.
    let g = graph(&[2, 3, 5], |b, x| node(b, ReduceMax::default(), vec![x]));
    let (q, ..) = both(&g, &values(7, 30));
    assert_eq!(relus(&q), 5);
}

#[test]
fn arg_max_index_is_exact_at_scale_zero() {
    for kind in [Extremum::Max, Extremum::Min] {
        for last in [false, true] {
            let g = graph(&[1, 6], |b, x| {
                let y = dense(b, x, 6, 20, 8);
                let s = b.constant("s", t(&[2], &[4., 5.]));
                let y = node(b, crate::ops::Reshape { shape: vec![4, 5], allow_zero: false }, vec![y, s]);
                // Ties: max(y, 0) repeats 0 wherever y < 0.
                let y = node(b, crate::ops::Relu, vec![y]);
                node(b, ArgMax { kind, axis: 1, keepdims: true, select_last_index: last }, vec![y])
            });
            let (q, got, want) = both(&g, &values(9, 6));
            assert_eq!(q.tensors[q.outputs[0].tensor].scale, 0);
            assert_eq!(got, want.iter().map(|&v| f64::from(v)).collect::<Vec<_>>(), "{kind:?} last={last}");
            assert_eq!(count(&q, |o| matches!(o, QOp::Mul(_))), 4, "one product per step");
        }
    }
}

#[test]
fn prelu_is_close_to_f32_and_exact_for_non_negative_inputs() {
    let g = graph(&[1, 3, 4], |b, x| {
        let slope = b.constant("slope", t(&[3, 1], &[0.25, -0.7, 1.5]));
        node(b, PRelu::default(), vec![x, slope])
    });
    assert_int_close(&g, &values(10, 12), 2);
    let x: Vec<f32> = values(11, 12).iter().map(|v| v.abs()).collect();
    let (q, got, _) = both(&g, &x);
    let want = on_grid(&q, &x);
    assert!(got.iter().zip(&want).all(|(a, b)| *a == f64::from(*b)), "{got:?} vs {want:?}");
    assert_eq!(relus(&q), 1);
}

/// A rank-1..=3 shape and an axis of it.
fn shape_and_axis() -> impl Strategy<Value = (Vec<usize>, i64)> {
    prop::collection::vec(1usize..5, 1..=3).prop_flat_map(|s| {
        let r = s.len() as i64;
        (Just(s), -r..r)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn integer_extrema_equal_f32_on_the_input_grid(
        (shape, axis) in shape_and_axis(), seed in 0u64..1000, min in any::<bool>(), keepdims in any::<bool>(),
        last in any::<bool>(),
    ) {
        let kind = if min { Extremum::Min } else { Extremum::Max };
        let n: usize = shape.iter().product();
        let x = values(seed, n);
        let ops: [Box<dyn Op>; 2] = [
            Box::new(ReduceMax { kind, axes: Some(vec![axis]), keepdims, noop_with_empty_axes: false }),
            Box::new(ArgMax { kind, axis, keepdims, select_last_index: last }),
        ];
        for op in ops {
            let name = op.name();
            let g = {
                let mut b = GraphBuilder::new();
                let i = b.input("x", shape.clone());
                let o = b.node("op", op, vec![i], "y").unwrap_or_else(|e| panic!("{e}"));
                b.finish(o).unwrap_or_else(|e| panic!("{e}"))
            };
            let (q, got, _) = both(&g, &x);
            let want: Tensor = g.eval(&on_grid(&q, &x)).unwrap_or_else(|e| panic!("{e}"));
            let want: Vec<f64> = want.iter().map(|&v| f64::from(v)).collect();
            prop_assert_eq!(got, want, "{} over {:?} axis {}", name, shape, axis);
        }
    }

    #[test]
    fn integer_max_pool_equals_f32_on_the_input_grid(
        h in 1usize..6, w in 1usize..6, k in (1usize..4, 1usize..4), s in (1usize..3, 1usize..3),
        d in (1usize..3, 1usize..3), pads in (0usize..2, 0usize..2, 0usize..2, 0usize..2), ceil in any::<bool>(),
        seed in 0u64..1000,
    ) {
        let pool = MaxPool {
            kernel: vec![k.0, k.1], strides: vec![s.0, s.1], pads: vec![pads.0, pads.1, pads.2, pads.3],
            dilations: vec![d.0, d.1], ceil_mode: ceil,
        };
        prop_assume!(pool.output_shape(&[&[1, 2, h, w]]).is_ok());
        prop_assume!(pool.eval(&[&Tensor::zeros(vec![1, 2, h, w])]).is_ok());
        let g = graph(&[1, 2, h, w], |b, x| node(b, pool.clone(), vec![x]));
        let x = values(seed, 2 * h * w);
        let (q, got, _) = both(&g, &x);
        let want: Vec<f64> = g.eval(&on_grid(&q, &x)).unwrap_or_else(|e| panic!("{e}")).iter().map(|&v| f64::from(v)).collect();
        prop_assert_eq!(got, want);
    }
}

#[test]
fn only_model_constants_are_parameters_of_the_lowered_linear_ops() {
    // dense (model weights) -> Max with a constant (a model constant in a bias) -> Softmax (sums,
    // max tree, interpolation, division: all the lowering's own constants).
    let g = graph(&[1, 6], |b, x| {
        let y = dense(b, x, 6, 8, 7);
        let c = b.constant("c", t(&[8], &[0.1, -0.2, 0.3, 0.0, -0.5, 0.25, 0.0, 0.1]));
        let y = node(b, MAX, vec![y, c]);
        node(b, crate::ops::Softmax { axis: -1, coerce_2d: false, mask: None }, vec![y])
    });
    let q = quantized(&g, vec![values(8, 6)]).unwrap_or_else(|e| panic!("{e}"));
    let params = |kind| count(&q, |o| matches!(o, QOp::Linear(l) if l.params == kind));
    assert_eq!(params(LinearParams::All), 1, "{:#?}", q.nodes);
    assert_eq!(params(LinearParams::BiasOnly), 1, "{:#?}", q.nodes);
    assert!(params(LinearParams::Structural) >= 4, "{:#?}", q.nodes);
}
