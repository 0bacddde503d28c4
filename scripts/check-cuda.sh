#!/usr/bin/env bash
# Type-checks and lints the `cuda` feature without a GPU (CI runs this after the tests): the GPU
# prover adapter (crates/prover/src/gpu.rs), its test and the bench wiring, against
# halo2-axiom-gpu's real API. Installs the CUDA 13 compiler from PyPI (scripts/cuda-toolchain.sh)
# because halo2-axiom-gpu's build script compiles its kernels with nvcc even for `cargo check`.
# Nothing here runs on a GPU: see the README's "GPU" section for that.
#
# With nothing cached, on a 2-core machine: 9 min (13 s for the wheels, about 2 min of nvcc,
# the rest checking the dependency tree; halo2-axiom-gpu turns on extra halo2curves features, so
# little of the default build's check artifacts is reused).
set -euo pipefail
cd "$(dirname "$0")/.."

# Not `eval "$(...)"` directly: that would hide a failed install from `set -e`.
toolchain_env=$(bash scripts/cuda-toolchain.sh)
eval "$toolchain_env"
# One GPU generation is enough to type-check; keep the build script's work small.
export CUDA_ARCH=${CUDA_ARCH:-90}

echo "== cuda: clippy (zkinfer, zkinfer-prover; all targets; --features cuda)"
cargo clippy -p zkinfer -p zkinfer-prover --all-targets --locked --features zkinfer/cuda,zkinfer-prover/cuda \
  -- -D warnings
