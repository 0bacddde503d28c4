//! The fuzzed entry points, shared by the cargo-fuzz targets (`fuzz/fuzz_targets/`) and the
//! regression test that replays the committed corpus (`tests/fuzz_regressions.rs`). Each must
//! return (with an error or not) on any input: a panic, abort or hang is a bug.

use std::path::Path;

use zkinfer::{CompileOptions, Model, ProofBundle, Srs, VerifierKeys};
use zkinfer_circuits::{CircuitPlan, Fr, ModelCircuit};
use zkinfer_prover::artifact::{self, ArtifactKind};

/// Largest input evaluated after a successful import (keeps the fuzzer's memory bounded).
const MAX_INPUT: usize = 1 << 16;

/// A compiled model with keys and an honest proof, made once per process.
pub struct Fixture {
    /// Plan of the model's settings (needed to read its verifying key).
    pub plan: CircuitPlan,
    /// Verifying key, SRS and settings.
    pub keys: VerifierKeys,
    /// The honest proof's public instances.
    pub instances: Vec<Fr>,
    /// The honest proof.
    pub bundle: ProofBundle,
}

/// mlp_digits from `models` (the repository's `examples/models`), compiled, keyed and proven.
pub fn fixture(models: &Path) -> Result<Fixture, zkinfer::Error> {
    let model = Model::load(models.join("mlp_digits.onnx"))?;
    let samples = zkinfer::read_samples(models.join("mlp_digits.calibration.json"), &model)?;
    let compiled = model.compile(&samples, &CompileOptions::default())?;
    let keys = zkinfer::setup(&compiled, Srs::Dev)?;
    let bundle = zkinfer::prove(&compiled, &keys, &samples[0])?;
    let instances = bundle.instance_values()?;
    let plan = compiled.circuit().halo2().ok_or_else(|| zkinfer::Error::Config("compiled for halo2".into()))?;
    Ok(Fixture { plan: plan.clone(), keys: keys.verifier(), instances, bundle })
}

/// ONNX import; when the bytes import, the f32 evaluation on zeros.
pub fn onnx_import(data: &[u8]) {
    let Ok(graph) = zkinfer_onnx::parse(data) else { return };
    let lens: Option<Vec<usize>> = (0..graph.inputs.len())
        .map(|i| graph.input_shape(i).iter().try_fold(1usize, |a, &d| a.checked_mul(d)))
        .collect();
    if let Some(lens) = lens.filter(|l| l.iter().sum::<usize>() <= MAX_INPUT) {
        let zeros: Vec<Vec<f32>> = lens.iter().map(|&n| vec![0.0; n]).collect();
        let inputs: Vec<&[f32]> = zeros.iter().map(|z| z.as_slice()).collect();
        let _ = graph.eval_outputs(&inputs);
    }
}

/// The artifact container of every kind, then the verifying-key reader: on the bytes as a
/// container, and on the payload wrapped in an intact container so that halo2's reader sees
/// every mutation (a real `vk.bin` seed is unwrapped first).
pub fn artifact(data: &[u8], fx: &Fixture) {
    let kinds = [
        ArtifactKind::Settings,
        ArtifactKind::Circuit,
        ArtifactKind::ProvingKey,
        ArtifactKind::VerifyingKey,
        ArtifactKind::Proof,
        ArtifactKind::Srs,
    ];
    for kind in kinds {
        let _ = artifact::decode_artifact(kind, data);
    }
    let _ = artifact::vk_from_bytes::<ModelCircuit>(data, fx.plan.k, fx.plan.clone());
    let payload = match data.strip_prefix(&artifact::MAGIC) {
        Some(_) if data.len() >= artifact::HEADER_LEN + artifact::CHECKSUM_LEN => {
            &data[artifact::HEADER_LEN..data.len() - artifact::CHECKSUM_LEN]
        }
        _ => data,
    };
    let wrapped = artifact::encode_artifact(ArtifactKind::VerifyingKey, payload);
    let _ = artifact::vk_from_bytes::<ModelCircuit>(&wrapped, fx.plan.k, fx.plan.clone());
}

/// First byte 0: the rest is raw proof bytes, verified against the fixture's honest instances.
/// Otherwise the rest is a proof file (JSON), parsed and verified with the fixture's keys.
pub fn proof(data: &[u8], fx: &Fixture) {
    match data.split_first() {
        Some((0, raw)) => {
            let Some(keys) = fx.keys.halo2() else { return };
            if let Ok(key) = keys.circuit_key() {
                let _ = zkinfer_verifier::verify(&keys.params, &key, raw, &fx.instances);
            }
        }
        Some((_, json)) => {
            if let Ok(bundle) =
                std::str::from_utf8(json).map_err(|_| ()).and_then(|t| ProofBundle::from_json(t).map_err(|_| ()))
            {
                let _ = zkinfer::verify(&fx.keys, &bundle);
            }
        }
        None => {}
    }
}

/// The fixture for the bundled models, built once per fuzzing process. Also silences the panic
/// hook: libfuzzer-sys' hook aborts on every panic, even one that our code catches on purpose
/// (halo2's key readers panic on some malformed input; `artifact` turns that into an error).
/// Uncaught panics still abort: the fuzz_target! wrapper aborts on them.
pub fn shared_fixture() -> &'static Fixture {
    static FIXTURE: std::sync::OnceLock<Fixture> = std::sync::OnceLock::new();
    FIXTURE.get_or_init(|| {
        std::panic::set_hook(Box::new(|_| {}));
        let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/models");
        match fixture(&models) {
            Ok(f) => f,
            Err(e) => panic!("fuzz fixture: {e}"),
        }
    })
}
