#!/usr/bin/env python3
"""Writes crates/onnx-import/src/versions.rs: the since-versions of every op in the registry,
from the schemas of an onnx release (the version in force at opset O is the largest one <= O).

Usage: PYTHONPATH=DIR python3 scripts/op-versions.py   (DIR holds the onnx wheel, e.g. from
`python3 -m pip install --target DIR onnx==1.23.2`)

It also checks what changed after opset 22 (the newest the registry's ranges were first
reviewed against): a version whose attributes, inputs and outputs equal its predecessor's
changed only the types it accepts (new float8/int4/float4 types), which no lowering here relies
on. Any other change is printed, and the registry must end the op's range before it.
"""
import re
import sys
from pathlib import Path

import onnx
from onnx import defs

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = ROOT / "crates/onnx-import/src/registry.rs"
OUT = ROOT / "crates/onnx-import/src/versions.rs"
REVIEWED = 22
# Later versions whose attributes changed, read and judged harmless to the builder.
JUDGED = {
    ("Cast", 24): "round_mode shapes conversions to float8e8m0 only, a target the builder refuses",
    ("CastLike", 24): "the same round_mode as Cast 24, with the same float8e8m0-only effect",
    ("Range", 27): "stash_type sets the float accumulation's precision; the builder computes in f64",
    ("Attention", 24): "adds the nonpad_kv_seqlen input (a KV cache's length), which the builder refuses",
    ("QuantizeLinear", 23): "precision sets the float type of x / scale; the builder divides in fixed point",
    ("DequantizeLinear", 23): "output_dtype names the output's float type; every float is read as one value",
}

ops = sorted(set(re.findall(r'(?:entry|range)\("([A-Za-z0-9]+)"', REGISTRY.read_text())))
history = {}
for s in defs.get_all_schemas_with_history():
    if s.domain in ("", "ai.onnx"):
        history.setdefault(s.name, {})[s.since_version] = s


def signature(s):
    attrs = sorted(
        (a.name, str(a.type), a.required, a.default_value.SerializeToString() if a.default_value else b"")
        for a in s.attributes.values()
    )
    return attrs, [(i.name, str(i.option)) for i in s.inputs], [(o.name, str(o.option)) for o in s.outputs]


# Ops whose registry rows all end (`range`, no open-ended `entry`): the last version they cover.
text = REGISTRY.read_text()
ends = {
    op: max(int(u) for u in re.findall(rf'range\("{op}", \d+, (\d+)', text))
    for op in ops
    if f'entry("{op}"' not in text
}

changed = []
lines = []
for op in ops:
    versions = sorted(history[op])
    for a, b in zip(versions, versions[1:]):
        if op in ends and b > ends[op]:
            continue  # the registry refuses this version already
        if b > REVIEWED and (op, b) not in JUDGED and signature(history[op][a]) != signature(history[op][b]):
            changed.append(f"{op} {b}")
    lines.append(f'    ("{op}", &[{", ".join(map(str, versions))}]),')

OUT.write_text(
    f"""//! Since-versions of the registry's ops in onnx {onnx.__version__} (default domain, newest
//! opset {defs.onnx_opset_version()}), written by `scripts/op-versions.py`: an op's version in force at
//! opset `O` is its largest since-version not above `O`. Do not edit by hand.

/// The onnx release these versions come from.
pub const ONNX_RELEASE: &str = "{onnx.__version__}";

/// Newest default-domain opset of that release.
pub const NEWEST_OPSET: i64 = {defs.onnx_opset_version()};

/// Per op type, its since-versions, ascending.
pub(crate) static SINCE_VERSIONS: &[(&str, &[i64])] = &[
{chr(10).join(lines)}
];
"""
)
print(f"wrote {OUT.relative_to(ROOT)}: {len(ops)} ops, onnx {onnx.__version__}, opset {defs.onnx_opset_version()}")
if changed:
    print("changed beyond types after opset", REVIEWED, "(end the registry's range before these):", ", ".join(changed))
    sys.exit(1)
