//! Shared helpers for the end-to-end tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use zkinfer::{CompileOptions, Compiled, Model, Sample};

pub fn models_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/models")
}

pub fn model_path(name: &str) -> PathBuf {
    models_dir().join(format!("{name}.onnx"))
}

pub fn load(name: &str) -> Model {
    Model::load(model_path(name)).expect("bundled model imports")
}

/// The bundled input of `name` (one flat vector per model input).
pub fn input(name: &str, model: &Model) -> Sample {
    zkinfer::read_samples(models_dir().join(format!("{name}.input.json")), model).expect("input file").remove(0)
}

pub fn compile(name: &str, opts: &CompileOptions) -> (Model, Compiled) {
    let model = load(name);
    let samples =
        zkinfer::read_samples(models_dir().join(format!("{name}.calibration.json")), &model).expect("calibration");
    let compiled = model.compile(&samples, opts).expect("compiles");
    (model, compiled)
}

/// The float reference output shipped with the model (onnxruntime).
pub fn float_output(name: &str) -> Vec<f64> {
    let text = std::fs::read_to_string(models_dir().join(format!("{name}.float_output.json"))).expect("float output");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    v["output_data"][0].as_array().expect("array").iter().map(|x| x.as_f64().expect("number")).collect()
}

/// Checks `compiled`'s witness on `input` with `MockProver` and returns the largest error of
/// its first output against `reference`; `what` names the case in panics.
pub fn mock_error(compiled: &Compiled, input: &Sample, reference: &[f64], what: &str) -> f64 {
    let witness = std::sync::Arc::new(compiled.witness(input).unwrap_or_else(|e| panic!("{what}: {e}")));
    zkinfer::mock_check(compiled, witness.clone()).unwrap_or_else(|e| panic!("{what}: {e}"));
    let q = &compiled.qgraph;
    let out = q.dequantize_output(0, witness.output(q, 0));
    out.iter().zip(reference).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max)
}

pub fn argmax(v: &[f64]) -> usize {
    v.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i).expect("non-empty")
}

/// A fresh, empty scratch directory under the target dir.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// A one-node model whose op (`ImageDecoder`) the importer does not support, written into `dir`
/// with an input file beside it (as the bench suite expects).
pub fn unsupported_model(dir: &std::path::Path) -> PathBuf {
    use zkinfer_onnx::testing::{float_info, model_bytes, node};
    let bytes = model_bytes(
        17,
        vec![node("ImageDecoder", &["x"], "y", vec![])],
        vec![],
        float_info("x", &[1, 4]),
        float_info("y", &[1, 4]),
    );
    let path = dir.join("imagedecoder_tiny.onnx");
    std::fs::write(&path, bytes).expect("write model");
    std::fs::write(dir.join("imagedecoder_tiny.input.json"), r#"{"input_data": [[0.0, 1.0, 2.0, 3.0]]}"#)
        .expect("input");
    path
}

/// Runs the `zkinfer` binary with `args`.
pub fn zkinfer(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkinfer")).args(args).output().expect("runs zkinfer")
}

/// Its stdout and stderr together.
pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A path as a command-line argument.
pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// keccak256(signature)[..4] of the example consumer contracts' functions.
pub fn consumer_selector(sig: &str) -> [u8; 4] {
    match sig {
        "submit(bytes,uint256[])" => [0xeb, 0x67, 0x49, 0x9f],
        "lastOutput(uint256)" => [0x66, 0x78, 0x44, 0x80],
        _ => unreachable!("unknown signature {sig}"),
    }
}

/// `v` as a big-endian 32-byte ABI word.
pub fn abi_word(v: u64) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[24..].copy_from_slice(&v.to_be_bytes());
    w
}
