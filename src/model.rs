use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::halo2::PlanOptions;
use zkinfer_graph::{calibrate, io, quantize, Graph, ParamVisibility, QGraph, QuantConfig, Sample, VisibilityConfig};

use crate::artifacts::{Compiled, Settings};
use crate::{CircuitSpec, Error, ImportOptions, ProofSystem};

/// An imported ONNX model (f32 graph).
#[derive(Debug)]
pub struct Model {
    /// The imported f32 graph.
    pub graph: Graph,
    /// File the model came from (for settings and messages).
    pub source: PathBuf,
}

/// How to compile a model: the proof system, visibility and quantization (shared by every
/// proof system), and each proof system's own knobs.
#[derive(Debug, Clone, Default)]
pub struct CompileOptions {
    /// The proof system to compile for (Halo2 by default).
    pub proof_system: ProofSystem,
    /// Who sees the inputs, the parameters and the outputs.
    pub visibility: VisibilityConfig,
    /// Fixed-point scales, bounds and tables.
    pub quant: QuantConfig,
    /// Halo2's layout knobs (the planner's `k`, dot block, limbs and objective).
    pub halo2: PlanOptions,
    /// With hashed parameters, a secret salt hashed after them into the model id, so that whoever
    /// can guess the weights cannot confirm the guess from the id ([`crate::new_param_salt`]).
    pub param_salt: Option<zkinfer_graph::ParamSalt>,
}

impl Model {
    /// Imports an ONNX file. Unsupported ops are reported here, before any proving work.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::load_with(path, &ImportOptions::default())
    }

    /// [`Model::load`] with [`ImportOptions`]: sizes for the model's symbolic input dimensions.
    pub fn load_with(path: impl AsRef<Path>, opts: &ImportOptions) -> Result<Self, Error> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(Error::io(path))?;
        let graph = zkinfer_onnx::parse_with(&bytes, opts)?;
        Ok(Self { graph, source: path.to_path_buf() })
    }

    /// Number of values of each input, in order.
    pub fn input_lens(&self) -> Vec<usize> {
        (0..self.graph.inputs.len()).map(|i| self.graph.input_shape(i).iter().product()).collect()
    }

    /// f32 reference outputs (flat, in order) on one flat vector per input.
    pub fn eval(&self, inputs: &[Vec<f32>]) -> Result<Vec<Vec<f32>>, Error> {
        let inputs: Vec<&[f32]> = inputs.iter().map(|x| x.as_slice()).collect();
        Ok(self.graph.eval_outputs(&inputs)?.into_iter().map(|t| t.iter().copied().collect()).collect())
    }

    /// Calibrates on `samples` (each one flat vector per input), quantizes, and plans the
    /// circuit layout.
    pub fn compile(&self, samples: &[Sample], opts: &CompileOptions) -> Result<Compiled, Error> {
        let _span = tracing::info_span!("compile").entered();
        let qgraph = self.quantize(samples, opts)?;
        let circuit = match opts.proof_system {
            ProofSystem::Halo2 => CircuitSpec::Halo2(zkinfer_circuits::plan_circuit(&qgraph, &opts.halo2)?),
            ProofSystem::Groth16 => CircuitSpec::Groth16(crate::R1csPlan::of(&qgraph)?),
        };
        let name = self.source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let settings = Settings::new(&name, &qgraph, circuit, &opts.quant);
        Ok(Compiled { qgraph: Arc::new(qgraph), settings })
    }

    /// The integer graph `compile` proves, without a circuit: calibrated on `samples`,
    /// quantized, with the salt, and validated. Enough for the model's identity
    /// ([`crate::ModelIdentity::of`]), whatever size of circuit it would need.
    pub fn quantize(&self, samples: &[Sample], opts: &CompileOptions) -> Result<QGraph, Error> {
        if samples.is_empty() {
            return Err(Error::Config("calibration needs at least one sample".into()));
        }
        let calibration = calibrate(&self.graph, samples.to_vec())?;
        let mut qgraph = quantize(&self.graph, &calibration, &opts.quant, &opts.visibility)?;
        if opts.param_salt.is_some() && qgraph.params != ParamVisibility::Hashed {
            return Err(Error::Config("a parameter salt needs hashed parameters (--param-visibility hashed)".into()));
        }
        qgraph.param_salt = opts.param_salt;
        // Hashed parameters pack the weights: a weight outside the packing's range is named here.
        qgraph.validate()?;
        Ok(qgraph)
    }
}

/// The calibration file `compile` uses by default: `<stem>.calibration.json` next to the
/// model, if it exists.
pub fn sibling_calibration(model: &Path) -> Option<PathBuf> {
    let stem = model.file_stem()?.to_string_lossy().into_owned();
    let path = model.with_file_name(format!("{stem}.calibration.json"));
    path.exists().then_some(path)
}

/// Reads an EZKL-format data file (`{"input_data": [[...]]}`) as calibration samples. With one
/// input, each row holds one sample or several concatenated; with several inputs, row `i` holds
/// input `i` of every sample, concatenated (EZKL's layout), and every row has the same number
/// of samples.
pub fn read_samples(path: impl AsRef<Path>, model: &Model) -> Result<Vec<Sample>, Error> {
    let path = path.as_ref();
    let bad = |reason: String| Error::BadFile { path: path.into(), reason };
    let text = std::fs::read_to_string(path).map_err(Error::io(path))?;
    let rows = io::parse_input_data(&text).map_err(|e| bad(e.to_string()))?;
    let lens = model.input_lens();
    if let [len] = lens.as_slice() {
        let samples = io::split_samples(rows, *len).map_err(|e| bad(e.to_string()))?;
        return Ok(samples.into_iter().map(|s| vec![s]).collect());
    }
    if rows.len() != lens.len() {
        return Err(bad(format!(
            "the model has {} inputs; the file has {} rows (one per input)",
            lens.len(),
            rows.len()
        )));
    }
    let per_input: Vec<Vec<Vec<f32>>> = rows
        .into_iter()
        .zip(&lens)
        .map(|(row, &len)| io::split_samples(vec![row], len))
        .collect::<Result<_, _>>()
        .map_err(|e| bad(e.to_string()))?;
    let count = per_input[0].len();
    if per_input.iter().any(|s| s.len() != count) {
        return Err(bad("the rows hold different numbers of samples".into()));
    }
    Ok((0..count).map(|k| per_input.iter().map(|s| s[k].clone()).collect()).collect())
}

/// Reads exactly one run's inputs from an EZKL-format file (`prove`'s input): one row per
/// input, in order, of `lens[i]` values each.
pub fn read_input(path: impl AsRef<Path>, lens: &[usize]) -> Result<Sample, Error> {
    let path = path.as_ref();
    let bad = |reason: String| Error::BadFile { path: path.into(), reason };
    let text = std::fs::read_to_string(path).map_err(Error::io(path))?;
    let rows = io::parse_input_data(&text).map_err(|e| bad(e.to_string()))?;
    if rows.len() != lens.len() {
        return Err(bad(match lens.len() {
            1 => format!("expected one input row, found {}", rows.len()),
            n => format!("the model has {n} inputs: expected {n} rows (one per input), found {}", rows.len()),
        }));
    }
    for (i, (row, &len)) in rows.iter().zip(lens).enumerate() {
        if row.len() != len {
            return Err(bad(match lens.len() {
                1 => format!("the input has {} values but the model expects {len}", row.len()),
                _ => format!("input #{i} has {} values but the model expects {len}", row.len()),
            }));
        }
    }
    Ok(rows)
}
