//! End to end per bundled model, one group per model and one function per phase
//! (`cargo bench --bench models`; `-- mlp_digits` for one model).

use std::time::Duration;

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use halo2_axiom::halo2curves::bn256::Bn256;
use halo2_axiom::poly::kzg::commitment::ParamsKZG;
use zkinfer::{CompileOptions, Model, Srs};

const MODELS: [&str; 3] = ["mlp_digits", "cnn_digits", "mlp_wide"];

struct Fixture {
    compiled: zkinfer::Compiled,
    params: ParamsKZG<Bn256>,
    keys: zkinfer::Keys,
    input: zkinfer::Sample,
    proof: zkinfer::ProofBundle,
}

fn fixture(dir: &Path, name: &str) -> Result<Fixture, zkinfer::Error> {
    let model = Model::load(dir.join(format!("{name}.onnx")))?;
    let samples = zkinfer::read_samples(dir.join(format!("{name}.calibration.json")), &model)?;
    let input = zkinfer::read_input(dir.join(format!("{name}.input.json")), &model.input_lens())?;
    let compiled = model.compile(&samples, &CompileOptions::default())?;
    let (params, _) = zkinfer_prover::dev_srs(compiled.circuit().k());
    let keys = zkinfer::setup(&compiled, Srs::Loaded(Box::new(params.clone())))?;
    let proof = zkinfer::prove(&compiled, &keys, &input)?;
    Ok(Fixture { compiled, params, keys, input, proof })
}

fn models(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/models");
    for name in MODELS {
        let f = match fixture(&dir, name) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("{name}: skipped: {e}");
                continue;
            }
        };
        let vkeys = f.keys.verifier();
        let mut group = c.benchmark_group(format!("{name}/k={}", f.compiled.circuit().k()));
        group.bench_function("witness", |b| b.iter(|| f.compiled.witness(&f.input)));
        group.bench_function("keygen", |b| {
            b.iter(|| zkinfer::setup(&f.compiled, Srs::Loaded(Box::new(f.params.clone()))))
        });
        group.bench_function("prove", |b| b.iter(|| zkinfer::prove(&f.compiled, &f.keys, &f.input)));
        group.bench_function("verify", |b| b.iter(|| zkinfer::verify(&vkeys, &f.proof)));
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(5));
    targets = models
}
criterion_main!(benches);
