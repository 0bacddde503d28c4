#!/usr/bin/env bash
# Runs EZKL 23 (the shared peer harness) and zkinfer on the same ONNX files, alternating model by
# model and round by round in one run, and prints medians and ratios (EZKL / zkinfer).
#   scripts/compare-ezkl.sh                              # mlp_digits, cnn_digits, mlp_wide, attn_tiny, gpt_tiny, mlp_act; 3 rounds
#   MODELS=mlp_wide ROUNDS=5 scripts/compare-ezkl.sh
#   scripts/compare-ezkl.sh --proof-system groth16      # zkinfer's Groth16 back end too, in the same rounds
# EZKL runs with weights `fixed` (zkinfer's default), input private, output public, calibrated for
# resources; each EZKL step runs in its own process and waits for the machine to be quiet first.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
WORK=${WORK:-$ROOT/target/peer}
MODELS=${MODELS:-mlp_digits,cnn_digits,mlp_wide,attn_tiny,gpt_tiny,mlp_act}
ROUNDS=${ROUNDS:-3}
PY=${PYTHON:-python3.11}
# zkinfer's proof systems to run beside EZKL: Halo2 always, Groth16 with `--proof-system groth16`.
SYSTEMS=halo2
case "${1:-}" in
  --proof-system) [ "${2:-}" = groth16 ] && SYSTEMS=halo2,groth16 || { echo "--proof-system takes groth16" >&2; exit 1; } ;;
  "") ;;
  *) echo "usage: $0 [--proof-system groth16]" >&2; exit 1 ;;
esac

[ -d "$SHARED/peer/ezkl" ] || { echo "peer harness not found at $SHARED/peer (set SHARED=...)" >&2; exit 1; }
mkdir -p "$WORK/out"
# The shared folder is read-only: work on a copy (the harness expects ../../models beside it).
if [ ! -f "$WORK/peer/ezkl/run_bench.py" ]; then
  cp -r "$SHARED/peer" "$SHARED/models" "$WORK/"
  chmod -R u+w "$WORK/peer" "$WORK/models"
fi
# Models bundled here but not in the shared folder (gpt_tiny, mlp_act) are copied beside the
# others, with the float reference that EZKL's error is measured against.
for m in ${MODELS//,/ }; do
  for f in onnx input.json calibration.json float_output.json; do
    [ -f "$WORK/models/$m.$f" ] || cp "$ROOT/examples/models/$m.$f" "$WORK/models/"
  done
done
EZ="$WORK/peer/ezkl"
if [ ! -x "$EZ/.venv/bin/python" ]; then
  "$PY" -m venv "$EZ/.venv"
  "$EZ/.venv/bin/pip" install -q --upgrade pip
  "$EZ/.venv/bin/pip" install -q -r "$EZ/requirements.txt"
fi

(cd "$ROOT" && cargo build --release --quiet)
ZK="$ROOT/target/release/zkinfer"

for r in $(seq 1 "$ROUNDS"); do
  for m in ${MODELS//,/ }; do
    echo "== round $r: $m (EZKL)"
    (cd "$EZ" && .venv/bin/python run_bench.py --models "$m" --configs fixedparams_resources --reps 1 --max-logrows 20 > "$WORK/out/ezkl_${m}_$r.log" 2>&1)
    cp "$EZ/results/${m}__fixedparams_resources.json" "$WORK/out/ezkl_${m}_$r.json"
    for ps in ${SYSTEMS//,/ }; do
      echo "== round $r: $m (zkinfer, $ps)"
      "$ZK" run "$ROOT/examples/models/$m.onnx" --input "$ROOT/examples/models/$m.input.json" --proof-system "$ps" \
        --json "$WORK/out/zkinfer-${ps}_${m}_$r.json" > "$WORK/out/zkinfer-${ps}_${m}_$r.log" 2>&1
    done
  done
done
python3 "$ROOT/scripts/compare_report.py" "$WORK/out" "$MODELS" "$SYSTEMS"
