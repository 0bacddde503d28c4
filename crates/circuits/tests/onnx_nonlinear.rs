//! End to end: an ONNX model using every lookup-table activation (built here with prost) is
//! imported, calibrated, quantized and planned; MockProver accepts the honest witness and
//! rejects one lookup output off by one; the circuit's output is close to the f32 reference.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use zkinfer_circuits::LookupAdvice;

use common::*;
use zkinfer_circuits::{plan_circuit, AdviceRef, CellOverride, Fr, ModelCircuit, PlanOptions};
use zkinfer_graph::{calibrate, quantize, QOp, QuantConfig, VisibilityConfig};
use zkinfer_onnx::testing::{float_attr, float_info, float_tensor, model_bytes, node, values};

/// `h = x W1`; `u = Σ {Tanh, LeakyRelu, Sigmoid, Erf, Clip, Gelu}(h)`; `o = u W2`;
/// `y = Σ {Exp, Softplus, Elu, HardSigmoid, HardSwish, Sqrt(Abs)}(o)`. Opset 20.
fn model() -> Vec<u8> {
    let mut nodes = vec![node("MatMul", &["x", "w1"], "h", vec![])];
    let first = [
        ("Tanh", vec![]),
        ("LeakyRelu", vec![float_attr("alpha", 0.1)]),
        ("Sigmoid", vec![]),
        ("Erf", vec![]),
        ("Clip", vec![]),
        ("Gelu", vec![]),
    ];
    let mut acc = String::new();
    for (i, (op, attrs)) in first.into_iter().enumerate() {
        let out = format!("a{i}");
        let inputs: Vec<&str> = if op == "Clip" { vec!["h", "lo", "hi"] } else { vec!["h"] };
        nodes.push(node(op, &inputs, &out, attrs));
        acc = if i == 0 {
            out
        } else {
            let sum = format!("s{i}");
            nodes.push(node("Add", &[&acc, &out], &sum, vec![]));
            sum
        };
    }
    nodes.push(node("MatMul", &[&acc, "w2"], "o", vec![]));
    nodes.push(node("Abs", &["o"], "abs", vec![]));
    let second = [
        ("Exp", "o", vec![]),
        ("Softplus", "o", vec![]),
        ("Elu", "o", vec![float_attr("alpha", 0.5)]),
        ("HardSigmoid", "o", vec![]),
        ("HardSwish", "o", vec![]),
        ("Sqrt", "abs", vec![]),
    ];
    let mut acc = String::new();
    for (i, (op, input, attrs)) in second.into_iter().enumerate() {
        let out = format!("b{i}");
        nodes.push(node(op, &[input], &out, attrs));
        acc = if i == 0 {
            out
        } else {
            let sum = if i == 5 { "y".to_string() } else { format!("t{i}") };
            nodes.push(node("Add", &[&acc, &out], &sum, vec![]));
            sum
        };
    }
    let initializers = vec![
        float_tensor("w1", &[6, 8], values(1, 48)),
        float_tensor("w2", &[8, 4], values(2, 32).iter().map(|v| v * 0.5).collect()),
        float_tensor("lo", &[], vec![-0.5]),
        float_tensor("hi", &[], vec![0.75]),
    ];
    model_bytes(20, nodes, initializers, float_info("x", &[1, 6]), float_info("y", &[1, 4]))
}

#[test]
fn onnx_model_with_every_activation_is_proven_under_mock_prover() {
    let g = zkinfer_onnx::parse(&model()).expect("import");
    let samples: Vec<Vec<f32>> = (0..8).map(|s| values(10 + s, 6)).collect();
    let calib = calibrate(&g, zkinfer_graph::one_input_samples(samples.clone())).expect("calibrate");
    // Small tables keep the test fast (k = 13 instead of 16).
    let config = QuantConfig { table_bits: 9, ..QuantConfig::default() };
    let q = quantize(&g, &calib, &config, &VisibilityConfig::default()).expect("quantize");
    let tables: Vec<_> =
        q.nodes.iter().filter_map(|n| if let QOp::Table(t) = &n.op { Some(t) } else { None }).collect();
    // Every activation's input is requantized to the 9-bit table: two lookups (the neighbours
    // it interpolates between) into one table each.
    assert_eq!(tables.len(), 26);
    let mut distinct = tables.clone();
    distinct.dedup_by(|a, b| a == b);
    assert_eq!(distinct.len(), 13, "{tables:?}");
    assert!(tables.iter().all(|t| t.bits < 9), "{tables:?}");
    let p = plan_circuit(&q, &PlanOptions { max_limb_bits: 8, ..PlanOptions::default() }).expect("plan");
    assert!(p.lookup && p.stats.table_rows <= 1 + 13 * 512, "{}", p.summary());

    for x in &samples[..2] {
        let w = q.eval(q.quantize_input(x).expect("in range")).expect("eval");
        assert_eq!(mock(&q, &p, &w, vec![], None), Ok(()));
        // 9-bit tables step exp's input by 2^-5 (|o| < 2.2, margin 2): the nearest entry was ~2.3%
        // off; interpolating between the neighbours leaves < 0.03% (measured), so 0.2% catches a
        // wrong table or a wrong interpolation weight.
        let got = q.dequantize_output(0, w.output(&q, 0));
        let want = g.eval(x).expect("f32");
        for (a, b) in got.iter().zip(want.iter()) {
            assert!((a - f64::from(*b)).abs() < 0.002 * f64::from(b.abs()).max(1.0), "{got:?} vs {want:?}");
        }
    }

    let w = q.eval(q.quantize_input(&samples[0]).expect("in range")).expect("eval");
    let c = ModelCircuit::new(Arc::new(q.clone()), p.clone(), None);
    let (col, row) = c
        .assigned_advice_cells()
        .expect("layout")
        .into_iter()
        .rfind(|&(r, _)| r == AdviceRef::Lookup(LookupAdvice::Out))
        .expect("a lookup");
    let honest = mock_values(&q, &p, &w, &[(col, row)])[0];
    let k = kinds(mock(&q, &p, &w, vec![CellOverride { column: col, row, value: honest + Fr::one() }], None));
    assert!(k.lookup, "{k:?}");
}
