use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::compile::quantize;
use super::{CalibrationArgs, Outcome, VisibilityArgs};

#[derive(Args)]
pub struct ModelIdArgs {
    /// The ONNX model.
    pub model: PathBuf,
    #[command(flatten)]
    pub calibration: CalibrationArgs,
    #[command(flatten)]
    pub visibility: VisibilityArgs,
}

pub fn run(args: ModelIdArgs) -> Result<Outcome> {
    // No circuit is planned: the id exists for a model of any size.
    let q = quantize(&args.model, &args.calibration, &args.visibility)?;
    let id = zkinfer::ModelIdentity::of(&q);
    match &id.model_id {
        Some(model_id) => println!(
            "model id: {model_id} (Poseidon hash of {} parameters{}; instance 0 of every proof)",
            id.params,
            if id.salted { " and the salt" } else { ", unsalted" }
        ),
        None => println!("model id: none: parameters are {} (--param-visibility hashed gives one)", q.params),
    }
    println!(
        "structure: {} (Keccak-256 of the quantized graph without its parameters: ops, scales, bounds, visibility)",
        id.structure
    );
    Ok(Outcome::Ok)
}
