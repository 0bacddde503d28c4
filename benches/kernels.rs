//! The kernels every proof is made of: MSM and FFT over BN254, by size (`cargo bench --bench kernels`).
//! `zkinfer bench` runs the same kernels (`zkinfer_prover::kernels`) for its sweep and floors.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use zkinfer_prover::kernels::{Kernel, Kernels};

const SIZES: [u32; 4] = [10, 12, 14, 16];

fn kernels(c: &mut Criterion) {
    let mut kernels = Kernels::new();
    for (name, kernel) in [("msm", Kernel::Msm), ("msm_small_scalars", Kernel::SmallMsm), ("fft", Kernel::Fft)] {
        let mut group = c.benchmark_group(name);
        for k in SIZES {
            // Warm-up, and generates the inputs: after it, runs at this size cannot fail.
            if let Err(e) = kernels.once(kernel, k) {
                eprintln!("{name} 2^{k}: {e}");
                continue;
            }
            group.throughput(Throughput::Elements(1 << k));
            group.bench_with_input(BenchmarkId::from_parameter(format!("2^{k}")), &k, |b, &k| {
                b.iter_custom(|iters| (0..iters).map(|_| kernels.once(kernel, k).unwrap_or_default()).sum())
            });
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(3));
    targets = kernels
}
criterion_main!(benches);
