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
    let compiled = compile(&args.model, &args.calibration, &args.visibility, None)?;
    compiled.save(&args.out).with_context(|| format!("writing {}", args.out.display()))?;
    print_plan(&compiled);
    println!("wrote {}", args.out.display());
    Ok(Outcome::Ok)
}

/// Shared by `compile` and `run`: import, calibrate, quantize, plan. `fallback` is used as
/// calibration data when no calibration file is given or found.
pub fn compile(
    model_path: &Path,
    cal: &CalibrationArgs,
    vis: &VisibilityArgs,
    fallback: Option<&Path>,
) -> Result<Compiled> {
    let model = step("importing model", || Model::load(model_path))?;
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
    };
    let compiled =
        step(&format!("calibrating on {} samples and compiling", samples.len()), || model.compile(&samples, &opts))?;
    Ok(compiled)
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
