//! Each chip's proving cost per output element (`cargo bench --bench chips`): a graph holding one
//! primitive of `n` outputs is proven at the smallest k that fits; throughput is per element.

use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use halo2_axiom::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_axiom::plonk::ProvingKey;
use halo2_axiom::poly::kzg::commitment::ParamsKZG;
use zkinfer_circuits::{public_instances, ModelCircuit, PlanOptions};
use zkinfer_graph::{ParamVisibility, QGraph, Visibility};

#[path = "../crates/circuits/tests/common/mod.rs"]
#[allow(clippy::all, clippy::unwrap_used, clippy::expect_used, unused)]
mod common;

use common::{vis, Builder};

const SIZES: [usize; 2] = [64, 256];

/// One chip of `n` outputs over an input of `n` small values.
fn graph(chip: &str, n: usize) -> QGraph {
    let (mut b, x) = Builder::new(n);
    let out = match chip {
        // n×n dense layer: n outputs of n multiply-accumulates each.
        "dot" => b.dense(x, (0..n * n).map(|i| (i % 7) as i64 - 3).collect(), vec![1; n]),
        "requant" => b.requant(x, 4, true),
        _ => b.mul_rev(x, x),
    };
    let inputs: Vec<Vec<i64>> = (0..4).map(|s| (0..n as i64).map(|i| (i * 13 + s * 7) % 61 - 30).collect()).collect();
    b.finish(out, vis(Visibility::Private, ParamVisibility::Fixed, Visibility::Public), &inputs)
}

/// The proving key and circuit of `chip` at size `n`, ready to prove.
struct Fixture {
    k: u32,
    params: ParamsKZG<Bn256>,
    pk: ProvingKey<G1Affine>,
    circuit: ModelCircuit,
    instances: Vec<Fr>,
}

fn fixture(chip: &str, n: usize) -> Result<Fixture, String> {
    let q = Arc::new(graph(chip, n));
    let plan = zkinfer_circuits::plan_circuit(&q, &PlanOptions::default()).map_err(|e| e.to_string())?;
    let (params, _) = zkinfer_prover::dev_srs(plan.k);
    let witness = q.eval((0..n as i64).map(|i| i % 17 - 8).collect()).map_err(|e| e.to_string())?;
    let instances = public_instances(&q, &witness);
    let circuit = ModelCircuit::new(q.clone(), plan.clone(), Some(Arc::new(witness)));
    let (pk, _) = zkinfer_prover::keygen(&params, &circuit).map_err(|e| e.to_string())?;
    Ok(Fixture { k: plan.k, params, pk, circuit, instances })
}

fn chips(c: &mut Criterion) {
    let mut group = c.benchmark_group("chip_prove");
    for chip in ["dot", "requant", "mul"] {
        for n in SIZES {
            let f = match fixture(chip, n) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("{chip} n={n}: skipped: {e}");
                    continue;
                }
            };
            group.throughput(Throughput::Elements(n as u64));
            group.bench_with_input(BenchmarkId::new(chip, format!("n={n},k={}", f.k)), &n, |b, _| {
                b.iter(|| zkinfer_prover::prove(&f.params, &f.pk, &f.circuit, &f.instances))
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(3));
    targets = chips
}
criterion_main!(benches);
