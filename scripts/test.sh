#!/usr/bin/env bash
# The test command (README, .ci/run): installs the pinned npm tooling the on-chain tests use
# (solcjs, hardhat, ethers: evm/package-lock.json) and the ONNX backend test data (the pinned onnx
# wheel) when missing, runs every Rust test, then the on-chain end-to-end test on a local Hardhat
# node (127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x evm/node_modules/.bin/solcjs ] || [ evm/package-lock.json -nt evm/node_modules/.package-lock.json ]; then
  if ! command -v npm >/dev/null; then
    echo "npm not found: the on-chain verifier tests need Node.js and npm (apt-get install nodejs npm)" >&2
    exit 1
  fi
  npm ci --prefix evm --no-audit --no-fund
fi
# The ONNX backend conformance data (tests/conformance.rs): the test cases that ship inside the
# pinned onnx wheel. Only the wheel itself is installed (--no-deps: its data, not its Python
# code, is what the tests read), into .cache/, so no Python environment is touched.
ONNX_VERSION=1.22.0
if [ -z "${ZKINFER_ONNX_TEST_DATA:-}" ] && [ -z "${ZKINFER_SKIP_CONFORMANCE:-}" ]; then
  onnx_dir=".cache/onnx-$ONNX_VERSION"
  if [ ! -d "$onnx_dir/onnx/backend/test/data/node" ]; then
    if ! command -v python3 >/dev/null || ! python3 -m pip --version >/dev/null 2>&1; then
      echo "python3 with pip not found: the conformance test needs the onnx package's test data" >&2
      echo "(apt-get install python3 python3-pip), or set ZKINFER_SKIP_CONFORMANCE=1" >&2
      exit 1
    fi
    rm -rf "$onnx_dir"
    PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check --no-deps \
      --target "$onnx_dir" "onnx==$ONNX_VERSION"
  fi
  ZKINFER_ONNX_TEST_DATA="$PWD/$onnx_dir/onnx/backend/test/data"
  export ZKINFER_ONNX_TEST_DATA
fi
cargo test --workspace --locked
bash evm/node-test.sh
