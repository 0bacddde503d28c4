//! `Sign`, built as `[x > 0] − [x < 0]` from two comparison bits: -1, 0 and 1 exactly.

use zkinfer_onnx::parse;
use zkinfer_onnx::testing::{float_info, model_bytes, node};

#[test]
fn sign_is_minus_one_zero_or_one() {
    let bytes =
        model_bytes(13, vec![node("Sign", &["x"], "y", vec![])], vec![], float_info("x", &[5]), float_info("y", &[5]));
    let g = parse(&bytes).expect("import");
    let y = g.eval(&[-2.5, -0.001, 0.0, 0.001, 7.0]).expect("eval");
    assert_eq!(y.iter().copied().collect::<Vec<f32>>(), [-1., -1., 0., 1., 1.]);
}
