use std::path::{Path, PathBuf};
use std::sync::Arc;

use zkinfer_circuits::PlanOptions;
use zkinfer_graph::{calibrate, io, one_input_samples, quantize, Graph, QuantConfig, VisibilityConfig};

use crate::artifacts::{Compiled, Settings};
use crate::{Error, ProofSystem};

/// An imported ONNX model (f32 graph).
#[derive(Debug)]
pub struct Model {
    pub graph: Graph,
    /// File the model came from (for settings and messages).
    pub source: PathBuf,
}

/// How to compile a model: quantization, visibility and layout knobs.
#[derive(Debug, Clone, Default)]
pub struct CompileOptions {
    /// The proof system to compile for (Halo2, the default, is the only one today).
    pub proof_system: ProofSystem,
    pub visibility: VisibilityConfig,
    pub quant: QuantConfig,
    pub plan: PlanOptions,
}

impl Model {
    /// Imports an ONNX file. Unsupported ops are reported here, before any proving work.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(Error::io(path))?;
        let graph = zkinfer_onnx::parse(&bytes)?;
        Ok(Self { graph, source: path.to_path_buf() })
    }

    /// Number of values the model takes as input.
    pub fn input_len(&self) -> usize {
        self.graph.input_shape(0).iter().product()
    }

    /// f32 reference output.
    pub fn eval(&self, input: &[f32]) -> Result<Vec<f32>, Error> {
        Ok(self.graph.eval(input)?.iter().copied().collect())
    }

    /// Calibrates on `samples`, quantizes, and plans the circuit layout.
    pub fn compile(&self, samples: &[Vec<f32>], opts: &CompileOptions) -> Result<Compiled, Error> {
        let _span = tracing::info_span!("compile").entered();
        if samples.is_empty() {
            return Err(Error::Config("calibration needs at least one sample".into()));
        }
        let calibration = calibrate(&self.graph, one_input_samples(samples.to_vec()))?;
        let qgraph = quantize(&self.graph, &calibration, &opts.quant, opts.visibility)?;
        let plan = zkinfer_circuits::plan_circuit(&qgraph, &opts.plan)?;
        let name = self.source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let settings = Settings::new(&name, opts.proof_system, &qgraph, &plan, &opts.quant);
        Ok(Compiled { qgraph: Arc::new(qgraph), plan, settings })
    }
}

/// The calibration file `compile` uses by default: `<stem>.calibration.json` next to the
/// model, if it exists.
pub fn sibling_calibration(model: &Path) -> Option<PathBuf> {
    let stem = model.file_stem()?.to_string_lossy().into_owned();
    let path = model.with_file_name(format!("{stem}.calibration.json"));
    path.exists().then_some(path)
}

/// Reads an EZKL-format data file (`{"input_data": [[...]]}`) as samples of the model's input
/// length (rows holding several concatenated samples are split).
pub fn read_samples(path: impl AsRef<Path>, model: &Model) -> Result<Vec<Vec<f32>>, Error> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(Error::io(path))?;
    let rows = io::parse_input_data(&text).map_err(|e| Error::BadFile { path: path.into(), reason: e.to_string() })?;
    let samples = io::split_samples(rows, model.input_len())
        .map_err(|e| Error::BadFile { path: path.into(), reason: e.to_string() })?;
    Ok(samples)
}

/// Reads exactly one input of `expected_len` values from an EZKL-format file (`prove`'s input).
pub fn read_input(path: impl AsRef<Path>, expected_len: usize) -> Result<Vec<f32>, Error> {
    let path = path.as_ref();
    let bad = |reason: String| Error::BadFile { path: path.into(), reason };
    let text = std::fs::read_to_string(path).map_err(Error::io(path))?;
    let mut rows = io::parse_input_data(&text).map_err(|e| bad(e.to_string()))?;
    if rows.len() != 1 {
        return Err(bad(format!("expected one input row, found {}", rows.len())));
    }
    let row = rows.remove(0);
    if row.len() != expected_len {
        return Err(bad(format!("the input has {} values but the model expects {expected_len}", row.len())));
    }
    Ok(row)
}
