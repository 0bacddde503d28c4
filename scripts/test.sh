#!/usr/bin/env bash
# The test command (README, .ci/run): installs the pinned npm tooling the on-chain tests use
# (solcjs, hardhat, ethers: evm/package-lock.json) when missing, runs every Rust test, then the
# on-chain end-to-end test on a local Hardhat node (127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x evm/node_modules/.bin/solcjs ] || [ evm/package-lock.json -nt evm/node_modules/.package-lock.json ]; then
  if ! command -v npm >/dev/null; then
    echo "npm not found: the on-chain verifier tests need Node.js and npm (apt-get install nodejs npm)" >&2
    exit 1
  fi
  npm ci --prefix evm --no-audit --no-fund
fi
cargo test --workspace --locked
bash evm/node-test.sh
