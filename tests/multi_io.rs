//! A model with two inputs and two outputs through the whole pipeline: one range check per
//! input, one instance segment per public input and output in order, a proof file that lists
//! both outputs, and a verifier that holds each to its own instances. The first model is built
//! in code; `examples/multi_io/two_inputs.onnx` is the same kind of model as an ONNX file,
//! written by [`two_inputs_onnx`] and checked here to be current.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use zkinfer::{CompileOptions, Error, Model, ParamVisibility, Sample, Srs, Visibility, VisibilityConfig};
use zkinfer_graph::ops::{Add, MatMul, Mul, Relu};
use zkinfer_graph::{GraphBuilder, InstanceRole, Tensor};

/// `r = relu(x W + y)` and `p = y ⊙ y`, with `x` of 4 values and `y` of 3.
fn model() -> Model {
    let mut b = GraphBuilder::new();
    let x = b.input("x", vec![1, 4]);
    let y = b.input("y", vec![1, 3]);
    let w: Vec<f32> = (0..12).map(|i| ((i * 7 % 11) as f32 - 5.0) / 4.0).collect();
    let w = b.constant("w", Tensor::from_shape_vec(vec![4, 3], w).expect("shape"));
    let h = b.node("mm", Box::new(MatMul), vec![x, w], "h").expect("matmul");
    let s = b.node("add", Box::new(Add), vec![h, y], "s").expect("add");
    let r = b.node("relu", Box::new(Relu), vec![s], "r").expect("relu");
    let p = b.node("square", Box::new(Mul), vec![y, y], "p").expect("mul");
    let graph = b.finish_outputs(vec![r, p]).expect("graph");
    Model { graph, source: "two_in_two_out.onnx".into() }
}

fn sample(k: usize) -> Sample {
    let v = |n: usize, seed: usize| (0..n).map(|i| (((seed * 5 + i * 3) % 9) as f32 - 4.0) / 3.0).collect();
    vec![v(4, k), v(3, k + 1)]
}

#[test]
fn two_inputs_and_two_outputs_prove_and_verify() {
    let model = model();
    let samples: Vec<Sample> = (0..8).map(sample).collect();
    let visibility = VisibilityConfig::new(Visibility::Public, ParamVisibility::Fixed, Visibility::Public);
    let compiled =
        model.compile(&samples, &CompileOptions { visibility, ..CompileOptions::default() }).expect("compile");
    let settings = &compiled.settings;
    let names = |ios: &[zkinfer::IoInfo]| ios.iter().map(|i| i.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&settings.inputs), ["x", "y"]);
    assert_eq!(names(&settings.outputs), ["r", "p"]);
    assert_eq!(settings.input_lens(), [4, 3]);
    // Inputs 0 and 1, then outputs 0 and 1, each a segment of its own.
    let layout = &compiled.settings.instances;
    assert_eq!(layout.range(InstanceRole::Input, 0), Some(0..4));
    assert_eq!(layout.range(InstanceRole::Input, 1), Some(4..7));
    assert_eq!(layout.range(InstanceRole::Output, 0), Some(7..10));
    assert_eq!(layout.range(InstanceRole::Output, 1), Some(10..13));

    let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
    let input = sample(3);
    let bundle = zkinfer::prove(&compiled, &keys, &input).expect("prove");
    let vkeys = keys.verifier();
    zkinfer::verify(&vkeys, &bundle).expect("honest proof verifies");
    assert_eq!(bundle.outputs.iter().map(|o| (o.index, o.name.as_str())).collect::<Vec<_>>(), [(0, "r"), (1, "p")]);
    let reference = model.eval(&input).expect("f32");
    let err = bundle.max_abs_error(&reference);
    assert!(err < 1e-2, "max error {err}");

    // Each output is held to its own instances: the second output's first value, changed in
    // the file alone, is caught before the proof check; changed in the instances too, by it.
    let mut lying = bundle.clone();
    lying.outputs[1].quantized[0] += 1;
    assert!(matches!(zkinfer::verify(&vkeys, &lying), Err(Error::BadProof(_))));
    let mut forged = bundle.clone();
    let q = forged.outputs[1].quantized[0] + 1;
    forged.outputs[1].quantized[0] = q;
    forged.outputs[1].values[0] = q as f64 / (1u64 << forged.outputs[1].scale) as f64;
    forged.instances[10] = zkinfer::encode_instance(q);
    assert!(matches!(zkinfer::verify(&vkeys, &forged), Err(Error::Verify(_))));
    // So is the second input.
    let mut other_input = bundle.clone();
    other_input.instances[4] = zkinfer::encode_instance(12345);
    assert!(matches!(zkinfer::verify(&vkeys, &other_input), Err(Error::Verify(_))));

    // A wrong number of inputs is named.
    let err = compiled.witness(&input[..1]).expect_err("one input of two");
    assert!(err.to_string().contains("2 inputs but 1 were given"), "{err}");
}

#[test]
fn input_files_hold_one_row_per_input() {
    let model = model();
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("multi_io_input");
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("input.json");
    std::fs::write(&path, r#"{"input_data": [[0.5, -0.5, 1.0, 0.0], [0.25, 0.5, -1.0]]}"#).expect("write");
    let input = zkinfer::read_input(&path, &model.input_lens()).expect("two rows");
    assert_eq!(input, vec![vec![0.5, -0.5, 1.0, 0.0], vec![0.25, 0.5, -1.0]]);
    std::fs::write(&path, r#"{"input_data": [[0.5, -0.5, 1.0, 0.0]]}"#).expect("write");
    let err = zkinfer::read_input(&path, &model.input_lens()).expect_err("one row of two");
    assert!(err.to_string().contains("expected 2 rows (one per input), found 1"), "{err}");
    // Calibration files: row i holds input i of every sample.
    std::fs::write(&path, r#"{"input_data": [[1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6]]}"#).expect("write");
    let samples = zkinfer::read_samples(&path, &model).expect("two samples");
    assert_eq!(samples.len(), 2);
    assert_eq!(samples[1], vec![vec![5.0, 6.0, 7.0, 8.0], vec![4.0, 5.0, 6.0]]);
}

#[test]
fn each_input_and_output_has_its_own_visibility() {
    use Visibility::{Private, Public};
    let model = model();
    let samples: Vec<Sample> = (0..8).map(sample).collect();
    // x private, y public; r public, p private: only y's and r's values are instances.
    let visibility = VisibilityConfig {
        inputs: vec![Private, Public].into(),
        params: ParamVisibility::Fixed,
        outputs: vec![Public, Private].into(),
    };
    let compiled =
        model.compile(&samples, &CompileOptions { visibility, ..CompileOptions::default() }).expect("compile");
    let settings = &compiled.settings;
    let seen = |ios: &[zkinfer::IoInfo]| ios.iter().map(|i| i.visibility).collect::<Vec<_>>();
    assert_eq!(seen(&settings.inputs), [Private, Public]);
    assert_eq!(seen(&settings.outputs), [Public, Private]);
    let layout = &compiled.settings.instances;
    assert_eq!(layout.range(InstanceRole::Input, 0), None);
    assert_eq!(layout.range(InstanceRole::Input, 1), Some(0..3));
    assert_eq!(layout.range(InstanceRole::Output, 0), Some(3..6));
    assert_eq!(layout.range(InstanceRole::Output, 1), None);
    assert_eq!(settings.num_instances(), 6);

    let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
    let input = sample(5);
    let bundle = zkinfer::prove(&compiled, &keys, &input).expect("prove");
    let vkeys = keys.verifier();
    zkinfer::verify(&vkeys, &bundle).expect("honest proof verifies");
    // The proof file lists the public output only; y is held to its instances.
    assert_eq!(bundle.outputs.iter().map(|o| o.index).collect::<Vec<_>>(), [0]);
    let mut other_y = bundle.clone();
    other_y.instances[1] = zkinfer::encode_instance(7);
    assert!(matches!(zkinfer::verify(&vkeys, &other_y), Err(Error::Verify(_))));

    // A list of the wrong length is named.
    let three = VisibilityConfig { inputs: vec![Public; 3].into(), ..VisibilityConfig::default() };
    let err = model.compile(&samples, &CompileOptions { visibility: three, ..CompileOptions::default() });
    let err = err.expect_err("three visibilities for two inputs").to_string();
    assert!(err.contains("the model has 2 input(s) but 3 input visibilities were given"), "{err}");
}

/// The bytes of `examples/multi_io/two_inputs.onnx`: `features` [1, 8] and `context` [1, 4] in;
/// `scores = Gemm(Relu(Gemm(features, W1, b1)) + MatMul(context, W2), W3, b3)` [1, 3] and
/// `aux = MatMul(Relu(...), W4)` [1, 2] out. Fixed, hand-picked weights.
fn two_inputs_onnx() -> Vec<u8> {
    use zkinfer_onnx::testing::{float_info, float_tensor, model_bytes_io, node};
    let w = |name: &str, rows: i64, cols: i64, seed: i64| {
        let v = (0..rows * cols).map(|i| (((i * 7 + seed) % 11) - 5) as f32 / 8.0).collect();
        float_tensor(name, &[rows, cols], v)
    };
    let b = |name: &str, n: i64, seed: i64| {
        float_tensor(name, &[n], (0..n).map(|i| ((i + seed) % 3) as f32 / 4.0).collect())
    };
    let nodes = vec![
        node("Gemm", &["features", "W1", "b1"], "h0", vec![]),
        node("Relu", &["h0"], "h", vec![]),
        node("MatMul", &["context", "W2"], "g", vec![]),
        node("Add", &["h", "g"], "s", vec![]),
        node("Gemm", &["s", "W3", "b3"], "scores", vec![]),
        node("MatMul", &["h", "W4"], "aux", vec![]),
    ];
    let initializers =
        vec![w("W1", 8, 6, 1), b("b1", 6, 0), w("W2", 4, 6, 3), w("W3", 6, 3, 5), b("b3", 3, 1), w("W4", 6, 2, 2)];
    let inputs = vec![float_info("features", &[1, 8]), float_info("context", &[1, 4])];
    let outputs = vec![float_info("scores", &[1, 3]), float_info("aux", &[1, 2])];
    model_bytes_io(13, nodes, initializers, inputs, outputs)
}

fn bundled(file: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/multi_io").join(file)
}

/// The committed file is what [`two_inputs_onnx`] writes (`ZKINFER_REGENERATE=1` rewrites it).
#[test]
fn bundled_two_input_model_is_current() {
    let bytes = two_inputs_onnx();
    let path = bundled("two_inputs.onnx");
    if std::env::var_os("ZKINFER_REGENERATE").is_some() {
        std::fs::write(&path, &bytes).unwrap();
    }
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "{} is stale: run with ZKINFER_REGENERATE=1", path.display());
}

/// The ONNX importer takes every graph input and output, in graph order; the data files hold
/// one row per input (calibration: every sample of input `i` concatenated in row `i`).
#[test]
fn an_onnx_model_with_two_inputs_and_two_outputs_proves() {
    let model = Model::load(bundled("two_inputs.onnx")).expect("import");
    let names = |ids: &[usize]| ids.iter().map(|&v| model.graph.values[v].name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&model.graph.inputs), ["features", "context"]);
    assert_eq!(names(&model.graph.outputs), ["scores", "aux"]);
    let samples = zkinfer::read_samples(bundled("two_inputs.calibration.json"), &model).expect("calibration");
    assert!(samples.len() > 1 && samples.iter().all(|s| s[0].len() == 8 && s[1].len() == 4));
    let input = zkinfer::read_input(bundled("two_inputs.input.json"), &model.input_lens()).expect("input");
    let visibility = VisibilityConfig {
        inputs: vec![Visibility::Public, Visibility::Private].into(),
        ..VisibilityConfig::default()
    };
    let compiled =
        model.compile(&samples, &CompileOptions { visibility, ..CompileOptions::default() }).expect("compile");
    assert_eq!(compiled.settings.num_instances(), 8 + 3 + 2, "features, then both outputs");
    let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
    let bundle = zkinfer::prove(&compiled, &keys, &input).expect("prove");
    zkinfer::verify(&keys.verifier(), &bundle).expect("verifies");
    let err = bundle.max_abs_error(&model.eval(&input).expect("f32"));
    assert!(err < 1e-2, "max error {err}");
}

/// `y = Where(keep, x, 0)` with `keep` a BOOL input: an integer input is taken exactly, at
/// scale 0, with its own range check; a fraction where it wants integers is refused by name.
#[test]
fn an_integer_input_is_proven_exactly() {
    use zkinfer_onnx::proto::tensor_proto::DataType;
    use zkinfer_onnx::proto::type_proto::Value as Type;
    use zkinfer_onnx::testing::{float_info, float_tensor, model_bytes_io, node};
    let mut keep = float_info("keep", &[1, 4]);
    if let Some(Type::TensorType(t)) = keep.r#type.as_mut().and_then(|t| t.value.as_mut()) {
        t.elem_type = Some(DataType::Bool as i32);
    }
    let nodes = vec![node("Where", &["keep", "x", "zero"], "y", vec![])];
    let bytes = model_bytes_io(
        17,
        nodes,
        vec![float_tensor("zero", &[], vec![0.0])],
        vec![float_info("x", &[1, 4]), keep],
        vec![float_info("y", &[1, 4])],
    );
    let model = Model { graph: zkinfer_onnx::parse(&bytes).expect("import"), source: "where_keep.onnx".into() };
    let samples: Vec<Sample> = (0..6)
        .map(|k| {
            let x = (0..4).map(|i| ((k * 3 + i * 5) % 7) as f32 / 2.0 - 1.5).collect();
            let keep = (0..4).map(|i| ((k + i) % 2) as f32).collect();
            vec![x, keep]
        })
        .collect();
    let compiled = model.compile(&samples, &CompileOptions::default()).expect("compile");
    assert_eq!(compiled.qgraph.inputs[1].dtype, zkinfer_graph::DType::Bool);
    assert_eq!(compiled.qgraph.tensors[compiled.qgraph.inputs[1].tensor].scale, 0);
    let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
    let input = vec![vec![0.5, -1.25, 1.0, 2.0], vec![1.0, 0.0, 0.0, 1.0]];
    let bundle = zkinfer::prove(&compiled, &keys, &input).expect("prove");
    zkinfer::verify(&keys.verifier(), &bundle).expect("honest proof verifies");
    let err = bundle.max_abs_error(&model.eval(&input).expect("f32"));
    assert!(err < 1e-3, "max error {err}");
    let err = compiled.witness(&[vec![0.5, -1.25, 1.0, 2.0], vec![1.0, 0.5, 0.0, 1.0]]).expect_err("a fraction");
    assert!(err.to_string().contains("holds integers"), "{err}");
    let err = compiled.witness(&[vec![0.5, -1.25, 1.0, 2.0], vec![1.0, 2.0, 0.0, 1.0]]).expect_err("not a boolean");
    assert!(err.to_string().contains("holds booleans (0 or 1)"), "{err}");
}
