//! The vendor suite (`zkinfer bench`) as a library call and as a command.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

use common::{models_dir, scratch, unsupported_model};
use zkinfer::bench::{BenchOptions, BenchReport, BENCH_SCHEMA};
use zkinfer::{Backend, Error};

fn options(only: &[&str], sweep: Option<(u32, u32)>) -> BenchOptions {
    BenchOptions {
        models_dir: models_dir(),
        only: only.iter().map(|s| s.to_string()).collect(),
        backend: Backend::Cpu,
        sweep,
        groth16: false,
    }
}

/// A folder with the bundled mlp_digits next to a model with an op the importer lacks.
fn digits_and_unsupported(name: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    for ext in ["onnx", "input.json", "calibration.json", "float_output.json"] {
        let name = format!("mlp_digits.{ext}");
        std::fs::copy(models_dir().join(&name), dir.join(&name)).unwrap();
    }
    unsupported_model(&dir);
    dir
}

#[test]
fn suite_measures_each_model_and_reports_unsupported_ones() {
    let dir = digits_and_unsupported("bench_unsupported");
    let mut steps = Vec::new();
    let opts = BenchOptions { models_dir: dir, ..options(&["mlp_digits", "imagedecoder_tiny"], Some((4, 5))) };
    let report = zkinfer::bench::run(&opts, &mut |m| steps.push(m.to_string())).unwrap();
    assert_eq!(report.schema, BENCH_SCHEMA);
    assert_eq!(report.backend, "cpu");
    assert!(report.system.threads >= 1);
    assert!(steps.iter().any(|s| s.contains("mlp_digits: proving")), "{steps:?}");

    let names: Vec<&str> = report.models.iter().map(|m| &*m.model).collect();
    assert_eq!(names, ["imagedecoder_tiny", "mlp_digits"]);
    let unsupported = &report.models[0];
    assert!(unsupported.metrics.is_none());
    assert!(unsupported.error.as_deref().unwrap_or("").contains("ImageDecoder"), "{unsupported:?}");

    let m = report.models[1].metrics.as_ref().expect("mlp_digits ran");
    assert!(m.verified);
    assert_eq!((m.k, m.advice_columns > 0, m.lookups > 0), (m.k, true, true));
    assert!(m.max_abs_err < 1e-2, "{}", m.max_abs_err);
    let p = &m.prove_phases_s;
    let phases = p.witness + p.advice_commit + p.lookup_permute + p.grand_products + p.quotient + p.opening;
    assert!(phases > 0.0 && phases <= m.prove_s, "phases {phases} vs prove {}", m.prove_s);
    assert_eq!(m.floor.small_msms, m.advice_columns + 2 * m.lookups, "{:?}", m.floor);
    assert!(m.floor.msms > 0 && m.floor.ffts > m.advice_columns, "{:?}", m.floor);
    assert!(m.floor.floor_s > 0.0 && (m.floor.prove_over_floor - m.prove_s / m.floor.floor_s).abs() < 1e-9);
    assert_eq!(report.kernels.iter().map(|t| t.k).collect::<Vec<_>>(), [4, 5]);
    assert!(report.kernels.iter().all(|t| t.msm_s > 0.0 && t.small_msm_s > 0.0 && t.fft_s > 0.0));

    // The JSON vendors publish reads back as the same report (floats to within parsing error).
    let json = serde_json::to_string(&report).unwrap();
    let back: BenchReport = serde_json::from_str(&json).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    same_json(&serde_json::to_value(&back).unwrap(), &v, "$");
    assert!(v["models"][0].get("k").is_none() && v["models"][1]["prove_phases_s"]["quotient"].is_number());
}

/// `a` and `b` have the same keys, strings and booleans, and numbers equal up to float parsing.
fn same_json(a: &serde_json::Value, b: &serde_json::Value, at: &str) {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(x.keys().collect::<Vec<_>>(), y.keys().collect::<Vec<_>>(), "keys at {at}");
            for (key, xv) in x {
                same_json(xv, &y[key], &format!("{at}.{key}"));
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "length at {at}");
            for (i, (xv, yv)) in x.iter().zip(y).enumerate() {
                same_json(xv, yv, &format!("{at}[{i}]"));
            }
        }
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!((x - y).abs() <= 1e-12 * x.abs().max(y.abs()), "{at}: {x} vs {y}");
        }
        _ => assert_eq!(a, b, "at {at}"),
    }
}

#[test]
fn bad_options_are_clear_errors() {
    let err = zkinfer::bench::run(&options(&["no_such_model"], None), &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("no model 'no_such_model'") && err.to_string().contains("mlp_digits"), "{err}");
    let err = zkinfer::bench::run(&options(&[], Some((9, 8))), &mut |_| {}).unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err}");
    let empty = scratch("bench_empty");
    let err = zkinfer::bench::run(&BenchOptions { models_dir: empty, ..options(&[], None) }, &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("no models in"), "{err}");
    #[cfg(not(feature = "cuda"))]
    {
        let err = zkinfer::bench::run(&BenchOptions { backend: Backend::Cuda, ..options(&[], None) }, &mut |_| {})
            .unwrap_err();
        assert!(err.to_string().contains("built without CUDA"), "{err}");
    }
}

#[test]
fn command_prints_the_table_and_writes_json() {
    let json = scratch("bench_cli").join("bench.json");
    let out = Command::new(env!("CARGO_BIN_EXE_zkinfer"))
        .args(["bench", "--model", "mlp_digits", "--min-k", "4", "--max-k", "4", "--json"])
        .arg(&json)
        .arg("--models")
        .arg(models_dir())
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("| mlp_digits | ") && text.contains("prove/floor") && text.contains("| 2^4 |"), "{text}");
    let report: BenchReport = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report.models.len(), 1);

    // Several models: each runs in a child process of its own, and the report gathers them.
    let dir = digits_and_unsupported("bench_cli_children");
    let out = Command::new(env!("CARGO_BIN_EXE_zkinfer"))
        .args(["bench", "--min-k", "4", "--max-k", "4", "--json"])
        .arg(&json)
        .arg("--models")
        .arg(&dir)
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("mlp_digits: in a process of its own"), "{text}");
    let report: BenchReport = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let names: Vec<&str> = report.models.iter().map(|m| &*m.model).collect();
    assert_eq!(names, ["imagedecoder_tiny", "mlp_digits"]);
    assert!(report.models[0].error.as_deref().unwrap_or("").contains("ImageDecoder"), "{:?}", report.models[0]);
    let m = report.models[1].metrics.as_ref().expect("mlp_digits ran");
    assert!(m.verified && m.prove_peak_rss_bytes.is_none_or(|b| b > 0));
    assert_eq!(report.kernels.iter().map(|t| t.k).collect::<Vec<_>>(), [4]);

    let out = Command::new(env!("CARGO_BIN_EXE_zkinfer")).args(["bench", "--backend", "tpu"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown backend"));
}

#[test]
fn groth16_runs_beside_halo2_on_the_same_model() {
    let opts = BenchOptions { groth16: true, ..options(&["mlp_digits"], None) };
    let report = zkinfer::bench::run(&opts, &mut |_| {}).unwrap();
    let m = report.models[0].metrics.as_ref().expect("ran");
    let g = m.groth16.as_ref().expect("groth16 measured");
    let g = g.metrics.as_ref().unwrap_or_else(|| panic!("groth16 failed: {:?}", g.error));
    assert!(g.verified && m.verified);
    assert_eq!(g.proof_bytes, zkinfer::groth16::PROOF_BYTES);
    assert_eq!(g.public_inputs, 1, "the ten logits, packed in one word");
    // The Solidity verifier's gas, measured in the same run (where a compiler is installed).
    if std::env::var_os("ZKINFER_SKIP_EVM").is_none() {
        assert!(g.gas.is_some_and(|gas| gas < 230_000), "{:?}", g.gas);
    }
    assert!(g.constraints > 0 && g.prove_s > 0.0);
    let json = serde_json::to_value(&report).unwrap();
    assert!(json["models"][0]["groth16"]["constraints"].is_u64(), "{json}");
    // Without the flag the field is absent.
    let plain = zkinfer::bench::run(&options(&["mlp_digits"], None), &mut |_| {}).unwrap();
    assert!(plain.models[0].metrics.as_ref().unwrap().groth16.is_none());
}
