//! The ONNX backend conformance suite: the test data of the pinned `onnx` Python package, run
//! end to end (import, calibrate, compile, witness, MockProver, output within tolerance).
//! Every case in `tests/conformance/supported.txt` must pass; every other case must end with a
//! clear failure or "unsupported" error, never a panic, and must not pass (the manifest would
//! be stale). `bash scripts/test.sh` installs the data and sets `ZKINFER_ONNX_TEST_DATA`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use zkinfer::conformance::tolerance::{check_f32, check_quantized, quantized_tolerance};
use zkinfer::conformance::{self, CaseOutcome, ConformanceOptions, Manifest, Summary, DATA_ENV, ONNX_VERSION};

/// The data folder, or `None` (test skipped) when it is not set up and `ZKINFER_SKIP_CONFORMANCE`
/// is set; otherwise a missing folder fails the test with the way to set it up.
fn data_dir() -> Option<PathBuf> {
    match std::env::var_os(DATA_ENV) {
        Some(dir) => Some(PathBuf::from(dir)),
        None if std::env::var_os("ZKINFER_SKIP_CONFORMANCE").is_some() => {
            eprintln!("skipped: {DATA_ENV} is not set (ZKINFER_SKIP_CONFORMANCE)");
            None
        }
        None => panic!(
            "{DATA_ENV} is not set. `bash scripts/test.sh` sets it up; by hand: \
             python3 -m pip install onnx=={ONNX_VERSION} && export {DATA_ENV}=$(python3 -c \
             'import onnx,os;print(os.path.join(os.path.dirname(onnx.__file__),\"backend\",\"test\",\"data\"))'). \
             Set ZKINFER_SKIP_CONFORMANCE=1 to skip this test."
        ),
    }
}

fn manifest_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/supported.txt")
}

#[test]
fn onnx_backend_conformance() {
    let Some(dir) = data_dir() else { return };
    let manifest = Manifest::load(&manifest_path()).unwrap();
    let opts = ConformanceOptions { prove_sample: 1, ..Default::default() };
    let reports = conformance::run(&dir, &opts, &|_| {}).unwrap();
    let summary = Summary::of(&reports, Some(&manifest));
    println!("{}", summary.line());

    let mut problems = Vec::new();
    for r in &reports {
        let listed = manifest.lists(&r.id);
        match &r.outcome {
            o if o.panicked() => problems.push(r.line()),
            CaseOutcome::Passed(_) if !listed => {
                problems.push(format!("{} (passes: add it to the manifest)", r.line()))
            }
            CaseOutcome::Passed(_) => {}
            CaseOutcome::Failed(why) | CaseOutcome::Unsupported(why) if listed || why.trim().is_empty() => {
                problems.push(r.line())
            }
            _ => {}
        }
    }
    problems.extend(summary.missing.iter().map(|id| format!("{id}: listed but not in {}", dir.display())));
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    assert!(summary.ok(), "{}", summary.line());
    // The data covers all suites the manifest names; the node suite alone has over a thousand cases.
    assert!(
        reports.iter().filter(|r| r.id.starts_with("node/")).count() > 1000,
        "is {} the whole data folder?",
        dir.display()
    );
    assert!(reports.iter().any(|r| matches!(&r.outcome, CaseOutcome::Passed(p) if p.proved)), "no case was proven");
}

#[test]
fn cli_runs_one_case() {
    let Some(dir) = data_dir() else { return };
    let out = Command::new(env!("CARGO_BIN_EXE_zkinfer"))
        .arg("conformance")
        .arg(&dir)
        .args([
            "--manifest",
            &manifest_path().display().to_string(),
            "--case",
            "node/test_relu",
            "--case",
            "test_nonmaxsuppression_center_point_box_format",
        ])
        .args(["--prove-sample", "0"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.lines().any(|l| l.starts_with("PASS node/test_relu (k=")), "{stdout}");
    assert!(
        stdout.contains(
            "UNSUPPORTED node/test_nonmaxsuppression_center_point_box_format: node 'selected_indices': op \
             'NonMaxSuppression' is not supported"
        ),
        "{stdout}"
    );
    assert_eq!(stdout.lines().last(), Some("1 passed, 0 failed, 1 skipped"), "{stdout}");
}

#[test]
fn cli_reports_an_unknown_case() {
    let Some(dir) = data_dir() else { return };
    let out = Command::new(env!("CARGO_BIN_EXE_zkinfer"))
        .args(["conformance", &dir.display().to_string(), "--case", "test_no_such_case"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no case 'test_no_such_case'"));
}

#[test]
fn manifest_syntax() {
    let m = Manifest::parse("# header\n\nnode/test_relu  # why\n  simple/test_add\n").unwrap();
    assert_eq!(m.cases.len(), 2);
    assert!(m.lists("node/test_relu") && m.lists("simple/test_add"));
    assert!(Manifest::parse("node/a\nnode/a\n").unwrap_err().contains("listed twice"));
    assert!(Manifest::parse("node/a node/b\n").is_err());
}

#[test]
fn tolerance_scales_with_the_output_scale() {
    assert_eq!(quantized_tolerance(0.0, 10), 2.0 / 1024.0);
    assert_eq!(quantized_tolerance(-2048.0, 10), 2.0 / 1024.0 + 1.0);
    assert!(check_quantized(&[1.0 + 2.0 / 1024.0], &[1.0], 10, 0.0).is_ok());
    assert!(check_quantized(&[1.0 + 3.0 / 1024.0], &[1.0], 10, 0.0).is_err());
    assert!(check_quantized(&[1.01], &[1.0], 10, 0.0).unwrap_err().contains("value #0"));
    assert!(check_quantized(&[1.0, 2.0], &[1.0], 10, 0.0).is_err());
    assert!(check_f32(&[1.0005], &[1.0], 0.0).is_ok());
    assert!(check_f32(&[1.01], &[1.0], 0.0).is_err());
    assert!(check_f32(&[f32::NAN], &[1.0], 0.0).is_err());
    // A float16 reference is itself rounded by up to 2^-11 relative: that is added.
    let f16 = zkinfer::conformance::tolerance::reference_rtol(10);
    assert_eq!(f16, 1.0 / 2048.0);
    assert!(check_quantized(&[1000.0 + 0.7], &[1000.0], 10, 0.0).is_err());
    assert!(check_quantized(&[1000.0 + 0.7], &[1000.0], 10, f16).is_ok());
}

#[test]
fn a_folder_without_cases_is_an_error() {
    let dir = std::env::temp_dir().join(format!("zkinfer-conformance-empty-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("suite/case")).unwrap();
    let err = conformance::find_cases(&dir).unwrap_err().to_string();
    assert!(err.contains("no ONNX backend test cases"), "{err}");
    // A case folder with a model but no data set ends as a clear outcome, not a panic.
    std::fs::write(dir.join("suite/case/model.onnx"), b"not protobuf").unwrap();
    let reports = conformance::run(&dir, &ConformanceOptions::default(), &|_| {}).unwrap();
    assert_eq!(reports.len(), 1);
    assert!(matches!(&reports[0].outcome, CaseOutcome::Failed(r) | CaseOutcome::Unsupported(r) if !r.is_empty()));
    std::fs::remove_dir_all(&dir).unwrap();
}
