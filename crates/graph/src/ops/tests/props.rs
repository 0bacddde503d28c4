//! Proptests: integer eval of broadcasting elementwise ops and of convolution, over random shapes.

use proptest::prelude::*;

use super::{graph, int_vs_f32, node, t, values};
use crate::ops::{Add, Conv, MatMul, Mul, Padding, Reshape};
use crate::{GraphBuilder, ValueId};

/// An output shape (rank 1..=3) and two operand shapes that broadcast to it.
fn broadcast_shapes() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    prop::collection::vec((1usize..4, any::<bool>(), any::<bool>()), 1..=3).prop_flat_map(|dims| {
        let a: Vec<usize> = dims.iter().map(|&(d, ka, _)| if ka { d } else { 1 }).collect();
        let b: Vec<usize> = dims.iter().map(|&(d, _, kb)| if kb { d } else { 1 }).collect();
        // Optionally drop leading dims of b (numpy aligns trailing dims).
        (Just(a), 0..=b.len()).prop_map(move |(a, drop)| (a, b[drop..].to_vec()))
    })
}

fn reshape(b: &mut GraphBuilder, x: ValueId, shape: &[usize]) -> ValueId {
    let s = b.constant("shape", t(&[shape.len()], &shape.iter().map(|&d| d as f32).collect::<Vec<_>>()));
    node(b, Reshape { shape: shape.iter().map(|&d| d as i64).collect(), allow_zero: false }, vec![x, s])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn broadcast_add_mul_match_f32((sa, sb) in broadcast_shapes(), seed in 0u64..1000, mul in any::<bool>(), act_b in any::<bool>()) {
        let (na, nb) = (sa.iter().product::<usize>(), sb.iter().product::<usize>());
        let g = graph(&[1, na], |b, x| {
            let a = reshape(b, x, &sa);
            let rhs = if act_b {
                // A second activation of any shape: a dense layer of x, reshaped.
                let w = b.constant("w", t(&[na, nb], &values(seed + 1, na * nb)));
                let y = node(b, MatMul, vec![x, w]);
                reshape(b, y, &sb)
            } else {
                b.constant("c", t(&sb, &values(seed + 2, nb)))
            };
            if mul { node(b, Mul, vec![a, rhs]) } else { node(b, Add, vec![a, rhs]) }
        });
        let (err, quantum) = int_vs_f32(&g, &values(seed, na));
        prop_assert!(err <= (na + 4) as f64 * quantum, "err {err} quantum {quantum}");
    }

    #[test]
    fn conv_matches_f32(
        c in 1usize..3, c_out in 1usize..3, h in 1usize..6, w in 1usize..6, kh in 1usize..4, kw in 1usize..4,
        strides in (1usize..3, 1usize..3), dil in (1usize..3, 1usize..3),
        pads in (0usize..3, 0usize..3, 0usize..3, 0usize..3), seed in 0u64..1000,
    ) {
        let pads = Padding { top: pads.0, left: pads.1, bottom: pads.2, right: pads.3 };
        prop_assume!(h + pads.top + pads.bottom > dil.0 * (kh - 1));
        prop_assume!(w + pads.left + pads.right > dil.1 * (kw - 1));
        let conv = Conv { strides: [strides.0, strides.1], pads, dilations: [dil.0, dil.1], group: 1 };
        let g = graph(&[1, c, h, w], |b, x| {
            let wt = b.constant("w", t(&[c_out, c, kh, kw], &values(seed + 1, c_out * c * kh * kw)));
            let bias = b.constant("b", t(&[c_out], &values(seed + 2, c_out)));
            node(b, conv, vec![x, wt, bias])
        });
        let (err, quantum) = int_vs_f32(&g, &values(seed, c * h * w));
        prop_assert!(err <= (c * kh * kw + 2) as f64 * quantum, "err {err} quantum {quantum}");
    }
}
