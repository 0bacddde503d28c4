//! The bad-input matrix: every kind of bad model, input, key, SRS or proof gives a specific error
//! through the library and through the `zkinfer` binary (exit 1; exit 2 only for a proof that
//! was checked and rejected) — never a panic, never "verified". The README's "Errors and exit
//! codes" table lists the same cases. (Cases already covered by `bad_input.rs` and `cli.rs` are
//! not repeated here.)

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::*;
use prost::Message;
use zkinfer::{CompileOptions, Error, Model, Srs};
use zkinfer_graph::{GraphError, QOp};
use zkinfer_onnx::proto::tensor_shape_proto::{dimension, Dimension};
use zkinfer_onnx::proto::{
    type_proto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, TensorShapeProto, TypeProto, ValueInfoProto,
};

/// Runs the binary and checks the exit code, that the output names the cause, and that it
/// neither panicked nor claimed success.
fn expect(args: &[&str], code: i32, needle: &str) {
    let o = zkinfer(args);
    let out = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.status.code(), Some(code), "{args:?}: {out}");
    assert!(out.contains(needle), "{args:?}: expected '{needle}' in: {out}");
    assert!(!out.contains("panicked"), "{args:?}: {out}");
    assert!(!String::from_utf8_lossy(&o.stdout).contains("verified"), "{args:?}: {out}");
}

// ---- models built from prost types ----

fn value(name: &str, dims: Vec<Option<dimension::Value>>) -> ValueInfoProto {
    let shape =
        TensorShapeProto { dim: dims.into_iter().map(|value| Dimension { value, ..Default::default() }).collect() };
    let tensor = type_proto::Tensor { elem_type: Some(1), shape: Some(shape) };
    ValueInfoProto {
        name: Some(name.into()),
        r#type: Some(TypeProto { value: Some(type_proto::Value::TensorType(tensor)), ..Default::default() }),
        ..Default::default()
    }
}

fn node(op: &str, input: &str, output: &str) -> NodeProto {
    NodeProto {
        name: Some(format!("{op}_{output}")),
        op_type: Some(op.into()),
        input: vec![input.into()],
        output: vec![output.into()],
        ..Default::default()
    }
}

fn model(nodes: Vec<NodeProto>, input_dims: Vec<Option<dimension::Value>>, output: &str) -> Vec<u8> {
    let graph = GraphProto {
        name: Some("g".into()),
        node: nodes,
        input: vec![value("x", input_dims)],
        output: vec![value(output, vec![Some(dimension::Value::DimValue(1)), Some(dimension::Value::DimValue(4))])],
        ..Default::default()
    };
    let model = ModelProto {
        ir_version: Some(8),
        opset_import: vec![OperatorSetIdProto { domain: Some(String::new()), version: Some(13) }],
        graph: Some(graph),
        ..Default::default()
    };
    model.encode_to_vec()
}

fn static_dims() -> Vec<Option<dimension::Value>> {
    vec![Some(dimension::Value::DimValue(1)), Some(dimension::Value::DimValue(4))]
}

/// Writes `bytes` as `name` in `dir`; the library's error and the CLI's `compile` must both name `needle`.
fn bad_model(dir: &Path, name: &str, bytes: &[u8], needle: &str) {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let err = Model::load(&path).expect_err(name);
    assert!(matches!(err, Error::Import(_)), "{name}: {err}");
    assert!(err.to_string().contains(needle), "{name}: expected '{needle}' in: {err}");
    expect(&["compile", s(&path), "--out", s(&dir.join("out"))], 1, needle);
}

#[test]
fn bad_models() {
    let dir = scratch("matrix_models");
    bad_model(&dir, "garbage.onnx", b"\x08\x07this is not a protobuf \xff\xff\xff", "protobuf decode failed");

    // A node consuming its own output, and two nodes consuming each other.
    let self_loop = model(vec![node("Relu", "y", "y")], static_dims(), "y");
    bad_model(&dir, "self_loop.onnx", &self_loop, "value 'y' is used but no input, initializer or earlier node");
    let pair = model(vec![node("Relu", "b", "a"), node("Relu", "a", "b")], static_dims(), "b");
    bad_model(&dir, "pair_loop.onnx", &pair, "a cycle is never valid");

    let dims = vec![Some(dimension::Value::DimValue(1)), None];
    let missing = model(vec![node("Relu", "x", "y")], dims, "y");
    bad_model(&dir, "dim_missing.onnx", &missing, "dimension 1 is not static (size missing)");
    let dims = vec![Some(dimension::Value::DimParam("batch".into())), Some(dimension::Value::DimValue(4))];
    let symbolic = model(vec![node("Relu", "x", "y")], dims, "y");
    let needle = "dimension 0 is not static (symbolic size 'batch', which `--dim batch=N` sets)";
    bad_model(&dir, "dim_symbolic.onnx", &symbolic, needle);
    // Given its size, the symbolic dimension imports (library and CLI); a malformed size is named.
    let sized = zkinfer::ImportOptions { dims: [("batch".to_string(), 2)].into() };
    let batch_of_two = Model::load_with(dir.join("dim_symbolic.onnx"), &sized).expect("sized");
    assert_eq!(batch_of_two.input_lens(), [8]);
    std::fs::write(dir.join("dim_symbolic.calibration.json"), r#"{"input_data": [[0.5, -1, 2, 0.25]]}"#).unwrap();
    let (onnx, out) = (dir.join("dim_symbolic.onnx"), dir.join("sized"));
    expect_ok(&["compile", s(&onnx), "--dim", "batch=1", "--out", s(&out)]);
    expect(&["compile", s(&onnx), "--dim", "batch=0", "--out", s(&out)], 2, "positive SIZE");

    let unsupported = model(vec![node("NonMaxSuppression", "x", "y")], static_dims(), "y");
    let message = "node 'NonMaxSuppression_y': op 'NonMaxSuppression' is not supported at opset 13";
    bad_model(&dir, "unsupported.onnx", &unsupported, message);

    expect(&["compile", s(&dir.join("missing.onnx")), "--out", s(&dir.join("out"))], 1, "missing.onnx");
}

#[test]
fn non_finite_inputs_are_named() {
    let (model, compiled) = compile("mlp_digits", &CompileOptions::default());
    for bad in [f32::INFINITY, f32::NEG_INFINITY, f32::NAN] {
        let mut x = input("mlp_digits", &model);
        x[0][9] = bad;
        let err = compiled.witness(&x).expect_err("non-finite input");
        assert!(matches!(err, Error::Graph(GraphError::NonFiniteInput { index: 9, .. })), "{err}");
        assert!(err.to_string().contains("input value #9"), "{err}");
    }
}

struct Dirs {
    root: PathBuf,
    mlp: PathBuf,
    cnn: PathBuf,
}

fn setup_dirs() -> Dirs {
    let root = scratch("matrix_cli");
    let (mlp, cnn) = (root.join("mlp"), root.join("cnn"));
    for (name, dir) in [("mlp_digits", &mlp), ("cnn_digits", &cnn)] {
        expect_ok(&["compile", s(&model_path(name)), "--out", s(dir)]);
        expect_ok(&["setup", s(dir)]);
        let input = models_dir().join(format!("{name}.input.json"));
        expect_ok(&["prove", s(dir), "--input", s(&input), "--out", s(&dir.join("proof.json"))]);
    }
    Dirs { root, mlp, cnn }
}

fn expect_ok(args: &[&str]) {
    let o = zkinfer(args);
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

/// A copy of `dir` with `file` replaced by `bytes`.
fn variant(d: &Dirs, dir: &Path, name: &str, file: &str, bytes: &[u8]) -> PathBuf {
    let out = d.root.join(name);
    std::fs::create_dir_all(&out).unwrap();
    for f in ["settings.json", "circuit.bin", "pk.bin", "vk.bin", "srs.bin"] {
        std::fs::copy(dir.join(f), out.join(f)).unwrap();
    }
    std::fs::write(out.join(file), bytes).unwrap();
    out
}

#[test]
fn bad_inputs_keys_srs_and_proofs() {
    let d = setup_dirs();
    let mlp_proof = d.mlp.join("proof.json");
    let p = s(&d.root);
    let prove = |dir: &Path, input: &Path| {
        vec![
            "prove".to_string(),
            s(dir).into(),
            "--input".into(),
            s(input).into(),
            "--out".into(),
            format!("{p}/x.json"),
        ]
    };
    let run = |args: Vec<String>, code: i32, needle: &str| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        expect(&args, code, needle);
    };

    // Inputs: wrong shape (two rows), NaN / Infinity (JSON cannot hold them), far out of range.
    let write = |name: &str, text: String| {
        let f = d.root.join(name);
        std::fs::write(&f, text).unwrap();
        f
    };
    let row = |v: &str| std::iter::repeat_n(v, 64).collect::<Vec<_>>().join(", ");
    let two_rows = write("two_rows.json", format!("{{\"input_data\": [[{}], [{}]]}}", row("1"), row("1")));
    run(prove(&d.mlp, &two_rows), 1, "expected one input row, found 2");
    let nan = write("nan.json", format!("{{\"input_data\": [[NaN, {}]]}}", row("1")));
    run(prove(&d.mlp, &nan), 1, "NaN and Infinity are not valid inputs");
    let inf = write("inf.json", format!("{{\"input_data\": [[Infinity, {}]]}}", row("1")));
    run(prove(&d.mlp, &inf), 1, "NaN and Infinity are not valid inputs");
    let huge = write("huge.json", format!("{{\"input_data\": [[{}]]}}", row("1e6")));
    run(prove(&d.mlp, &huge), 1, "outside the calibrated range");
    let input = models_dir().join("mlp_digits.input.json");

    // SRS: truncated, garbage, and a different (wrong) SRS of the right size.
    let srs = std::fs::read(d.mlp.join("srs.bin")).unwrap();
    let dir = variant(&d, &d.mlp, "srs_truncated", "srs.bin", &srs[..srs.len() / 2]);
    run(vec!["verify".into(), s(&dir).into(), "--proof".into(), s(&mlp_proof).into()], 1, "truncated");
    run(prove(&dir, &input), 1, "truncated");
    expect(&["setup", s(&d.mlp), "--srs", s(&dir.join("pk.bin"))], 1, "pk.bin");
    let (other, _) = zkinfer_prover::dev_srs(u32::from_le_bytes(srs[..4].try_into().unwrap()));
    let wrong_srs = d.root.join("other_srs.bin");
    zkinfer_prover::save_srs(&wrong_srs, &other).unwrap();
    let dir = variant(&d, &d.mlp, "srs_wrong", "srs.bin", &std::fs::read(&wrong_srs).unwrap());
    run(vec!["verify".into(), s(&dir).into(), "--proof".into(), s(&mlp_proof).into()], 2, "rejected");

    // Proving key: truncated, and another model's.
    let pk = std::fs::read(d.mlp.join("pk.bin")).unwrap();
    let dir = variant(&d, &d.mlp, "pk_truncated", "pk.bin", &pk[..pk.len() - 100]);
    run(prove(&dir, &input), 1, "proving key file is truncated");
    let dir = variant(&d, &d.mlp, "pk_other", "pk.bin", &std::fs::read(d.cnn.join("pk.bin")).unwrap());
    run(prove(&dir, &input), 1, "belongs to another model");

    // Verifying key: truncated, another model's, and a proving key in its place.
    let vk = std::fs::read(d.mlp.join("vk.bin")).unwrap();
    let verify = |dir: &Path| vec!["verify".to_string(), s(dir).into(), "--proof".into(), s(&mlp_proof).into()];
    let dir = variant(&d, &d.mlp, "vk_truncated", "vk.bin", &vk[..vk.len() - 1]);
    run(verify(&dir), 1, "verifying key file is truncated");
    let dir = variant(&d, &d.mlp, "vk_other", "vk.bin", &std::fs::read(d.cnn.join("vk.bin")).unwrap());
    run(verify(&dir), 1, "belongs to another model");
    let dir = variant(&d, &d.mlp, "vk_is_pk", "vk.bin", &pk);
    run(verify(&dir), 1, "expected a verifying key file but this is a proving key file");

    // Proofs: bytes cut short inside a valid file, a bad instance, and a proof of another model.
    let bundle: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&mlp_proof).unwrap()).unwrap();
    let edit = |name: &str, f: &dyn Fn(&mut serde_json::Value)| {
        let mut b = bundle.clone();
        f(&mut b);
        write(name, serde_json::to_string(&b).unwrap())
    };
    let short = edit("short_proof.json", &|b| {
        let h = b["proof"].as_str().unwrap().to_string();
        b["proof"] = h[..h.len() - 64].into();
    });
    expect(&["verify", s(&d.mlp), "--proof", s(&short)], 2, "proof is truncated");
    let odd = edit("odd_hex.json", &|b| b["proof"] = "0x123".into());
    expect(&["verify", s(&d.mlp), "--proof", s(&odd)], 2, "'proof' is not 0x-prefixed hex");
    let bad_inst = edit("bad_instance.json", &|b| b["instances"][0] = format!("0x{}", "ff".repeat(32)).into());
    expect(&["verify", s(&d.mlp), "--proof", s(&bad_inst)], 2, "is not a canonical field element");
    let few = edit("few_instances.json", &|b| b["instances"].as_array_mut().unwrap().truncate(3));
    expect(&["verify", s(&d.mlp), "--proof", s(&few)], 2, "3 public instances given, the model has 10");
    expect(&["verify", s(&d.cnn), "--proof", s(&mlp_proof)], 2, "rejected");
    expect(&["verify", s(&d.cnn), "--proof", s(&d.root.join("nowhere.json"))], 1, "nowhere.json");

    // The same through the library: another model's proof is rejected (both models have 10
    // outputs; their scales differ, so the file's outputs already disagree with cnn's settings).
    let keys = zkinfer::VerifierKeys::load(&d.cnn).unwrap();
    let proof = zkinfer::ProofBundle::load(&mlp_proof).unwrap();
    let err = zkinfer::verify(&keys, &proof).expect_err("another model's proof");
    assert!(matches!(err, Error::Verify(_) | Error::BadProof(_)), "{err}");
    println!("another model's proof: {err}");
}

/// Out-of-range policy: an input inside the input's calibrated range that drives an intermediate
/// activation out of its range is an error naming that tensor, raised before any proving work.
#[test]
fn intermediate_out_of_range_names_the_tensor() {
    let model = load("mlp_digits");
    let sample = input("mlp_digits", &model);
    let compiled = model.compile(std::slice::from_ref(&sample), &CompileOptions::default()).expect("compile");
    let q = &compiled.qgraph;
    let input_name = q.tensors[q.inputs[0].tensor].name.clone();

    // Each pixel at +-(the sample's largest value), signed like the first hidden unit's weights:
    // the input stays in its range, that unit's pre-activation goes far past its calibrated one.
    let top = sample[0].iter().copied().fold(0f32, f32::max);
    let Some(QOp::Linear(first)) = q.nodes.iter().map(|n| &n.op).find(|op| matches!(op, QOp::Linear(_))) else {
        panic!("mlp_digits starts with a dense layer")
    };
    let mut x = vec![0f32; sample[0].len()];
    for (t, idx) in first.index[..first.terms].iter().enumerate() {
        if let Some(i) = idx {
            x[*i as usize] = if first.weight[t] >= 0 { top } else { -top };
        }
    }
    q.quantize_input(&x).expect("the input itself is within its calibrated range");
    let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
    let err = zkinfer::prove(&compiled, &keys, &[x]).expect_err("an activation is out of range");
    let Error::Graph(GraphError::OutOfRange { tensor, .. }) = &err else { panic!("expected OutOfRange, got {err}") };
    assert_ne!(tensor, &input_name, "{err}");
    assert!(q.tensors.iter().any(|t| &t.name == tensor), "{err}");
    assert!(err.to_string().contains(&format!("at '{tensor}'")), "{err}");
    println!("{err}");
}
