//! How close an output must be to the reference (`output_0.pb`).
//!
//! * f32 graph (the importer's semantics): `|got − want| ≤ F32_ATOL + F32_RTOL·|want|`, the ONNX
//!   backend tests' own relative tolerance (1e-3) with a small absolute floor for summation order.
//! * circuit output, dequantized at output scale `s` (a value `v` is the integer `round(v·2^s)`):
//!   `|got − want| ≤ Q_ULPS·2^−s + Q_RTOL·|want|`. The output's own rounding is half a unit
//!   (`2^−s−1`); the rest is the rounding of the input and of the constants, which a product
//!   carries into the output. Measured on onnx 1.22.0's cases: every supported case is within
//!   half of this (`1·2^−s + 2^−12·|want|`; the closest is `node/test_batchnorm_epsilon`), and a
//!   semantic error (a wrong axis, a missing bias) is far outside it.
//! * a reference stored in a 16-bit float type is itself rounded: half its unit in the last
//!   place (`2^−11·|want|` for float16, `2^−8·|want|` for bfloat16, [`reference_rtol`]) is added
//!   to either tolerance.

/// Absolute floor of the f32 comparison.
pub const F32_ATOL: f64 = 1e-5;
/// Relative term of the f32 comparison.
pub const F32_RTOL: f64 = 1e-3;
/// Absolute term of the circuit comparison, in units of the output scale `2^−s`.
pub const Q_ULPS: f64 = 2.0;
/// Relative term of the circuit comparison: 2^−11 (≈ 0.05%).
pub const Q_RTOL: f64 = 1.0 / 2048.0;

/// The relative rounding of a reference stored as ONNX data type `data_type`: half a unit in
/// the last place of a 16-bit float (float16 keeps 10 fraction bits, bfloat16 7), else 0.
pub fn reference_rtol(data_type: i32) -> f64 {
    use zkinfer_onnx::proto::tensor_proto::DataType;
    match DataType::try_from(data_type) {
        Ok(DataType::Float16) => 1.0 / 2048.0,
        Ok(DataType::Bfloat16) => 1.0 / 256.0,
        _ => 0.0,
    }
}

/// The circuit tolerance for one expected value `want` at output scale `scale`.
pub fn quantized_tolerance(want: f64, scale: u32) -> f64 {
    Q_ULPS / (1u64 << scale.min(62)) as f64 + Q_RTOL * want.abs()
}

/// Checks the f32 graph's output against a reference rounded by `reference_rtol`.
pub fn check_f32(got: &[f32], want: &[f32], reference_rtol: f64) -> Result<(), String> {
    let got: Vec<f64> = got.iter().map(|&v| f64::from(v)).collect();
    worst(&got, want, |w| F32_ATOL + (F32_RTOL + reference_rtol) * w.abs()).map(drop)
}

/// Checks the circuit's dequantized output against a reference rounded by `reference_rtol`;
/// returns the largest absolute error.
pub fn check_quantized(got: &[f64], want: &[f32], scale: u32, reference_rtol: f64) -> Result<f64, String> {
    worst(got, want, |w| quantized_tolerance(w, scale) + reference_rtol * w.abs())
}

/// The largest absolute error, or the first element outside `tol` (NaN references must match NaN).
fn worst(got: &[f64], want: &[f32], tol: impl Fn(f64) -> f64) -> Result<f64, String> {
    if got.len() != want.len() {
        return Err(format!("{} values, the reference has {}", got.len(), want.len()));
    }
    let mut max = 0f64;
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let w = f64::from(w);
        let err = (g - w).abs();
        // `err` is NaN when either value is: only a NaN reference matches a NaN.
        let ok = err <= tol(w) || (g.is_nan() && w.is_nan()) || g == w;
        if !ok {
            return Err(format!("value #{i} is {g}, the reference {w} (error {err:.3e} > tolerance {:.3e})", tol(w)));
        }
        if err.is_finite() {
            max = max.max(err);
        }
    }
    Ok(max)
}
