#!/usr/bin/env bash
# On-chain end-to-end test against a real local Ethereum node (Hardhat, from npm, on the hard
# fork mainnet runs: osaka): proves mlp_digits with the CLI, writes Verifier.sol and the
# calldata, then evm/node-test.js starts `hardhat node` on 127.0.0.1, deploys over JSON-RPC with
# ethers, calls verifyProof, and stops the node; the same for a model with hashed parameters,
# registered in examples/ModelRegistry.sol; and the Groth16 verifier of mlp_digits (written by
# examples/groth16_export.rs until the CLI takes --proof-system groth16). Needs
# `npm ci --prefix evm` first.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${ZKINFER:-}" ]; then
  cargo build --locked --bin zkinfer 2>/dev/null
fi
ZK=${ZKINFER:-target/debug/zkinfer}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$ZK" compile examples/models/mlp_digits.onnx --out "$W/m" >/dev/null
"$ZK" setup "$W/m" >/dev/null 2>&1
"$ZK" prove "$W/m" --input examples/models/mlp_digits.input.json --out "$W/proof.json" >/dev/null
"$ZK" solidity "$W/m" --out "$W/Verifier.sol"
"$ZK" calldata "$W/m" --proof "$W/proof.json" --out "$W/calldata.hex"
# A model with hashed parameters, through examples/ModelRegistry.sol.
"$ZK" compile examples/multi_io/two_inputs.onnx --param-visibility hashed --out "$W/h" >/dev/null
"$ZK" setup "$W/h" >/dev/null 2>&1
"$ZK" prove "$W/h" --input examples/multi_io/two_inputs.input.json --out "$W/h/proof.json" >/dev/null
"$ZK" solidity "$W/h" --out "$W/h/Verifier.sol" --registry "$W/h/ModelRegistry.sol" 2>/dev/null
"$ZK" calldata "$W/h" --proof "$W/h/proof.json" --out "$W/h/calldata.hex"
# Groth16: the verifier, its calldata and snarkjs's JSON forms.
cargo run --locked -q --example groth16_export -- examples/models/mlp_digits.onnx \
  examples/models/mlp_digits.calibration.json examples/models/mlp_digits.input.json "$W/g" 2>/dev/null
node evm/node-test.js "$W" "$W/h" "$W/g"
