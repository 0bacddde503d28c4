//! One ONNX backend test case: bind, import, calibrate, compile, witness, `MockProver`, compare
//! (and, when asked, a real setup + prove + verify).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use zkinfer_graph::{GraphError, OpError, Tensor};
use zkinfer_onnx::proto::tensor_proto::DataType;
use zkinfer_onnx::proto::type_proto::Value as Type;
use zkinfer_onnx::proto::{ModelProto, NodeProto, TensorProto, ValueInfoProto};
use zkinfer_onnx::ImportError;

use super::tolerance::{check_f32, check_quantized, reference_rtol};
use super::{CaseOutcome, ConformanceOptions, Passed};
use crate::{CompileOptions, Error, Model, Srs};

/// Why a case stopped short of passing.
enum Stop {
    Unsupported(String),
    Failed(String),
}

fn failed(stage: &str) -> impl Fn(Error) -> Stop + '_ {
    move |e| Stop::Failed(format!("{stage}: {e}"))
}

/// Runs the case in `dir`; never panics (a panic is reported as a failure with its message).
pub(crate) fn run_case(dir: &Path, opts: &ConformanceOptions, prove: bool) -> CaseOutcome {
    match catch_unwind(AssertUnwindSafe(|| check(dir, opts, prove))) {
        Ok(Ok(p)) => CaseOutcome::Passed(p),
        Ok(Err(Stop::Unsupported(r))) => CaseOutcome::Unsupported(r),
        Ok(Err(Stop::Failed(r))) => CaseOutcome::Failed(r),
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a non-string panic payload".into());
            CaseOutcome::Failed(format!("panicked: {msg}"))
        }
    }
}

/// Whether every graph input (initializers aside) and output of the case's model is a tensor of
/// a numeric or boolean element type (false when the model does not decode).
pub(crate) fn numeric_io(dir: &Path) -> bool {
    let Ok(bytes) = std::fs::read(dir.join("model.onnx")) else { return false };
    let Ok(model) = zkinfer_onnx::decode_model(&bytes) else { return false };
    let Some(graph) = model.graph.as_ref() else { return false };
    let numeric = |i: &ValueInfoProto| match i.r#type.as_ref().and_then(|t| t.value.as_ref()) {
        Some(Type::TensorType(t)) => {
            DataType::try_from(t.elem_type()).is_ok_and(|d| zkinfer_onnx::is_float(d) || zkinfer_onnx::is_integer(d))
        }
        _ => false,
    };
    let init: Vec<&str> = graph.initializer.iter().map(|t| t.name()).collect();
    graph.input.iter().filter(|i| !init.contains(&i.name())).chain(&graph.output).all(numeric)
}

fn check(dir: &Path, opts: &ConformanceOptions, prove: bool) -> Result<Passed, Stop> {
    let model_path = dir.join("model.onnx");
    let bytes = std::fs::read(&model_path).map_err(|e| Stop::Failed(format!("{}: {e}", model_path.display())))?;
    let mut proto = zkinfer_onnx::decode_model(&bytes).map_err(|e| Stop::Failed(e.to_string()))?;
    let data = dir.join("test_data_set_0");
    let inputs = read_pbs(&data, "input")?;
    let outputs = read_pbs(&data, "output")?;
    if outputs.is_empty() {
        return Err(Stop::Failed("the case has no output data".into()));
    }
    let input = bind_inputs(&mut proto, inputs)?;
    let graph = zkinfer_onnx::import_model(&proto).map_err(import_stop)?;
    let expected = outputs.iter().map(value).collect::<Result<Vec<_>, _>>()?;
    if graph.outputs.len() != expected.len() {
        return Err(Stop::Failed(format!("{} outputs, the reference has {}", graph.outputs.len(), expected.len())));
    }
    let input_values: Vec<f32> = value(&input)?.iter().copied().collect();

    // The f32 graph must reproduce every reference output: this checks the importer's semantics
    // apart from quantization.
    let reference = graph.eval_outputs(&[&input_values]).map_err(|e| graph_stop("f32 evaluation", e))?;
    let mut want: Vec<Vec<f32>> = Vec::new();
    for (i, (got, expected)) in reference.iter().zip(&expected).enumerate() {
        if got.shape() != expected.shape() {
            return Err(Stop::Failed(format!(
                "output {i}: shape {:?} differs from the reference {:?}",
                got.shape(),
                expected.shape()
            )));
        }
        let w: Vec<f32> = expected.iter().copied().collect();
        let f32_out: Vec<f32> = got.iter().copied().collect();
        check_f32(&f32_out, &w, reference_rtol(outputs[i].data_type()))
            .map_err(|e| Stop::Failed(format!("f32 evaluation, output {i}: {e}")))?;
        want.push(w);
    }

    let model = Model { graph, source: model_path };
    let mut copts = CompileOptions::default();
    copts.halo2.max_k = opts.max_k;
    let sample = vec![input_values];
    let compiled = model.compile(std::slice::from_ref(&sample), &copts).map_err(compile_stop)?;
    let witness = Arc::new(compiled.witness(&sample).map_err(failed("witness"))?);
    crate::audit::mock_check(&compiled, witness.clone()).map_err(failed("MockProver"))?;
    let mut max_err = 0f64;
    for (i, w) in want.iter().enumerate() {
        let got = compiled.qgraph.dequantize_output(i, witness.output(&compiled.qgraph, i));
        let scale = compiled.settings.outputs[i].scale;
        let err = check_quantized(&got, w, scale, reference_rtol(outputs[i].data_type()))
            .map_err(|e| Stop::Failed(format!("circuit output {i}: {e}")))?;
        max_err = max_err.max(err);
    }
    let scale = compiled.settings.outputs[0].scale;

    let proved = if prove {
        let keys = crate::setup(&compiled, Srs::Dev).map_err(failed("setup"))?;
        let bundle = crate::prove_witness(&compiled, &keys, (*witness).clone()).map_err(failed("prove"))?;
        crate::verify(&keys.verifier(), &bundle).map_err(failed("verify"))?;
        true
    } else {
        false
    };
    Ok(Passed { k: compiled.circuit().k(), output_scale: scale, max_err, proved })
}

/// `<prefix>_<i>.pb` files of the data set, decoded, in index order.
fn read_pbs(data: &Path, prefix: &str) -> Result<Vec<TensorProto>, Stop> {
    let entries = std::fs::read_dir(data).map_err(|e| Stop::Unsupported(format!("{}: {e}", data.display())))?;
    let mut found: Vec<(usize, PathBuf)> = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Stop::Failed(format!("{}: {e}", data.display())))?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let index = name.strip_prefix(prefix).and_then(|r| r.strip_prefix('_')).and_then(|r| r.strip_suffix(".pb"));
        if let Some(i) = index.and_then(|i| i.parse().ok()) {
            found.push((i, path));
        }
    }
    found.sort();
    if found.iter().enumerate().any(|(n, (i, _))| n != *i) {
        return Err(Stop::Failed(format!("{}: {prefix}_<i>.pb files are not numbered 0, 1, ...", data.display())));
    }
    found
        .iter()
        .map(|(_, path)| {
            let bytes = std::fs::read(path).map_err(|e| Stop::Failed(format!("{}: {e}", path.display())))?;
            zkinfer_onnx::decode_tensor(&bytes).map_err(|e| Stop::Failed(format!("{}: {e}", path.display())))
        })
        .collect()
}

/// The harness proves one input per case: the first floating-point graph input that some node reads
/// as its first operand (its data, not a parameter such as a scale, depth or axes), else the first
/// integer or boolean one so read, else the first float or integer input read at all, stays the model
/// input; every other graph input becomes an initializer holding its test data (so shape and index
/// inputs fold as constants). Returns the kept input's data.
fn bind_inputs(model: &mut ModelProto, mut data: Vec<TensorProto>) -> Result<TensorProto, Stop> {
    let graph = model.graph.as_mut().ok_or_else(|| Stop::Failed(ImportError::NoGraph.to_string()))?;
    let init: Vec<String> = graph.initializer.iter().map(|t| t.name().to_string()).collect();
    let inputs: Vec<&ValueInfoProto> = graph.input.iter().filter(|i| !init.iter().any(|n| n == i.name())).collect();
    if inputs.len() != data.len() {
        return Err(Stop::Failed(format!("the graph has {} inputs but the data set {}", inputs.len(), data.len())));
    }
    let elem = |i: &ValueInfoProto| match i.r#type.as_ref().and_then(|t| t.value.as_ref()) {
        Some(Type::TensorType(t)) => DataType::try_from(t.elem_type()).ok(),
        _ => None,
    };
    // A candidate is read by some node and has values (an unused, empty template input such as
    // an expanded CastLike's `like` is bound like any other).
    let read = |k: usize| {
        let name = inputs[k].name();
        data[k].dims.iter().all(|&d| d > 0) && graph.node.iter().any(|n| n.input.iter().any(|i| i == name))
    };
    // Read as some node's first operand: the data a node works on, not one of its parameters
    // (`Shape` and `Size` read only the shape; a `Loop`'s first operand is its trip count).
    let data_operand = |k: usize| {
        let reads = |n: &&NodeProto| n.input.first().is_some_and(|i| i == inputs[k].name());
        graph.node.iter().filter(reads).any(|n| !matches!(n.op_type(), "Shape" | "Size" | "Loop"))
    };
    let pick = |want: fn(DataType) -> bool, first: bool| {
        (0..inputs.len()).find(|&k| read(k) && (!first || data_operand(k)) && elem(inputs[k]).is_some_and(want))
    };
    let keep = pick(zkinfer_onnx::is_float, true)
        .or_else(|| pick(zkinfer_onnx::is_integer, true))
        .or_else(|| pick(zkinfer_onnx::is_float, false))
        .or_else(|| pick(zkinfer_onnx::is_integer, false));
    let Some(keep) = keep else {
        let types: Vec<&str> = inputs
            .iter()
            .map(|i| match i.r#type.as_ref().and_then(|t| t.value.as_ref()) {
                Some(Type::TensorType(t)) => DataType::try_from(t.elem_type()).map_or("unknown", |d| d.as_str_name()),
                _ => "not a tensor",
            })
            .collect();
        return Err(Stop::Unsupported(format!(
            "no float or integer input (inputs: {}): the harness proves one float or integer tensor",
            types.join(", ")
        )));
    };
    let names: Vec<String> = inputs.iter().map(|i| i.name().to_string()).collect();
    let kept = data.remove(keep);
    for (mut t, name) in data.into_iter().zip(names.iter().enumerate().filter(|(i, _)| *i != keep).map(|(_, n)| n)) {
        t.name = Some(name.clone());
        graph.initializer.push(t);
    }
    Ok(kept)
}

fn value(t: &TensorProto) -> Result<Tensor, Stop> {
    zkinfer_onnx::tensor_value(t).map_err(|e| Stop::Unsupported(format!("test data: {e}")))
}

/// Import errors: unsupported features are `Unsupported`; a malformed model, a dangling value or
/// a shape the importer gets wrong is a failure.
fn import_stop(e: ImportError) -> Stop {
    match e {
        ImportError::Graph(g) => graph_stop("import", g),
        ImportError::Io { .. } | ImportError::Malformed(_) | ImportError::MalformedTensor(_) => {
            Stop::Failed(e.to_string())
        }
        ImportError::NoGraph | ImportError::UndefinedValue(_) => Stop::Failed(e.to_string()),
        _ => Stop::Unsupported(e.to_string()),
    }
}

fn graph_stop(stage: &str, e: GraphError) -> Stop {
    match &e {
        GraphError::Node { source: OpError::Unsupported(_), .. } => Stop::Unsupported(e.to_string()),
        _ => Stop::Failed(format!("{stage}: {e}")),
    }
}

/// Compile errors: an op the quantizer does not lower, or a circuit over the run's k limit, is
/// `Unsupported`; anything else is a failure.
fn compile_stop(e: Error) -> Stop {
    match e {
        // E.g. a graph that folds to a constant (`Shape` of the input): nothing to prove.
        Error::Graph(g @ GraphError::Calibration(_)) => Stop::Unsupported(format!("compile: {g}")),
        Error::Graph(g) => graph_stop("compile", g),
        Error::Circuit(c @ zkinfer_circuits::CircuitError::TooLarge { .. }) => Stop::Unsupported(c.to_string()),
        e => Stop::Failed(format!("compile: {e}")),
    }
}
