//! Lookup-table activations: integer eval against f32 within a tolerance derived from the
//! scales, the table's domain and size, and the out-of-domain error.

use proptest::prelude::*;

use super::{graph, int_vs_f32, node, quantized, t, values};
use crate::ops::{
    Abs, Clip, Elu, Erf, Exp, Gelu, HardSigmoid, HardSwish, LeakyRelu, MatMul, Mish, Relu, Selu, Sigmoid, Softplus,
    Softsign, Sqrt, Tanh, Trig, TrigFn,
};
use crate::{
    calibrate, erf, quantize, Graph, GraphError, Op, QOp, QuantConfig, TableFn, TableOp, VisibilityConfig,
    DEFAULT_TABLE_BITS,
};

/// `x[1, 6] -> MatMul(6x4) -> op`: the op reads a rescaled accumulator with |v| up to ~3.
fn dense_then(op: impl Op + 'static, seed: u64) -> Graph {
    graph(&[1, 6], |b, x| {
        let w = b.constant("w", t(&[6, 4], &values(seed, 24)));
        let y = node(b, MatMul, vec![x, w]);
        node(b, op, vec![y])
    })
}

/// Integer eval vs f32: the table input carries at most one quantum of error (input rounding
/// plus the rescale's rounding, each half a quantum), scaled by the slope `lipschitz`; the
/// output rounding adds half a quantum. `quantum` is that of the coarsest scale in the graph.
fn check(g: &Graph, x: &[f32], lipschitz: f64) {
    let (err, quantum) = int_vs_f32(g, x);
    let tol = (2.0 * lipschitz + 1.0) * quantum;
    assert!(err <= tol, "integer eval differs from f32 by {err} (tolerance {tol})");
}

#[test]
fn erf_matches_reference_values() {
    // Values from mpmath (30 digits), rounded.
    let cases = [
        (0.0, 0.0),
        (0.5, 0.520_499_877_813_046_5),
        (1.0, 0.842_700_792_949_714_9),
        (2.0, 0.995_322_265_018_952_7),
        (2.6, 0.999_763_965_583_347_6),
        (3.0, 0.999_977_909_503_001_4),
        (-1.5, -0.966_105_146_475_310_7),
        (7.0, 1.0),
    ];
    for (x, want) in cases {
        assert!((erf(x) - want).abs() < 1e-12, "erf({x}) = {} want {want}", erf(x));
    }
}

#[test]
fn every_activation_matches_f32() {
    let ops: Vec<(Box<dyn Op>, f64)> = vec![
        (Box::new(Sigmoid), 0.25),
        (Box::new(Tanh), 1.0),
        (Box::new(Exp), 20.1),
        (Box::new(Erf), 1.13),
        (Box::new(Softplus), 1.0),
        (Box::new(Softsign), 1.0),
        (Box::new(Mish), 1.09),
        (Box::new(Selu { alpha: 1.673_263_2, gamma: 1.050_701 }), 1.76),
        (Box::new(Elu { alpha: 0.7 }), 1.0),
        (Box::new(HardSigmoid { alpha: 0.2, beta: 0.5 }), 0.2),
        (Box::new(HardSwish), 1.5),
        (Box::new(LeakyRelu { alpha: 0.1 }), 1.0),
        (Box::new(Clip { min: -0.5, max: 0.8 }), 1.0),
        (Box::new(Abs), 1.0),
        (Box::new(Gelu { tanh: false }), 1.2),
        (Box::new(Gelu { tanh: true }), 1.2),
    ];
    for (i, (op, lipschitz)) in ops.into_iter().enumerate() {
        let name = op.name();
        let g = graph(&[1, 6], |b, x| {
            let w = b.constant("w", t(&[6, 4], &values(20 + i as u64, 24)));
            let y = node(b, MatMul, vec![x, w]);
            b.node("act", op, vec![y], "act_out").unwrap_or_else(|e| panic!("{name}: {e}"))
        });
        for seed in 0..3 {
            check(&g, &values(40 + seed, 6), lipschitz);
        }
    }
}

/// The trigonometric family on the whole line (the others on their domains, below), against
/// the std functions and with the integer eval within its tolerance.
#[test]
fn trigonometric_functions_match_f32() {
    let whole_line = [(TrigFn::Sin, 1.0), (TrigFn::Cos, 1.0), (TrigFn::Atan, 1.0), (TrigFn::Asinh, 1.0)];
    for (i, (func, lipschitz)) in whole_line.into_iter().enumerate() {
        let g = dense_then(Trig { func }, 70 + i as u64);
        for seed in 0..3 {
            check(&g, &values(80 + seed, 6), lipschitz);
        }
    }
    // Over [-0.9, 0.9] (x/2 of inputs in [-1.8, 1.8]), and cosh/sinh over the same.
    for func in [TrigFn::Asin, TrigFn::Acos, TrigFn::Atanh, TrigFn::Sinh, TrigFn::Cosh, TrigFn::Tan] {
        let g = graph(&[1, 6], |b, x| {
            let half = b.constant("half", t(&[1], &[0.5]));
            let y = node(b, crate::ops::Mul, vec![x, half]);
            node(b, Trig { func }, vec![y])
        });
        let x: Vec<f32> = values(90, 6).iter().map(|v| 1.8 * v.clamp(-1.0, 1.0)).collect();
        let want: Vec<f64> = x.iter().map(|&v| func.real(f64::from(v) * 0.5)).collect();
        let got = g.eval(&x).unwrap_or_else(|e| panic!("{e}"));
        for (g, w) in got.iter().zip(&want) {
            assert!((f64::from(*g) - w).abs() < 1e-6, "{func:?}");
        }
        // The steepest of these (atanh at 0.9: 5.3) sets the slope.
        check(&g, &x, 5.3);
    }
    assert_eq!(Trig { func: TrigFn::Acosh }.name(), "Acosh");
    assert!(TrigFn::Acosh.real(0.5).is_nan() && TrigFn::Asin.real(1.5).is_nan());
}

#[test]
fn sqrt_of_a_relu_matches_f32() {
    let g = graph(&[1, 6], |b, x| {
        let w = b.constant("w", t(&[6, 4], &values(60, 24)));
        let y = node(b, MatMul, vec![x, w]);
        let y = node(b, Relu, vec![y]);
        node(b, Sqrt, vec![y])
    });
    let (err, quantum) = int_vs_f32(&g, &values(61, 6));
    // sqrt is steepest at 0: one input quantum moves it by up to sqrt(quantum).
    assert!(err <= quantum.sqrt() + quantum, "{err} vs quantum {quantum}");
}

#[test]
fn wide_inputs_are_requantized_to_the_table_size() {
    let g = dense_then(Tanh, 3);
    let q = quantized(&g, (0..4).map(|s| values(70 + s, 6)).collect()).unwrap_or_else(|e| panic!("{e}"));
    let i = q.nodes.iter().position(|n| matches!(n.op, QOp::Table(_))).unwrap_or_else(|| panic!("no table"));
    let QOp::Table(table) = &q.nodes[i].op else { unreachable!() };
    assert!(table.bits < DEFAULT_TABLE_BITS, "domain 2^{} too wide", table.bits);
    assert_eq!(table.func, TableFn::Tanh);
    // Its input is a rescale with a proven remainder down to the table's input scale.
    let input = q.nodes[i].inputs[0];
    let producer = q.nodes.iter().find(|n| n.output == input).unwrap_or_else(|| panic!("producer"));
    assert!(matches!(&producer.op, QOp::Requant(r) if r.shift > 0), "{:?}", producer.op);
    assert_eq!(q.tensors[input].scale, table.in_scale);
    assert!(table.table().len() <= 1 << DEFAULT_TABLE_BITS);
    // The table holds exactly the integer function.
    assert!(table.table().iter().all(|&(x, y)| table.value(x) == Some(y)));
}

#[test]
fn input_outside_the_table_domain_is_an_error_naming_the_tensor() {
    let g = graph(&[2], |b, x| node(b, Sigmoid, vec![x]));
    // Nearest-entry lookups keep the table at the input's scale (interpolated ones may coarsen
    // it, and a coarser grid can round the domain up to the input's range).
    let calib = calibrate(&g, crate::one_input_samples(vec![vec![1.0, -1.0], vec![0.5, 0.25]]));
    let config = QuantConfig { table_interpolation: false, ..QuantConfig::default() };
    let q = calib.and_then(|c| quantize(&g, &c, &config, &VisibilityConfig::default()));
    let q = q.unwrap_or_else(|e| panic!("{e}"));
    // 3.0 passes the input range check (|x| < 4) but not the table's domain (|x| < 2).
    let x = q.quantize_input(&[3.0, 0.0]).unwrap_or_else(|e| panic!("{e}"));
    match q.eval(x) {
        Err(e @ GraphError::OutsideTable { .. }) => {
            let GraphError::OutsideTable { tensor, real, .. } = &e else { unreachable!() };
            assert!(tensor.contains("n0_out"), "{e}");
            assert!((real - 3.0).abs() < 0.01, "{e}");
        }
        other => panic!("expected OutsideTable, got {other:?}"),
    }
    let x = q.quantize_input(&[1.5, -1.9]).unwrap_or_else(|e| panic!("{e}"));
    assert!(q.eval(x).is_ok());
}

#[test]
fn sqrt_of_a_negative_is_an_error() {
    let g = graph(&[2], |b, x| node(b, Sqrt, vec![x]));
    let q = quantized(&g, vec![vec![1.0, 0.5]]).unwrap_or_else(|e| panic!("{e}"));
    let x = q.quantize_input(&[-0.5, 0.5]).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(q.eval(x), Err(GraphError::OutsideTable { .. })));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn sigmoid_and_tanh_match_f32_on_random_inputs(
        x in prop::collection::vec(-1.0f32..1.0, 6),
        seed in 0u64..1000,
        tanh in any::<bool>(),
    ) {
        let g = if tanh { dense_then(Tanh, seed) } else { dense_then(Sigmoid, seed) };
        check(&g, &x, if tanh { 1.0 } else { 0.25 });
    }
}

/// One activation on an evenly spread wide input, with bounds over that range on `|f'|`,
/// `|f''|` and the jump of `f'` at a kink.
struct WideCase {
    op: Box<dyn Op>,
    range: (f32, f32),
    lipschitz: f64,
    curvature: f64,
    kink: f64,
}

fn wide_cases() -> Vec<WideCase> {
    let case = |op: Box<dyn Op>, range, lipschitz, curvature, kink| WideCase { op, range, lipschitz, curvature, kink };
    vec![
        case(Box::new(Sigmoid), (-6.0, 6.0), 0.25, 0.097, 0.0),
        case(Box::new(Tanh), (-4.0, 4.0), 1.0, 0.77, 0.0),
        case(Box::new(Exp), (-3.0, 3.0), 20.1, 20.1, 0.0),
        case(Box::new(Erf), (-3.0, 3.0), 1.13, 0.97, 0.0),
        case(Box::new(Softplus), (-5.0, 5.0), 1.0, 0.25, 0.0),
        case(Box::new(Softsign), (-4.0, 4.0), 1.0, 2.0, 0.0),
        case(Box::new(Mish), (-5.0, 5.0), 1.09, 0.65, 0.0),
        case(Box::new(Selu { alpha: 1.673_263_2, gamma: 1.050_701 }), (-4.0, 4.0), 1.76, 1.76, 0.71),
        case(Box::new(Elu { alpha: 0.7 }), (-4.0, 4.0), 1.0, 0.7, 0.3),
        case(Box::new(HardSigmoid { alpha: 0.2, beta: 0.5 }), (-4.0, 4.0), 0.2, 0.0, 0.2),
        case(Box::new(HardSwish), (-5.0, 5.0), 1.5, 0.34, 0.5),
        case(Box::new(LeakyRelu { alpha: 0.1 }), (-4.0, 4.0), 1.0, 0.0, 0.9),
        case(Box::new(Clip { min: -0.5, max: 0.8 }), (-4.0, 4.0), 1.0, 0.0, 1.0),
        case(Box::new(Abs), (-4.0, 4.0), 1.0, 0.0, 2.0),
        case(Box::new(Sqrt), (0.25, 4.0), 1.0, 2.0, 0.0),
        case(Box::new(Gelu { tanh: false }), (-4.0, 4.0), 1.13, 0.8, 0.0),
        case(Box::new(Gelu { tanh: true }), (-4.0, 4.0), 1.13, 0.8, 0.0),
    ]
}

/// Max |integer - f32| of `x -> op` on `x` (also the calibration data), and the graph.
fn wide_error(op: Box<dyn Op>, x: &[f32], interpolate: bool) -> (f64, crate::QGraph) {
    let g =
        graph(&[1, x.len()], |b, input| b.node("act", op, vec![input], "act_out").unwrap_or_else(|e| panic!("{e}")));
    let calib = calibrate(&g, vec![vec![x.to_vec()]]).unwrap_or_else(|e| panic!("{e}"));
    let config = QuantConfig { table_interpolation: interpolate, ..QuantConfig::default() };
    let q = quantize(&g, &calib, &config, &VisibilityConfig::default()).unwrap_or_else(|e| panic!("{e}"));
    let w = q.eval(q.quantize_input(x).unwrap_or_else(|e| panic!("{e}"))).unwrap_or_else(|e| panic!("{e}"));
    let got = q.dequantize_output(0, w.output(&q, 0));
    let want = g.eval(x).unwrap_or_else(|e| panic!("{e}"));
    (got.iter().zip(want.iter()).fold(0f64, |m, (a, b)| m.max((a - f64::from(*b)).abs())), q)
}

/// With the table input 8 bits coarser than the activation (|x| ≤ 4 in a 12-bit table), the
/// interpolated output is within `|f'|` times the input's rounding, `|f''|·h²/8` (the chord's
/// distance from the curve, table step `h`), `jump·h/4` at a kink, and the rounding of the
/// table entries and of the output; and far below the nearest entry's error (`|f'|·h/2`).
#[test]
fn interpolation_error_is_within_its_bound_and_below_the_nearest_entry() {
    for (c, same) in wide_cases().into_iter().zip(wide_cases()) {
        let (op, same_op, (lo, hi)) = (c.op, same.op, c.range);
        let (lip, fpp, jump) = (c.lipschitz, c.curvature, c.kink);
        let name = op.name();
        let n = 997;
        let x: Vec<f32> = (0..n).map(|i| lo + (hi - lo) * i as f32 / (n - 1) as f32).collect();
        let (plain, q) = wide_error(same_op, &x, false);
        assert_eq!(q.nodes.iter().filter(|n| matches!(n.op, QOp::Table(_))).count(), 1, "{name}");
        let (interp, q) = wide_error(op, &x, true);
        let tables: Vec<&TableOp> =
            q.nodes.iter().filter_map(|n| if let QOp::Table(t) = &n.op { Some(t) } else { None }).collect();
        assert_eq!(tables.len(), 2, "{name}: two lookups");
        assert_eq!(tables[0], tables[1], "{name}: one table");
        let t = tables[0];
        let step = 0.5f64.powi(t.in_scale as i32);
        let quantum = |s: u32| 0.5f64.powi(s as i32);
        let bound = lip * quantum(q.tensors[q.inputs[0].tensor].scale + 1)
            + fpp * step * step / 8.0
            + jump * step / 4.0
            + quantum(t.out_scale + 1)
            + quantum(q.tensors[q.outputs[0].tensor].scale + 1)
            + 1e-6 * f64::from(x.iter().fold(0f32, |m, v| m.max(v.abs()))).exp().min(1e3);
        assert!(interp <= bound, "{name}: error {interp:e} above its bound {bound:e}");
        // Measured: 14x (HardSigmoid, whose small slope keeps the nearest-entry error small) to 76x.
        assert!(plain >= 8.0 * interp, "{name}: {interp:e} interpolated vs {plain:e} nearest entry");
    }
}

#[test]
fn interpolation_is_on_by_default_and_off_for_settings_written_without_it() {
    assert!(QuantConfig::default().table_interpolation);
    let mut old = serde_json::to_value(QuantConfig::default()).unwrap_or_else(|e| panic!("{e}"));
    if let Some(m) = old.as_object_mut() {
        m.remove("table_interpolation");
    }
    let old: QuantConfig = serde_json::from_value(old).unwrap_or_else(|e| panic!("{e}"));
    assert!(!old.table_interpolation);
}

#[test]
fn interpolated_abs_stays_non_negative_for_a_sqrt() {
    // Interpolation is a convex combination of two entries: it never extrapolates below 0.
    let g = graph(&[1, 64], |b, x| {
        let a = node(b, Abs, vec![x]);
        node(b, Sqrt, vec![a])
    });
    // Spread over [-4, 4], plus values within half a table step (2^-9) of 0, where rounding to
    // the nearest entry and extrapolating would give a negative output.
    let mut x: Vec<f32> = (0..61).map(|i| (i as f32 - 30.3) / 7.5).collect();
    x.extend([-0.001, -0.0017, 0.0009]);
    let q = quantized(&g, vec![x.clone()]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(q.nodes.iter().filter(|n| matches!(n.op, QOp::Table(_))).count(), 4);
    let w = q.eval(q.quantize_input(&x).unwrap_or_else(|e| panic!("{e}"))).unwrap_or_else(|e| panic!("{e}"));
    let got = q.dequantize_output(0, w.output(&q, 0));
    let want = g.eval(&x).unwrap_or_else(|e| panic!("{e}"));
    assert!(got.iter().all(|&v| v >= 0.0), "{got:?}");
    let err = got.iter().zip(want.iter()).fold(0f64, |m, (a, b)| m.max((a - f64::from(*b)).abs()));
    // Near 0 the chord of sqrt over one table step h lies up to sqrt(h)/4 below the curve.
    let Some(h) = q.nodes.iter().rev().find_map(|n| match &n.op {
        QOp::Table(t) if t.func == TableFn::Sqrt => Some(0.5f64.powi(t.in_scale as i32)),
        _ => None,
    }) else {
        panic!("no sqrt table")
    };
    assert!(err <= h.sqrt() / 4.0 + 1e-3, "{err} vs step {h}");
}

#[test]
fn exp_too_wide_to_interpolate_in_64_bits_takes_the_nearest_entry() {
    // e^40 (the range times the margin) at the output scale times 2^L would overflow an i64.
    let g = graph(&[1, 41], |b, x| node(b, Exp, vec![x]));
    let x: Vec<f32> = (0..41).map(|i| i as f32 - 20.0).collect();
    let q = quantized(&g, vec![x.clone()]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(q.nodes.iter().filter(|n| matches!(n.op, QOp::Table(_))).count(), 1);
    assert!(!q.nodes.iter().any(|n| matches!(n.op, QOp::Mul(_))));
    let w = q.eval(q.quantize_input(&x).unwrap_or_else(|e| panic!("{e}"))).unwrap_or_else(|e| panic!("{e}"));
    let got = q.dequantize_output(0, w.output(&q, 0));
    let want = g.eval(&x).unwrap_or_else(|e| panic!("{e}"));
    for (a, b) in got.iter().zip(want.iter()) {
        // The table step (2^-5) times the slope: ~3% at most.
        assert!((a - f64::from(*b)).abs() <= 0.04 * f64::from(*b) + 1.0, "{a} vs {b}");
    }
    // Half that range fits (e^20 at the output scale, times 2^L, is below 2^61).
    let x: Vec<f32> = x.iter().map(|v| v / 2.0).collect();
    let q = quantized(&g, vec![x]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(q.nodes.iter().filter(|n| matches!(n.op, QOp::Table(_))).count(), 2);
}
