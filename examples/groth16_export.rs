//! Groth16 end to end from the library, until the CLI takes `--proof-system groth16`: a
//! development setup, one proof, and everything a verifier elsewhere needs, written into OUT:
//! `Groth16Verifier.sol` (contract `ZkinferGroth16Verifier`), `calldata.hex` (its
//! `verifyProof` call), and snarkjs's `verification_key.json`, `proof.json` and `public.json`.
//!
//! `cargo run --release --example groth16_export -- MODEL.onnx CALIBRATION.json INPUT.json OUT`
//!
//! The setup's randomness comes from a seed printed below: anyone who knows it can forge proofs
//! for this circuit, so the output is for testing only (evm/node-test.sh uses it).

use std::process::ExitCode;

use zkinfer::{groth16, CompileOptions, Model};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model, calibration, input, out] = args.as_slice() else {
        return Err("usage: groth16_export MODEL.onnx CALIBRATION.json INPUT.json OUT".into());
    };
    let model = Model::load(model)?;
    let calibration = zkinfer::read_samples(calibration, &model)?;
    let input = zkinfer::read_samples(input, &model)?.remove(0);
    let q = model.quantize(&calibration, &CompileOptions::default())?;

    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_nanos() as u64;
    eprintln!(
        "WARNING: development Groth16 setup from seed {seed}: anyone who knows the seed can forge proofs \
         for this circuit. Not for production."
    );
    let keys = groth16::setup_dev(&q, seed)?;
    let proof = groth16::prove(&q, &keys, &input)?;
    let vk = keys.verifying_key();
    groth16::verify(&vk, &proof)?;

    let out = std::path::Path::new(out);
    std::fs::create_dir_all(out)?;
    std::fs::write(out.join("Groth16Verifier.sol"), groth16::solidity(&vk, groth16::model_id(&q))?)?;
    let calldata: String = groth16::calldata(&vk, &proof)?.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(out.join("calldata.hex"), format!("0x{calldata}\n"))?;
    let [vk_json, proof_json, public_json] = groth16::snarkjs(&vk, &proof)?;
    std::fs::write(out.join("verification_key.json"), vk_json)?;
    std::fs::write(out.join("proof.json"), proof_json)?;
    std::fs::write(out.join("public.json"), public_json)?;
    println!(
        "{} constraints, {} values in {} public input(s); wrote {}",
        keys.constraints,
        proof.public.len(),
        keys.public_inputs,
        out.display()
    );
    Ok(())
}
