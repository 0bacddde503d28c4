//! Per-op tests: f32 eval against hand-computed values, integer eval against f32, and
//! proptests over shapes for the broadcasting and convolution lowerings.

mod cnn_f32;
mod cnn_props;
mod cnn_quantized;
mod f32_eval;
mod max_ops;
mod nonlinear;
mod props;
mod quantized;

use ndarray::ArrayD;

use crate::{calibrate, quantize, Graph, GraphBuilder, Op, QGraph, QuantConfig, Tensor, ValueId, VisibilityConfig};

/// A tensor from a shape and values.
pub(super) fn t(shape: &[usize], v: &[f32]) -> Tensor {
    ArrayD::from_shape_vec(shape.to_vec(), v.to_vec()).unwrap_or_else(|e| panic!("{e}"))
}

pub(super) use crate::testing::values;

/// Evaluates one op on f32 inputs.
pub(super) fn eval(op: &dyn Op, inputs: &[&Tensor]) -> Tensor {
    op.eval(inputs).unwrap_or_else(|e| panic!("{}: {e}", op.name()))
}

/// Builds a graph from input `x` of `shape`; `body` adds the nodes and returns the output.
pub(super) fn graph(shape: &[usize], body: impl FnOnce(&mut GraphBuilder, ValueId) -> ValueId) -> Graph {
    let mut b = GraphBuilder::new();
    let x = b.input("x", shape.to_vec());
    let out = body(&mut b, x);
    b.finish(out).unwrap_or_else(|e| panic!("{e}"))
}

/// Adds a node, panicking with the error on failure.
pub(super) fn node(b: &mut GraphBuilder, op: impl Op + 'static, inputs: Vec<ValueId>) -> ValueId {
    let name = format!("n{}", inputs.iter().map(|i| i.to_string()).collect::<String>());
    b.node(&name, Box::new(op), inputs, &format!("{name}_out")).unwrap_or_else(|e| panic!("{e}"))
}

/// Quantizes `g` (calibrated on `samples`).
pub(super) fn quantized(g: &Graph, samples: Vec<Vec<f32>>) -> crate::Result<QGraph> {
    let calib = calibrate(g, crate::one_input_samples(samples))?;
    quantize(g, &calib, &QuantConfig::default(), &VisibilityConfig::default())
}

/// Max abs difference between the integer and the f32 evaluation of `g` on `x`, calibrated on
/// `x` and a few random inputs, and the quantum `2^-s` of the smallest scale in the integer graph.
pub(super) fn int_vs_f32(g: &Graph, x: &[f32]) -> (f64, f64) {
    let n = x.len();
    let mut samples: Vec<Vec<f32>> = (0..4).map(|s| values(100 + s, n)).collect();
    samples.push(x.to_vec());
    let q = quantized(g, samples).unwrap_or_else(|e| panic!("quantize: {e}"));
    let w = q.eval(q.quantize_input(x).unwrap_or_else(|e| panic!("{e}"))).unwrap_or_else(|e| panic!("eval: {e}"));
    let got = q.dequantize_output(0, w.output(&q, 0));
    let want = g.eval(x).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got.len(), want.len());
    let err = got.iter().zip(want.iter()).fold(0f64, |m, (a, b)| m.max((a - *b as f64).abs()));
    let min_scale = q.tensors.iter().map(|t| t.scale).min().unwrap_or(0);
    (err, 0.5f64.powi(min_scale as i32))
}

/// Asserts the integer evaluation is within `terms + 2` quanta of f32.
pub(super) fn assert_int_close(g: &Graph, x: &[f32], terms: usize) {
    let (err, quantum) = int_vs_f32(g, x);
    let tol = (terms as f64 + 2.0) * quantum;
    assert!(err <= tol, "integer eval differs from f32 by {err} (tolerance {tol})");
}
