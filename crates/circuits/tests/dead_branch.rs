//! A model with a dead branch (nodes whose values no output reads, as exporters leave them):
//! the branch is dropped with its tensors, and the rest lays out and proves. Before, the
//! dropped nodes' tensors stayed without values and synthesis failed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use zkinfer_circuits::{plan_circuit, PlanOptions};
use zkinfer_graph::ParamVisibility as P;
use zkinfer_graph::{calibrate, quantize, QuantConfig, Visibility::*};
use zkinfer_onnx::testing::{float_info, model_bytes, node, values};

#[test]
fn a_dead_branch_is_dropped_and_the_rest_proves() {
    let nodes = vec![
        node("Relu", &["x"], "y", vec![]),
        node("Mul", &["x", "x"], "dead_product", vec![]),
        node("Sigmoid", &["dead_product"], "dead_table", vec![]),
    ];
    let bytes = model_bytes(18, nodes, vec![], float_info("x", &[1, 4]), float_info("y", &[1, 4]));
    let g = zkinfer_onnx::parse(&bytes).expect("import");
    let samples: Vec<Vec<f32>> = (0..4).map(|s| values(70 + s, 4)).collect();
    let calib = calibrate(&g, zkinfer_graph::one_input_samples(samples.clone())).expect("calibrate");
    let q = quantize(&g, &calib, &QuantConfig::default(), &vis(Private, P::Fixed, Public)).expect("quantize");
    let p = plan_circuit(&q, &PlanOptions::default()).expect("plan");
    let w = q.eval(q.quantize_input(&samples[0]).expect("in range")).expect("eval");
    assert!(w.values.iter().zip(&q.tensors).all(|(v, t)| v.len() == t.len()), "every tensor has its values");
    assert!(q.tensors.iter().all(|t| !t.name.starts_with("dead")), "the dead branch's tensors are gone");
    assert_eq!(mock(&q, &p, &w, vec![], None), Ok(()));
}
