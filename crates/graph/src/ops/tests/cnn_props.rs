//! Proptests for the re-wiring and pooling ops: integer eval against f32 over random shapes.

use proptest::prelude::*;

use super::{graph, int_vs_f32, node, t, values};
use crate::ops::{AveragePool, MatMul, Pad, PadMode, Reshape, Slice, Transpose};
use crate::{GraphBuilder, Op, ValueId};

/// `x` through a dense layer and reshaped to `shape`, so the op under test reads an activation.
fn activation(b: &mut GraphBuilder, x: ValueId, shape: &[usize], seed: u64) -> ValueId {
    let n: usize = shape.iter().product();
    let w = b.constant("w", t(&[n, n], &values(seed, n * n)));
    let y = node(b, MatMul, vec![x, w]);
    let s = b.constant("s", t(&[shape.len()], &shape.iter().map(|&d| d as f32).collect::<Vec<_>>()));
    node(b, Reshape { shape: shape.iter().map(|&d| d as i64).collect(), allow_zero: false }, vec![y, s])
}

fn shape() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1usize..4, 1..=3)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn transpose_matches_f32(shape in shape(), perm_seed in any::<u64>(), seed in 0u64..1000) {
        let mut perm: Vec<usize> = (0..shape.len()).collect();
        let r = perm.len();
        for i in (1..r).rev() {
            perm.swap(i, (perm_seed >> (4 * i)) as usize % (i + 1));
        }
        let n: usize = shape.iter().product();
        let g = graph(&[1, n], |b, x| {
            let y = activation(b, x, &shape, seed);
            node(b, Transpose { perm: Some(perm.clone()) }, vec![y])
        });
        let (err, quantum) = int_vs_f32(&g, &values(seed + 1, n));
        prop_assert!(err <= (n + 2) as f64 * quantum, "err {err} quantum {quantum}");
    }

    #[test]
    fn slice_matches_f32(shape in shape(), bounds in prop::collection::vec((-5i64..5, -5i64..5, prop_oneof![-2i64..0, 1i64..3]), 3), seed in 0u64..1000) {
        let r = shape.len();
        let slice = Slice {
            starts: bounds[..r].iter().map(|b| b.0).collect(),
            ends: bounds[..r].iter().map(|b| b.1).collect(),
            axes: None,
            steps: Some(bounds[..r].iter().map(|b| b.2).collect()),
        };
        let out = slice.output_shape(&[&shape]);
        prop_assume!(out.as_ref().is_ok_and(|s| !s.contains(&0)));
        let n: usize = shape.iter().product();
        let g = graph(&[1, n], |b, x| {
            let y = activation(b, x, &shape, seed);
            node(b, slice.clone(), vec![y])
        });
        let (err, quantum) = int_vs_f32(&g, &values(seed + 1, n));
        prop_assert!(err <= (n + 2) as f64 * quantum, "err {err} quantum {quantum}");
    }

    #[test]
    fn pad_matches_f32(shape in shape(), pads in prop::collection::vec(0i64..3, 6), mode in 0usize..4, value in -2f32..2f32, seed in 0u64..1000) {
        let r = shape.len();
        let mode = [PadMode::Constant, PadMode::Reflect, PadMode::Edge, PadMode::Wrap][mode];
        let mut p: Vec<i64> = pads[..r].to_vec();
        p.extend_from_slice(&pads[3..3 + r]);
        // Reflect needs pads smaller than the axis.
        let p = if mode == PadMode::Reflect { p.iter().enumerate().map(|(i, &v)| v.min(shape[i % r] as i64 - 1)).collect() } else { p };
        let n: usize = shape.iter().product();
        let g = graph(&[1, n], |b, x| {
            let y = activation(b, x, &shape, seed);
            node(b, Pad { pads: p.clone(), value, mode }, vec![y])
        });
        let (err, quantum) = int_vs_f32(&g, &values(seed + 1, n));
        prop_assert!(err <= (n + 2) as f64 * quantum, "err {err} quantum {quantum}");
    }

    #[test]
    fn average_pool_matches_f32(
        c in 1usize..3, h in 1usize..6, w in 1usize..6, kh in 1usize..4, kw in 1usize..4,
        strides in (1usize..3, 1usize..3), pads in (0usize..3, 0usize..3, 0usize..3, 0usize..3),
        count_include_pad in any::<bool>(), ceil_mode in any::<bool>(), seed in 0u64..1000,
    ) {
        prop_assume!(pads.0 < kh && pads.2 < kh && pads.1 < kw && pads.3 < kw);
        prop_assume!(h + pads.0 + pads.2 >= kh && w + pads.1 + pads.3 >= kw);
        let pool = AveragePool {
            kernel: vec![kh, kw],
            strides: vec![strides.0, strides.1],
            pads: vec![pads.0, pads.1, pads.2, pads.3],
            count_include_pad,
            ceil_mode,
            ..AveragePool::default()
        };
        let n = c * h * w;
        let g = graph(&[1, n], |b, x| {
            let y = activation(b, x, &[1, c, h, w], seed);
            node(b, pool, vec![y])
        });
        let (err, quantum) = int_vs_f32(&g, &values(seed + 1, n));
        prop_assert!(err <= (n + kh * kw + 2) as f64 * quantum, "err {err} quantum {quantum}");
    }
}
