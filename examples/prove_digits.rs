//! Proves one digit classification with the library API and verifies it.
//!
//! `cargo run --release --example prove_digits`

use std::process::ExitCode;

use zkinfer::{CompileOptions, Model, Srs};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), zkinfer::Error> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/models");
    let model = Model::load(format!("{dir}/mlp_digits.onnx"))?;
    let calibration = zkinfer::read_samples(format!("{dir}/mlp_digits.calibration.json"), &model)?;
    let input = zkinfer::read_samples(format!("{dir}/mlp_digits.input.json"), &model)?.remove(0);

    let compiled = model.compile(&calibration, &CompileOptions::default())?;
    println!("circuit: {}", compiled.circuit().summary());

    let keys = zkinfer::setup(&compiled, Srs::Dev)?;
    if let Some(warning) = keys.insecure_srs_warning() {
        eprintln!("WARNING: {warning}");
    }
    let proof = zkinfer::prove(&compiled, &keys, &input)?;
    zkinfer::verify(&keys.verifier(), &proof)?;

    // The model has one output, the ten logits; it is public by default.
    let logits = &proof.outputs[0].values;
    let digit = logits.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i).unwrap_or_default();
    println!("verified: the model classifies the private input as {digit}");
    println!("logits: {logits:?}");
    println!("proof: {} bytes", proof.proof_bytes()?.len());
    Ok(())
}
