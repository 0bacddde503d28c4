#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS (default 60) each, seeded from the committed corpus
# (tests/fuzz_corpus/<target>/). cargo-fuzz needs nightly features: on a stable toolchain this
# sets RUSTC_BOOTSTRAP=1. Needs `cargo install cargo-fuzz`. A crash leaves its input in
# fuzz/artifacts/<target>/: copy it into tests/fuzz_corpus/<target>/ once fixed, so that
# tests/fuzz_regressions.rs replays it forever.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_PER_TARGET="${1:-60}"
export RUSTC_BOOTSTRAP=1
# `-s none`: our crates forbid unsafe code, so the sanitizer adds little but a slower build/run.
cargo fuzz build -s none
for target in onnx_import artifact proof; do
  mkdir -p "corpus/$target"
  cp -n ../tests/fuzz_corpus/"$target"/* "corpus/$target/" 2>/dev/null || true
  echo "== fuzz $target (${SECONDS_PER_TARGET}s)"
  cargo fuzz run -s none "$target" "corpus/$target" -- -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=4096 -timeout=30
done
