#!/usr/bin/env python3
"""Medians and ratios from scripts/compare-ezkl.sh's output folder.
usage: compare_report.py OUT_DIR MODELS [SYSTEMS]   (SYSTEMS: halo2 or halo2,groth16)"""
import glob
import json
import statistics
import sys

out, models = sys.argv[1], sys.argv[2].split(",")
systems = (sys.argv[3] if len(sys.argv) > 3 else "halo2").split(",")


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else float("nan")


print("| model | zkinfer | k (EZKL / zk) | setup s (EZKL / zk = x) | prove s (EZKL / zk = x) | prove peak MB (EZKL / zk = x) "
      "| proof B (EZKL / zk) | max abs err (EZKL / zk) | rounds |")
print("|---|---|---|---|---|---|---|---|---|")
for m, ps in ((m, ps) for m in models for ps in systems):
    ez = [json.load(open(f)) for f in sorted(glob.glob(f"{out}/ezkl_{m}_*.json"))]
    zk = [json.load(open(f)) for f in sorted(glob.glob(f"{out}/zkinfer-{ps}_{m}_*.json"))]
    if not ez or not zk:
        print(f"| {m} | {ps} | missing results | | | | | | |")
        continue
    failed = [r for r in ez if "prove" not in r["steps"]]
    if failed:
        # EZKL stopped before proving: say where and why, next to zkinfer's own figures.
        step = next((s for s in failed[0]["steps"].values() if not s.get("ok", True)), {})
        z = zk[0]
        print(f"| {m} | {ps} | EZKL failed / {z['k']} | EZKL failed at {step.get('step', '?')}: "
              f"{step.get('error', 'no error recorded')} | - / {z['prove_s']:.3f} | - / "
              f"{z['prove_peak_rss_bytes'] / 1e6:.0f} | - / {z['proof_bytes']} | - / {z['max_abs_err']:.1e} | {len(zk)} |")
        continue
    e_setup = med([r["steps"]["setup"]["call_s"] for r in ez])
    e_prove = med([r["steps"]["prove"]["call_s"] for r in ez])
    e_mem = med([r["steps"]["prove"]["maxrss_mb"] for r in ez])
    z_setup = med([r["setup_s"] for r in zk])
    z_prove = med([r["prove_s"] for r in zk])
    z_mem = med([r["prove_peak_rss_bytes"] / 1e6 for r in zk])
    print(f"| {m} | {ps} | {ez[0]['circuit']['logrows']} / {zk[0]['k']} "
          f"| {e_setup:.2f} / {z_setup:.3f} = {e_setup / z_setup:.1f}x "
          f"| {e_prove:.2f} / {z_prove:.3f} = {e_prove / z_prove:.1f}x "
          f"| {e_mem:.0f} / {z_mem:.0f} = {e_mem / z_mem:.1f}x "
          f"| {ez[0]['proof_bytes']} / {zk[0]['proof_bytes']} "
          f"| {ez[0]['accuracy']['max_abs_err']:.1e} / {zk[0]['max_abs_err']:.1e} | {min(len(ez), len(zk))} |")
