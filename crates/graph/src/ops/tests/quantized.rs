//! Integer evaluation of each op's lowering against its f32 evaluation.

use super::{assert_int_close, graph, int_vs_f32, node, quantized, t, values};
use crate::ops::{Add, Conv, Flatten, Gemm, Identity, LayerNorm, MatMul, Mul, NormKind, Padding, Relu, Reshape, Sub};
use crate::QOp;

#[test]
fn gemm_lowers_with_bias_and_transposes() {
    for (trans_a, trans_b) in [(false, false), (true, false), (false, true), (true, true)] {
        let a_shape = if trans_a { [5, 2] } else { [2, 5] };
        let b_shape = if trans_b { [3, 5] } else { [5, 3] };
        let g = graph(&a_shape, |b, x| {
            let w = b.constant("w", t(&b_shape, &values(1, 15)));
            let c = b.constant("c", t(&[3], &values(2, 3)));
            node(b, Gemm { alpha: 0.75, beta: 1.5, trans_a, trans_b }, vec![x, w, c])
        });
        assert_int_close(&g, &values(3, 10), 5);
    }
}

#[test]
fn gemm_bias_that_varies_per_row() {
    let g = graph(&[2, 4], |b, x| {
        let w = b.constant("w", t(&[4, 3], &values(4, 12)));
        let c = b.constant("c", t(&[2, 3], &values(5, 6)));
        node(b, Gemm::default(), vec![x, w, c])
    });
    assert_int_close(&g, &values(6, 8), 4);
}

#[test]
fn matmul_then_bias_add_is_one_linear_layer() {
    for bias_first in [false, true] {
        let g = graph(&[1, 6], |b, x| {
            let w = b.constant("w", t(&[6, 4], &values(7, 24)));
            let c = b.constant("c", t(&[4], &values(8, 4)));
            let y = node(b, MatMul, vec![x, w]);
            let y = node(b, Add, if bias_first { vec![c, y] } else { vec![y, c] });
            node(b, Relu, vec![y])
        });
        assert_int_close(&g, &values(9, 6), 6);
        let q = quantized(&g, vec![values(9, 6)]).unwrap_or_else(|e| panic!("{e}"));
        let linears = q.nodes.iter().filter(|n| matches!(n.op, QOp::Linear(_))).count();
        assert_eq!(linears, 1, "the bias should fold into the MatMul: {:#?}", q.nodes);
    }
}

#[test]
fn matmul_over_batch_dims_and_vectors() {
    let g = graph(&[2, 3, 4], |b, x| {
        let w = b.constant("w", t(&[4, 2], &values(10, 8)));
        node(b, MatMul, vec![x, w])
    });
    assert_int_close(&g, &values(11, 24), 4);
    let g = graph(&[4], |b, x| {
        let w = b.constant("w", t(&[4], &values(12, 4)));
        node(b, MatMul, vec![x, w])
    });
    assert_int_close(&g, &values(13, 4), 4);
}

#[test]
fn matmul_of_two_activations_is_exact_products_and_a_sum() {
    // x·x for a 2x2 x: two products per output, at the sum of the input scales.
    let g = graph(&[2, 2], |b, x| node(b, MatMul, vec![x, x]));
    assert_int_close(&g, &values(14, 4), 2);
}

#[test]
fn add_sub_mul_with_constants_and_activations() {
    let c = t(&[3], &[0.25, -0.5, 1.0]);
    let g = graph(&[2, 3], |b, x| {
        let c = b.constant("c", c.clone());
        let r = node(b, Relu, vec![x]);
        let y = node(b, Add, vec![r, c]); // not foldable: Relu's output
        let y = node(b, Sub, vec![c, y]); // const - act
        let y = node(b, Mul, vec![y, c]); // act * const, per column
        let z = node(b, Mul, vec![y, x]); // act * act
        node(b, Sub, vec![z, y]) // act - act at different scales
    });
    assert_int_close(&g, &values(15, 6), 8);
}

#[test]
fn shared_values_are_not_folded_into() {
    // y feeds both the Identity and the final Add: the bias must not land in y's producer.
    let g = graph(&[1, 4], |b, x| {
        let w = b.constant("w", t(&[4, 4], &values(16, 16)));
        let c = b.constant("c", t(&[4], &[1., 2., 3., 4.]));
        let y = node(b, MatMul, vec![x, w]);
        let z = node(b, Identity, vec![y]);
        let z = node(b, Add, vec![z, c]);
        node(b, Add, vec![z, y])
    });
    assert_int_close(&g, &values(17, 4), 8);
}

#[test]
fn conv_flatten_reshape() {
    let g = graph(&[1, 2, 5, 4], |b, x| {
        let w = b.constant("w", t(&[3, 2, 3, 2], &values(18, 36)));
        let bias = b.constant("b", t(&[3], &values(19, 3)));
        let shape = b.constant("s", t(&[2], &[0., -1.]));
        let conv = Conv {
            strides: [2, 1],
            pads: Padding { top: 1, left: 0, bottom: 2, right: 1 },
            dilations: [1, 2],
            group: 1,
        };
        let y = node(b, conv, vec![x, w, bias]);
        let y = node(b, Relu, vec![y]);
        let y = node(b, Flatten { axis: 2 }, vec![y]);
        node(b, Reshape { shape: vec![0, -1], allow_zero: false }, vec![y, shape])
    });
    assert_int_close(&g, &values(20, 40), 12);
}

/// Over a wide group the per-element weights `scale / N` are small: quantized at the constants'
/// capped scale they kept about `17 - log2 N` significant bits (an error of 2e-3 here, N = 256).
/// They get `log2 N` more bits of scale, and the error stays a few units of the output's scale.
#[test]
fn layer_norm_over_a_wide_group_keeps_its_weights_precise() {
    let n = 256;
    let gamma: Vec<f32> = values(7, n).iter().map(|v| 1.0 + 0.5 * v).collect();
    let g = graph(&[2, n], |b, x| {
        let scale = b.constant("scale", t(&[n], &gamma));
        let bias = b.constant("bias", t(&[n], &values(8, n)));
        node(b, LayerNorm { axis: -1, epsilon: 1e-5, kind: NormKind::Layer }, vec![x, scale, bias])
    });
    let x: Vec<f32> = values(9, 2 * n).iter().map(|v| 2.0 * v).collect();
    // The output's own scale is 2^-14: a few units of it.
    let (err, _) = int_vs_f32(&g, &x);
    assert!(err <= 2.5e-4, "error {err:.2e}");
}

/// RMSNormalization and InstanceNormalization share LayerNormalization's lowering: RMS without
/// centering (the mean square, not the variance) or bias, instance over the spatial axes with a
/// scale and bias per channel. Their f32 eval matches the ONNX formulas written out here, and
/// the integer eval stays within a few units of the output's scale of it.
#[test]
fn rms_and_instance_normalization_match_their_formulas() {
    // RMS over the last axis of [2, 6].
    let (gamma, x) = (values(3, 6), values(4, 12));
    let g = graph(&[2, 6], |b, x| {
        let scale = b.constant("scale", t(&[6], &gamma));
        node(b, LayerNorm { axis: -1, epsilon: 1e-3, kind: NormKind::Rms }, vec![x, scale])
    });
    let got = g.eval(&x).unwrap_or_else(|e| panic!("{e}"));
    for (i, row) in x.chunks(6).enumerate() {
        let ms = row.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / 6.0;
        for (j, v) in row.iter().enumerate() {
            let want = f64::from(*v) / (ms + 1e-3).sqrt() * f64::from(gamma[j]);
            assert!((f64::from(got.as_slice().unwrap()[i * 6 + j]) - want).abs() < 1e-5, "rms [{i}, {j}]");
        }
    }
    let (err, _) = int_vs_f32(&g, &x);
    assert!(err <= 2.5e-4, "rms error {err:.2e}");

    // Instance over [1, 3, 2, 4]: each channel's 8 values, scale and bias by channel.
    let (gamma, beta, x) = (values(5, 3), values(6, 3), values(7, 24));
    let g = graph(&[1, 3, 2, 4], |b, x| {
        let scale = b.constant("scale", t(&[3], &gamma));
        let bias = b.constant("bias", t(&[3], &beta));
        node(b, LayerNorm { axis: 2, epsilon: 1e-5, kind: NormKind::Instance }, vec![x, scale, bias])
    });
    let got = g.eval(&x).unwrap_or_else(|e| panic!("{e}"));
    for (c, group) in x.chunks(8).enumerate() {
        let mean = group.iter().map(|v| f64::from(*v)).sum::<f64>() / 8.0;
        let var = group.iter().map(|v| (f64::from(*v) - mean).powi(2)).sum::<f64>() / 8.0;
        for (j, v) in group.iter().enumerate() {
            let want = (f64::from(*v) - mean) / (var + 1e-5).sqrt() * f64::from(gamma[c]) + f64::from(beta[c]);
            assert!((f64::from(got.as_slice().unwrap()[c * 8 + j]) - want).abs() < 1e-4, "instance [{c}, {j}]");
        }
    }
    let (err, _) = int_vs_f32(&g, &x);
    assert!(err <= 2.5e-4, "instance error {err:.2e}");

    // A scale of the wrong length is refused by name.
    let g = graph(&[1, 3, 4], |b, x| {
        let scale = b.constant("scale", t(&[4], &values(8, 4)));
        let bias = b.constant("bias", t(&[4], &values(9, 4)));
        node(b, LayerNorm { axis: 2, epsilon: 1e-5, kind: NormKind::Instance }, vec![x, scale, bias])
    });
    let err = g.eval(&values(10, 12)).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("one per channel"), "{err}");
}

/// A MatMul by a constant with batch dims (the key of an attention whose K is a constant):
/// one matrix per batch, the activation's batch dims broadcast to the constant's.
#[test]
fn matmul_by_a_batched_constant_uses_each_batch_matrix() {
    for (xs, ws) in [(vec![2, 3, 4], vec![2, 4, 5]), (vec![3, 4], vec![2, 4, 5]), (vec![2, 1, 3, 4], vec![1, 2, 4, 2])]
    {
        let wn: usize = ws.iter().product();
        let w = values(11, wn);
        let g = graph(&xs, |b, x| {
            let c = b.constant("w", t(&ws, &w));
            node(b, MatMul, vec![x, c])
        });
        let x = values(12, xs.iter().product());
        assert_int_close(&g, &x, 4);
        // Batch 1's matrix, not batch 0's, gives the second batch's first output.
        if xs == [2, 3, 4] {
            let got = g.eval(&x).unwrap_or_else(|e| panic!("{e}"));
            let want: f32 = (0..4).map(|s| x[12 + s] * w[20 + s * 5]).sum();
            assert!((got.as_slice().unwrap()[15] - want).abs() < 1e-5);
        }
    }
}
