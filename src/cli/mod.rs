//! One file per subcommand; this file only parses arguments and dispatches.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use zkinfer::halo2::Objective;
use zkinfer::{ParamVisibility, ProofSystem, QuantConfig, Visibilities, VisibilityConfig};

mod audit;
mod bench;
mod calldata;
mod ceremony;
mod compile;
mod conformance;
mod model_id;
mod progress;
mod prove;
mod run;
mod setup;
mod snarkjs;
mod solidity;
mod verify;
mod verify_evm;

/// Exit code for a proof that was checked and rejected (other failures exit with 1).
pub const EXIT_REJECTED: u8 = 2;

#[derive(Parser)]
#[command(name = "zkinfer", version, about = "Zero-knowledge proofs of ONNX model inference (Halo2, KZG on BN254)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import, calibrate and quantize an ONNX model, and plan its circuit (writes settings.json, circuit.bin).
    Compile(compile::CompileArgs),
    /// Print the model id (with hashed parameters) and the structure digest, without keys or a proof.
    ModelId(model_id::ModelIdArgs),
    /// Key generation: writes pk.bin, vk.bin (and for Halo2 srs.bin) into the compiled directory.
    Setup(setup::SetupArgs),
    /// A multi-party Groth16 setup: start, contribute, phase2, verify, finish (keys secure if one participant is honest).
    Ceremony(ceremony::CeremonyArgs),
    /// Prove one run of the model on an input (EZKL's {"input_data": [[...]]} format).
    Prove(prove::ProveArgs),
    /// Verify a proof file against the verifying key; prints `verified` or the reason it was rejected.
    Verify(verify::VerifyArgs),
    /// compile + setup + prove + verify in one go, with a summary table.
    Run(run::RunArgs),
    /// Calldata (0x hex) of the Solidity verifier's `verifyProof(bytes,uint256[])` for a proof file.
    Calldata(calldata::CalldataArgs),
    /// Write the Solidity verifier (ZkinferVerifier + this model's ZkinferVerifyingKey contract).
    Solidity(solidity::SolidityArgs),
    /// Write a Groth16 proof and its verifying key in snarkjs's JSON forms (for `snarkjs groth16 verify`).
    Snarkjs(snarkjs::SnarkjsArgs),
    /// Verify a proof in an in-process EVM with the Solidity verifier; prints the verdict, gas and bytecode sizes.
    VerifyEvm(verify_evm::VerifyEvmArgs),
    /// Mutation audit: change each witness cell on its own; MockProver must reject every change (exit 2 if not).
    Audit(audit::AuditArgs),
    /// Run the ONNX backend test cases (the onnx package's test data) through the whole pipeline.
    Conformance(conformance::ConformanceArgs),
    /// The vendor benchmark suite: every bundled model (phases, memory, kernel floor) and an MSM/FFT sweep.
    Bench(bench::BenchArgs),
}

/// Visibility flags shared by `compile` and `run`.
#[derive(Args, Clone)]
pub struct VisibilityArgs {
    /// Model inputs: private (hidden by zero knowledge), public (in the instance) or hashed
    /// (hidden; their Poseidon hash in the instance); one for all inputs, or a comma-separated
    /// list with one per input (`public,private`).
    #[arg(long, default_value = "private")]
    pub input_visibility: Visibilities,
    /// Weights and biases: fixed (baked into the proving key), private (witness) or hashed
    /// (witness bound to a model id, the Poseidon hash of the weights, in the instance).
    #[arg(long = "param-visibility", default_value = "fixed")]
    pub param_visibility: ParamVisibility,
    /// With hashed parameters: a secret salt hashed with the weights into the model id, read
    /// from FILE, or generated and written there when FILE does not exist.
    #[arg(long, value_name = "FILE")]
    pub param_salt: Option<std::path::PathBuf>,
    /// Model outputs: public (in the instance), private or hashed (hidden; their Poseidon hash
    /// in the instance); one for all outputs, or a comma-separated list with one per output.
    #[arg(long, default_value = "public")]
    pub output_visibility: Visibilities,
}

impl VisibilityArgs {
    pub fn config(&self) -> VisibilityConfig {
        VisibilityConfig {
            inputs: self.input_visibility.clone(),
            params: self.param_visibility,
            outputs: self.output_visibility.clone(),
        }
    }
}

/// Calibration flags shared by `compile` and `run`.
#[derive(Args, Clone)]
pub struct CalibrationArgs {
    /// Sample inputs for calibration (EZKL's input format; rows may concatenate several samples).
    /// Default: MODEL's sibling `<name>.calibration.json` if present.
    #[arg(long)]
    pub calibration: Option<PathBuf>,
    /// The proof system to compile for: halo2, or groth16 (256-byte proofs, about 221k gas on
    /// chain, a setup per circuit: `zkinfer setup`, or a multi-party `zkinfer ceremony`). The
    /// settings record it, and every later step reads it from there.
    #[arg(long, default_value_t = ProofSystem::Halo2)]
    pub proof_system: ProofSystem,
    /// Largest circuit size 2^k the planner may choose.
    #[arg(long, default_value_t = 22)]
    pub max_k: u32,
    /// What the layout planner minimises: `prover` (proving time: wide layouts, small k) or
    /// `verifier` (on-chain verification gas: few columns, larger k).
    #[arg(long = "optimize", default_value_t = Objective::Prover)]
    pub objective: Objective,
    /// Lookup tables (nonlinear activations) get at most 2^N entries; a wider input is first
    /// requantized down to fit. Where the tables would set k, the planner makes them smaller
    /// still, as far as their interpolation stays within half a unit of the output's scale; a
    /// smaller N trades accuracy for a smaller k. Default: the library's (12).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..=24))]
    pub table_bits: Option<u32>,
    /// Take the nearest table entry for a requantized activation instead of interpolating
    /// between the two around it: fewer rows per element, up to ~70x the error.
    #[arg(long)]
    pub no_table_interpolation: bool,
    /// The size of a symbolic input dimension (an exported dynamic axis such as `batch`), as
    /// NAME=SIZE; repeat for several. The circuit's shapes are fixed, so every symbolic
    /// dimension of an input needs one.
    #[arg(long = "dim", value_name = "NAME=SIZE", value_parser = parse_dim)]
    pub dims: Vec<(String, usize)>,
}

/// `NAME=SIZE` of `--dim`, the size positive.
fn parse_dim(s: &str) -> std::result::Result<(String, usize), String> {
    let (name, size) = s.split_once('=').ok_or_else(|| format!("expected NAME=SIZE, got {s:?}"))?;
    match size.trim().parse::<usize>() {
        Ok(n) if n > 0 && !name.trim().is_empty() => Ok((name.trim().to_string(), n)),
        _ => Err(format!("expected NAME=SIZE with a positive SIZE, got {s:?}")),
    }
}

impl CalibrationArgs {
    /// The import options these flags select (`--dim`).
    pub fn import(&self) -> zkinfer::ImportOptions {
        zkinfer::ImportOptions { dims: self.dims.iter().cloned().collect() }
    }

    /// The quantization settings these flags select.
    pub fn quant(&self) -> QuantConfig {
        let mut q = QuantConfig::default();
        if let Some(bits) = self.table_bits {
            q.table_bits = bits;
        }
        q.table_interpolation = !self.no_table_interpolation;
        q
    }
}

/// Outcome of a subcommand: rejected proofs get their own exit code.
pub enum Outcome {
    Ok,
    Rejected,
}

pub fn main() -> ExitCode {
    quiet_on_closed_stdout();
    let cli = Cli::parse();
    init_tracing();
    let result = match cli.command {
        Command::Compile(a) => compile::run(a),
        Command::ModelId(a) => model_id::run(a),
        Command::Setup(a) => setup::run(a),
        Command::Ceremony(a) => ceremony::run(a),
        Command::Prove(a) => prove::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Run(a) => run::run(a),
        Command::Audit(a) => audit::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Conformance(a) => conformance::run(a),
        Command::Calldata(a) => calldata::run(a),
        Command::Solidity(a) => solidity::run(a),
        Command::Snarkjs(a) => snarkjs::run(a),
        Command::VerifyEvm(a) => verify_evm::run(a),
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Rejected) => ExitCode::from(EXIT_REJECTED),
        Err(e) => {
            eprintln!("error: {}", error_chain(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes, skipping causes whose text the message already contains
/// (our error types print their source inline).
fn error_chain(e: &anyhow::Error) -> String {
    let mut msg = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !msg.contains(&c) {
            msg = format!("{msg}: {c}");
        }
    }
    msg
}

/// Exit code of a process whose stdout reader went away (what a shell reports for a command
/// killed by SIGPIPE: 128 + 13).
const EXIT_BROKEN_PIPE: i32 = 141;

/// `zkinfer verify-evm … | head`: Rust ignores SIGPIPE, so printing to a closed pipe makes
/// `println!` panic. Such a reader has all it wanted; end quietly, as other Unix tools do.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let msg =
            payload.downcast_ref::<String>().map(String::as_str).or_else(|| payload.downcast_ref::<&str>().copied());
        if msg.is_some_and(|m| m.starts_with("failed printing to stdout") && m.contains("Broken pipe")) {
            std::process::exit(EXIT_BROKEN_PIPE);
        }
        default(info);
    }));
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ZKINFER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,zkinfer_prover::srs=error"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
