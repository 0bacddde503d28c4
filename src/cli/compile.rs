use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use zkinfer::halo2::PlanOptions;
use zkinfer::{CompileOptions, Compiled, Model};

use super::progress::step;
use super::{CalibrationArgs, Outcome, VisibilityArgs};

#[derive(Args)]
pub struct CompileArgs {
    /// The ONNX model.
    pub model: PathBuf,
    /// Output directory for settings.json and circuit.bin.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub calibration: CalibrationArgs,
    #[command(flatten)]
    pub visibility: VisibilityArgs,
}

pub fn run(args: CompileArgs) -> Result<Outcome> {
    let (_, compiled) = compile(&args.model, &args.calibration, &args.visibility, None)?;
    compiled.save(&args.out).with_context(|| format!("writing {}", args.out.display()))?;
    print_plan(&compiled);
    println!("wrote {}", args.out.display());
    Ok(Outcome::Ok)
}

/// The salt in `path` (`0x` and 62 hex digits), or a fresh one written there (readable by its
/// owner only) when the file does not exist.
fn param_salt(path: &Path) -> Result<zkinfer::ParamSalt> {
    match std::fs::read_to_string(path) {
        Ok(text) => zkinfer::param_salt_from_hex(&text)
            .with_context(|| format!("{}: a parameter salt is 0x and 62 hex digits (31 bytes)", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let salt = zkinfer::new_param_salt();
            let text = format!("{}\n", zkinfer::param_salt_to_hex(&salt));
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            use std::io::Write;
            options
                .open(path)
                .and_then(|mut f| f.write_all(text.as_bytes()))
                .with_context(|| format!("writing the new parameter salt to {}", path.display()))?;
            eprintln!(
                "wrote a new parameter salt to {}: keep it secret, and keep it (the model id depends on it)",
                path.display()
            );
            Ok(salt)
        }
        Err(e) => Err(e).with_context(|| format!("reading the parameter salt {}", path.display())),
    }
}

/// Shared by `compile` and `run`: import, calibrate, quantize, plan; returns the imported model
/// too (`run` evaluates it in f32 for the error row). `fallback` is used as calibration data
/// when no calibration file is given or found.
pub fn compile(
    model_path: &Path,
    cal: &CalibrationArgs,
    vis: &VisibilityArgs,
    fallback: Option<&Path>,
) -> Result<(Model, Compiled)> {
    let (model, samples, opts) = prepare(model_path, cal, vis, fallback)?;
    let compiled =
        step(&format!("calibrating on {} samples and compiling", samples.len()), || model.compile(&samples, &opts))?;
    Ok((model, compiled))
}

/// The quantized graph `compile` would plan a circuit for, without planning one.
pub fn quantize(model_path: &Path, cal: &CalibrationArgs, vis: &VisibilityArgs) -> Result<zkinfer::QGraph> {
    let (model, samples, opts) = prepare(model_path, cal, vis, None)?;
    let q =
        step(&format!("calibrating on {} samples and quantizing", samples.len()), || model.quantize(&samples, &opts))?;
    Ok(q)
}

/// The model, its calibration samples and the compile options the flags give.
fn prepare(
    model_path: &Path,
    cal: &CalibrationArgs,
    vis: &VisibilityArgs,
    fallback: Option<&Path>,
) -> Result<(Model, Vec<zkinfer::Sample>, CompileOptions)> {
    let model = step("importing model", || Model::load_with(model_path, &cal.import()))?;
    let cal_path = match cal.calibration.clone().or_else(|| zkinfer::sibling_calibration(model_path)) {
        Some(p) => p,
        None => match fallback {
            Some(p) => {
                eprintln!("warning: no calibration data given; calibrating on the input itself (pass --calibration for representative ranges)");
                p.to_path_buf()
            }
            None => anyhow::bail!(
                "no calibration data: pass --calibration DATA.json (EZKL's {{\"input_data\": [[...]]}} format) \
                 or put {} next to the model",
                model_path.with_extension("calibration.json").display()
            ),
        },
    };
    let samples = zkinfer::read_samples(&cal_path, &model)?;
    let opts = CompileOptions {
        proof_system: cal.proof_system,
        visibility: vis.config(),
        quant: cal.quant(),
        halo2: PlanOptions { max_k: cal.max_k, objective: cal.objective, ..PlanOptions::default() },
        param_salt: vis.param_salt.as_deref().map(param_salt).transpose()?,
    };
    Ok((model, samples, opts))
}

pub fn print_plan(c: &Compiled) {
    let s = &c.settings;
    let list = |ios: &[zkinfer::IoInfo]| {
        let each: Vec<String> = ios
            .iter()
            .map(|io| format!("'{}' {:?} ({}, scale 2^{})", io.name, io.shape, io.visibility, io.scale))
            .collect();
        each.join(", ")
    };
    println!(
        "model {}: inputs {}; outputs {}; parameters {}; {} multiply-accumulates",
        s.model,
        list(&s.inputs),
        list(&s.outputs),
        s.params,
        s.macs
    );
    for line in s.privacy() {
        println!("privacy, {line}");
    }
    println!("proof system: {}", s.proof_system().describe());
    println!("circuit: {}", c.circuit().summary());
}
