//! The ONNX backend conformance runner behind `zkinfer conformance`.
//!
//! The `onnx` Python package ships the backend test data: `<suite>/<case>/model.onnx` with
//! `test_data_set_0/input_<i>.pb` and `output_<i>.pb` (serialized `TensorProto`s). For each case
//! the runner imports the model, calibrates on the case's own input, compiles, computes the
//! witness, checks the circuit with halo2's `MockProver`, and compares the dequantized output
//! with `output_0.pb` (see [`tolerance`]); for a sample it also makes and verifies a real proof.
//!
//! A zkinfer circuit has one input: the first floating-point graph input stays the input, and every
//! other graph input is baked in as a constant initializer holding its test data (so `Add(x, y)`
//! is tested as "x plus a constant").
//!
//! Every case ends [`CaseOutcome::Passed`], [`CaseOutcome::Failed`] (with the reason; a panic
//! is caught and reported as a failure) or [`CaseOutcome::Unsupported`] (the importer or
//! quantizer names what it does not support). A [`Manifest`] lists the cases expected to pass.

mod case;
mod counts;
mod manifest;
pub mod tolerance;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use counts::{suite_counts, SuiteCount};
pub use manifest::Manifest;

use crate::Error;

/// Environment variable naming the backend test data folder (`onnx/backend/test/data`).
pub const DATA_ENV: &str = "ZKINFER_ONNX_TEST_DATA";

/// The pinned `onnx` package whose test data the manifest was measured on.
pub const ONNX_VERSION: &str = "1.22.0";

/// What to run.
#[derive(Debug, Clone)]
pub struct ConformanceOptions {
    /// Only these cases (full id `suite/case` or the bare case name); empty: all.
    pub only: Vec<String>,
    /// Make and verify a real proof for this many passing cases (the first ones by id whose
    /// circuit has `k <= PROVE_MAX_K`).
    pub prove_sample: usize,
    /// Largest circuit size the planner may choose; larger cases are `Unsupported`.
    pub max_k: u32,
}

impl Default for ConformanceOptions {
    fn default() -> Self {
        Self { only: Vec::new(), prove_sample: 2, max_k: DEFAULT_MAX_K }
    }
}

/// Largest circuit size a case may take by default: `2^18` rows keeps a case's `MockProver`
/// within seconds and about 4 GB on two cores (the product's own planner goes to `k = 22`).
pub const DEFAULT_MAX_K: u32 = 18;

/// Largest `k` at which a sampled case is proven for real.
pub const PROVE_MAX_K: u32 = 12;

/// What a passing case measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Passed {
    /// Circuit size.
    pub k: u32,
    /// Fixed-point scale of the output.
    pub output_scale: u32,
    /// Largest |dequantized circuit output − reference|.
    pub max_err: f64,
    /// A real proof was made and verified.
    pub proved: bool,
}

/// How one case ended.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseOutcome {
    /// Imported, quantized, laid out and checked (and proven, when asked) within tolerance.
    Passed(Passed),
    /// A step failed: why.
    Failed(String),
    /// The case uses something zkinfer does not support: what.
    Unsupported(String),
}

impl CaseOutcome {
    /// True for [`CaseOutcome::Passed`].
    pub fn passed(&self) -> bool {
        matches!(self, CaseOutcome::Passed(_))
    }

    /// True when the case panicked (caught and reported as a failure).
    pub fn panicked(&self) -> bool {
        matches!(self, CaseOutcome::Failed(r) if r.starts_with("panicked: "))
    }
}

/// One case's result.
#[derive(Debug, Clone)]
pub struct CaseReport {
    /// `suite/case`, e.g. `node/test_relu`.
    pub id: String,
    /// How it ended.
    pub outcome: CaseOutcome,
    /// Every graph input and output is a tensor of a numeric (or boolean) element type: not a
    /// string, sequence, optional or map. The conformance target counts these cases.
    pub numeric: bool,
}

impl CaseReport {
    /// One line: `PASS id (k=.., output scale .., max err ..)`, `FAIL id: reason` or
    /// `UNSUPPORTED id: reason`; a sampled case's second line, after its real proof, is
    /// `PROVED id (...)`.
    pub fn line(&self) -> String {
        match &self.outcome {
            CaseOutcome::Passed(p) => format!(
                "{} {} (k={}, output scale 2^-{}, max err {:.2e}{})",
                if p.proved { "PROVED" } else { "PASS" },
                self.id,
                p.k,
                p.output_scale,
                p.max_err,
                if p.proved { ", real setup + prove + verify" } else { "" }
            ),
            CaseOutcome::Failed(r) => format!("FAIL {}: {r}", self.id),
            CaseOutcome::Unsupported(r) => format!("UNSUPPORTED {}: {r}", self.id),
        }
    }
}

/// Counts over a run, judged against an optional manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Cases that passed.
    pub passed: usize,
    /// Without a manifest: cases that failed. With one: listed cases that did not pass, plus
    /// any case that panicked.
    pub failed: usize,
    /// Without a manifest: unsupported cases. With one: unlisted cases that did not pass.
    pub skipped: usize,
    /// Unlisted cases that pass (the manifest should list them).
    pub unlisted_passes: Vec<String>,
    /// Manifest entries with no such case in the data.
    pub missing: Vec<String>,
}

impl Summary {
    /// Tallies `reports`; `manifest` decides what counts as a failure.
    pub fn of(reports: &[CaseReport], manifest: Option<&Manifest>) -> Self {
        let mut s = Summary::default();
        for r in reports {
            let listed = manifest.map(|m| m.lists(&r.id));
            match (&r.outcome, listed) {
                (CaseOutcome::Passed(_), Some(false)) => {
                    s.passed += 1;
                    s.unlisted_passes.push(r.id.clone());
                }
                (CaseOutcome::Passed(_), _) => s.passed += 1,
                (o, _) if o.panicked() => s.failed += 1,
                (CaseOutcome::Failed(_), None | Some(true)) | (CaseOutcome::Unsupported(_), Some(true)) => {
                    s.failed += 1
                }
                _ => s.skipped += 1,
            }
        }
        if let Some(m) = manifest {
            s.missing = m.cases.iter().filter(|id| !reports.iter().any(|r| &r.id == *id)).cloned().collect();
            s.failed += s.missing.len();
        }
        s
    }

    /// `N passed, M failed, K skipped` (the last part only when K > 0).
    pub fn line(&self) -> String {
        let skipped = if self.skipped > 0 { format!(", {} skipped", self.skipped) } else { String::new() };
        format!("{} passed, {} failed{skipped}", self.passed, self.failed)
    }

    /// No failure, no unlisted pass, no missing case.
    pub fn ok(&self) -> bool {
        self.failed == 0 && self.unlisted_passes.is_empty() && self.missing.is_empty()
    }
}

/// Every case under `dir`, as `(id, folder)` sorted by id. `dir` may be the data root (holding
/// `node/`, `simple/`, ...), one suite folder, or one case folder; a case is a folder with a
/// `model.onnx`. (The `real/` suite ships only download links: it has no cases here.)
pub fn find_cases(dir: &Path) -> Result<Vec<(String, PathBuf)>, Error> {
    let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let id = |case: &Path| {
        let suite = case.parent().map(name).unwrap_or_default();
        format!("{suite}/{}", name(case))
    };
    if dir.join("model.onnx").is_file() {
        return Ok(vec![(id(dir), dir.to_path_buf())]);
    }
    let mut cases = Vec::new();
    for sub in subdirs(dir)? {
        if sub.join("model.onnx").is_file() {
            cases.push((id(&sub), sub));
        } else {
            for case in subdirs(&sub)? {
                if case.join("model.onnx").is_file() {
                    cases.push((id(&case), case));
                }
            }
        }
    }
    if cases.is_empty() {
        return Err(Error::Config(format!(
            "no ONNX backend test cases under {} (expected <suite>/<case>/model.onnx; the data is \
             onnx/backend/test/data inside the onnx Python package)",
            dir.display()
        )));
    }
    cases.sort();
    Ok(cases)
}

fn subdirs(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(Error::io(dir))? {
        let path = entry.map_err(Error::io(dir))?.path();
        if path.is_dir() {
            out.push(path);
        }
    }
    Ok(out)
}

/// Runs the cases under `dir` (filtered by `opts.only`) in parallel, then proves the sample.
/// `progress` hears of each case as it ends (in completion order); the result is in id order.
pub fn run(
    dir: &Path,
    opts: &ConformanceOptions,
    progress: &(dyn Fn(&CaseReport) + Sync),
) -> Result<Vec<CaseReport>, Error> {
    let mut cases = find_cases(dir)?;
    if !opts.only.is_empty() {
        let matches = |id: &str, want: &str| id == want || id.rsplit('/').next() == Some(want);
        if let Some(missing) = opts.only.iter().find(|w| !cases.iter().any(|(id, _)| matches(id, w))) {
            return Err(Error::Config(format!("no case '{missing}' under {}", dir.display())));
        }
        cases.retain(|(id, _)| opts.only.iter().any(|w| matches(id, w)));
    }
    let mut reports: Vec<CaseReport> = cases
        .par_iter()
        .map(|(id, path)| {
            let numeric = case::numeric_io(path);
            let report = CaseReport { id: id.clone(), outcome: case::run_case(path, opts, false), numeric };
            progress(&report);
            report
        })
        .collect();
    let sample: Vec<usize> = reports
        .iter()
        .enumerate()
        .filter(|(_, r)| matches!(&r.outcome, CaseOutcome::Passed(p) if p.k <= PROVE_MAX_K))
        .map(|(i, _)| i)
        .take(opts.prove_sample)
        .collect();
    for i in sample {
        let outcome = case::run_case(&cases[i].1, opts, true);
        let report = CaseReport { id: reports[i].id.clone(), outcome, numeric: reports[i].numeric };
        progress(&report);
        reports[i] = report;
    }
    Ok(reports)
}
