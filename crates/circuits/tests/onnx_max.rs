//! End to end per comparison op (Max, Min, ReduceMax, ReduceMin, MaxPool, ArgMax, ArgMin) and
//! PRelu: a one-node ONNX model is imported, calibrated, quantized and planned; MockProver
//! accepts the honest witness, whose output cells hold exactly the integer evaluation; an output
//! that is not the true extremum (or an index off by one) is rejected by a constraint; and a
//! sampled mutation audit finds no free cell in the comparison tree or the index scan.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use common::*;
use zkinfer_circuits::audit::{audit, AuditOptions};
use zkinfer_circuits::{plan_circuit, CellOverride, CircuitPlan, Fr, ModelCircuit, PlanOptions};
use zkinfer_graph::ParamVisibility as P;
use zkinfer_graph::{calibrate, quantize, QGraph, QOp, QuantConfig, Visibility::*};
use zkinfer_onnx::proto::{AttributeProto, TensorProto};
use zkinfer_onnx::testing::{float_info, float_tensor, int_attr, ints_attr, model_bytes, node, values};

/// `op(x, extra inputs...)` over `x` of `dims` at opset 18, output of `out` dims.
fn one_node(
    op: &str,
    dims: &[i64],
    out: &[i64],
    inputs: &[&str],
    attrs: Vec<AttributeProto>,
    init: Vec<TensorProto>,
) -> Vec<u8> {
    let mut names = vec!["x"];
    names.extend_from_slice(inputs);
    model_bytes(18, vec![node(op, &names, "y", attrs)], init, float_info("x", dims), float_info("y", out))
}

/// Imported, calibrated on a few samples (private output, so a wrong output is caught by the
/// op's own constraints and not by the instance), planned with small limbs.
fn compile(bytes: &[u8]) -> (zkinfer_graph::Graph, QGraph, CircuitPlan, Vec<Vec<f32>>) {
    let g = zkinfer_onnx::parse(bytes).expect("import");
    let n: usize = g.input_shape(0).iter().product();
    let samples: Vec<Vec<f32>> = (0..6).map(|s| values(40 + s, n)).collect();
    let calib = calibrate(&g, zkinfer_graph::one_input_samples(samples.clone())).expect("calibrate");
    let q = quantize(&g, &calib, &QuantConfig::default(), &vis(Private, P::Fixed, Private)).expect("quantize");
    let p = plan_circuit(&q, &PlanOptions { max_limb_bits: 8, ..PlanOptions::default() }).expect("plan");
    (g, q, p, samples)
}

/// Honest witnesses are accepted with the integer evaluation in the output cells, within
/// `tol` of f32; output element 0 moved by `±delta` is rejected by a constraint.
fn check(bytes: &[u8], tol: f64) -> (QGraph, CircuitPlan, zkinfer_graph::Witness) {
    let (g, q, p, samples) = compile(bytes);
    assert!(q.nodes.iter().all(|n| !matches!(n.op, QOp::Table(_))), "no lookup table");
    let cells = ModelCircuit::new(Arc::new(q.clone()), p.clone(), None).output_cells(0).expect("layout");
    for x in &samples[..2] {
        let w = q.eval(q.quantize_input(x).expect("in range")).expect("eval");
        assert_eq!(mock(&q, &p, &w, vec![], None), Ok(()));
        let want: Vec<Fr> = w.output(&q, 0).iter().map(|&v| fe(v)).collect();
        assert_eq!(mock_values(&q, &p, &w, &cells), want);
        let got = q.dequantize_output(0, w.output(&q, 0));
        let f = g.eval(x).expect("f32");
        for (a, b) in got.iter().zip(f.iter()) {
            assert!((a - f64::from(*b)).abs() <= tol, "{got:?} vs {f:?}");
        }
    }
    let w = q.eval(q.quantize_input(&samples[0]).expect("in range")).expect("eval");
    let (column, row) = cells[0];
    let honest = fe(w.output(&q, 0)[0]);
    for value in [honest + Fr::one(), honest - Fr::one()] {
        let k = kinds(mock(&q, &p, &w, vec![CellOverride { column, row, value }], None));
        assert!(k.constraint, "{k:?}");
    }
    (q, p, w)
}

/// A sampled mutation audit: every changed cell is caught.
fn audited(q: QGraph, p: CircuitPlan, w: zkinfer_graph::Witness, sample: usize) {
    let report = audit(Arc::new(q), p, Arc::new(w), &AuditOptions { sample: Some(sample), seed: 7 }).expect("audit");
    assert!(report.checked == sample.min(report.total_cells) && report.mutations >= report.checked);
    assert!(report.is_sound(), "{}: {:?}", report.summary(), report.accepted);
}

#[test]
fn max_and_min_of_an_activation_and_constants() {
    for op in ["Max", "Min"] {
        let init = vec![float_tensor("c", &[3], vec![0.25, -0.5, 0.0]), float_tensor("d", &[2, 1], vec![-0.1, 0.2])];
        let bytes = one_node(op, &[2, 3], &[2, 3], &["c", "d"], vec![], init);
        let (q, ..) = check(&bytes, 1e-4);
        let relus = q.nodes.iter().filter(|n| matches!(&n.op, QOp::Requant(r) if r.relu)).count();
        assert_eq!(relus, 1, "{op}: the two constants fold into one, so one comparison level");
    }
}

#[test]
fn reduce_max_and_min_over_an_axis() {
    let bytes = one_node("ReduceMax", &[2, 3, 4], &[2, 4], &["a"], vec![int_attr("keepdims", 0)], vec![axes(&[1])]);
    let (q, p, w) = check(&bytes, 1e-4);
    audited(q, p, w, 48);
    let bytes = one_node("ReduceMin", &[2, 3, 4], &[2, 3, 1], &["a"], vec![], vec![axes(&[-1])]);
    check(&bytes, 1e-4);
}

fn axes(v: &[i64]) -> TensorProto {
    TensorProto {
        name: Some("a".into()),
        dims: vec![v.len() as i64],
        data_type: Some(zkinfer_onnx::proto::tensor_proto::DataType::Int64 as i32),
        int64_data: v.to_vec(),
        ..Default::default()
    }
}

#[test]
fn max_pool_with_padding_strides_and_ceil_mode() {
    let attrs = vec![
        ints_attr("kernel_shape", &[3, 3]),
        ints_attr("strides", &[2, 2]),
        ints_attr("pads", &[1, 0, 0, 1]),
        int_attr("ceil_mode", 1),
    ];
    let bytes = one_node("MaxPool", &[1, 2, 5, 5], &[1, 2, 3, 3], &[], attrs, vec![]);
    let (q, p, w) = check(&bytes, 1e-4);
    audited(q, p, w, 64);
}

#[test]
fn arg_max_and_arg_min_indices_are_exact() {
    for (op, last) in [("ArgMax", 0), ("ArgMin", 1)] {
        let attrs = vec![int_attr("axis", 1), int_attr("keepdims", 0), int_attr("select_last_index", last)];
        let bytes = one_node(op, &[3, 5], &[3], &[], attrs, vec![]);
        // The index is an integer at scale 0: exactly the f32 index.
        let (q, p, w) = check(&bytes, 0.0);
        assert_eq!(q.tensors[q.outputs[0].tensor].scale, 0);
        if op == "ArgMax" {
            audited(q, p, w, 64);
        }
    }
}

#[test]
fn prelu_with_a_per_channel_slope() {
    let slope = float_tensor("s", &[3, 1, 1], vec![0.25, -0.5, 1.5]);
    let bytes = one_node("PRelu", &[1, 3, 2, 2], &[1, 3, 2, 2], &["s"], vec![], vec![slope]);
    check(&bytes, 1e-3);
}
