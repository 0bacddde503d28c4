#!/usr/bin/env python3
"""Runs every shell command that README.md and the book (docs/src/) show, so the docs cannot
drift from what the CLI does. CI runs it (.ci/run) after scripts/test.sh has built the binary.

Convention for fenced code blocks (the fence's info string):

  ```sh                  run: every block of a file runs in order, each in `bash -euo pipefail`,
                         in one scratch folder per file (so a later block sees an earlier block's
                         files); a non-zero exit fails the check.
  ```sh expect-error     must exit non-zero; each line of the ```text block right after it must
                         appear in its output (the troubleshooting page's real error messages).
  ```sh no-ci-REASON     shown, not run: REASON is one of SKIP_REASONS below (printed in the log).
  ```rust                only `{{#include ../../examples/...}}` lines: the file is compiled (and
                         the examples run) by `cargo test`/this script, never untested Rust.
  ```python no-ci-REASON as for sh: shown, not run.
  ```text, json, solidity, toml   data or output, not run.

A fence without a language, or in another shell dialect (bash, console, shell), is an error, so
no command goes unnoticed.

How the commands meet the build: `cargo run --release -- ARGS` runs the `zkinfer` binary CI already
built (target/debug/zkinfer, or $ZKINFER) with ARGS, `cargo run --release --example NAME` runs
target/debug/examples/NAME, `cargo install --locked --path .` is a no-op (`zkinfer` is already on
PATH), and any other `cargo ...` runs as written in the repository root. So the arguments are
checked exactly, without a second (release) build. The scratch folder links the repository's
examples/, tests/, scripts/ and evm/, and holds copies of the smallest bundled model,
examples/models/mlp_digits, as `model.onnx`, `model.calibration.json` and `input.json`: they stand
in for the model the "prove your own model" walk-through exports from PyTorch.

Usage: python3 scripts/doc_commands.py [--list] [FILE.md ...]
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SKIP_REASONS = {
    "gpu": "needs an NVIDIA GPU and the CUDA build; CI has no GPU (scripts/check-cuda.sh type-checks that build)",
    "ezkl": "needs the EZKL peer harness (../shared/peer) and takes tens of minutes",
    "long": "a full benchmark or kernel sweep: minutes of CPU (tests/bench.rs runs the same code on one small model)",
    "ci": "is CI's own test step (.ci/run runs it)",
    "ceremony": "needs a ceremony SRS file (kzg17.srs), which the repository does not ship; the next block runs the same flag on an SRS file that setup writes",
    "tested": "cargo test --workspace (scripts/test.sh) already runs this test in CI; the command only adds --nocapture to print its table",
    "torch": "needs PyTorch, which CI does not install (the bundled model stands in for its output)",
}
DATA_LANGS = {"text", "json", "solidity", "toml"}
SHELL_DIALECTS = {"bash", "console", "shell", "zsh", "shell-session"}
TIMEOUT_S = 300

PRELUDE = r"""
cargo() {
  case "$*" in
    "run --release -- "*) shift 3; zkinfer "$@" ;;
    "run --release --example "*)
      local ex=$4; shift 4
      if [ ! -x "$ZKINFER_ROOT/target/debug/examples/$ex" ]; then
        (cd "$ZKINFER_ROOT" && command cargo build --locked --example "$ex" >&2)
      fi
      "$ZKINFER_ROOT/target/debug/examples/$ex" "$@" ;;
    "install --locked --path .") echo "(doc-commands: zkinfer is already on PATH)" ;;
    *) (cd "$ZKINFER_ROOT" && command cargo "$@") ;;
  esac
}
"""


def book_files():
    """README.md, then the book's pages in SUMMARY.md order."""
    files = ["README.md"]
    summary = os.path.join(ROOT, "docs", "src", "SUMMARY.md")
    with open(summary, encoding="utf-8") as f:
        for m in re.finditer(r"\]\(([^)]+\.md)\)", f.read()):
            files.append(os.path.join("docs", "src", m.group(1)))
    return files


def blocks(path):
    """Yields (line, lang, tags, body, next_block) for every fenced block of a markdown file."""
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        lines = f.read().split("\n")
    found = []
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)(```+|~~~+)(.*)$", lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = m.group(1), m.group(2), m.group(3).strip()
        start = i + 1
        body = []
        i += 1
        while i < len(lines) and not re.match(r"^\s*" + re.escape(fence) + r"\s*$", lines[i]):
            body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
            i += 1
        i += 1
        words = re.split(r"[\s,]+", info) if info else []
        lang = words[0] if words else ""
        found.append((start, lang, words[1:], "\n".join(body)))
    for n, (start, lang, tags, body) in enumerate(found):
        nxt = found[n + 1] if n + 1 < len(found) else None
        yield start, lang, tags, body, nxt


def classify(path):
    """Returns (runs, skips, errors) for one file."""
    runs, skips, errors = [], [], []
    for line, lang, tags, body, nxt in blocks(path):
        where = f"{path}:{line}"
        skip = [t[len("no-ci-"):] for t in tags if t.startswith("no-ci-")]
        if lang == "":
            errors.append(f"{where}: a fenced block without a language (use sh, text, json, ...)")
        elif lang in SHELL_DIALECTS:
            errors.append(f"{where}: shell block tagged '{lang}': use 'sh' (see scripts/doc_commands.py)")
        elif lang in ("sh", "python"):
            if skip:
                if skip[0] not in SKIP_REASONS:
                    errors.append(f"{where}: unknown reason no-ci-{skip[0]} (known: {', '.join(SKIP_REASONS)})")
                else:
                    skips.append((where, lang, skip[0], body))
            elif lang == "python":
                errors.append(f"{where}: a python block must say why CI does not run it (python no-ci-REASON)")
            else:
                expect = None
                if "expect-error" in tags:
                    if nxt is None or nxt[1] != "text":
                        errors.append(f"{where}: an expect-error block must be followed by a text block of the expected output")
                        continue
                    expect = [l.strip() for l in nxt[3].split("\n") if l.strip()]
                runs.append((where, body, expect))
        elif lang == "rust":
            for l in body.split("\n"):
                l = l.strip()
                if l and not re.match(r"^\{\{#(include|rustdoc_include) \.\./\.\./(examples|src)/[^}]+\}\}$", l):
                    errors.append(f"{where}: a rust block may only include a file from examples/ or src/ (tested by cargo test): {l!r}")
                    break
        elif lang not in DATA_LANGS:
            errors.append(f"{where}: unknown block language '{lang}'")
    return runs, skips, errors


def slug(heading):
    """The anchor mdBook and GitHub give a heading."""
    h = re.sub(r"[`*_]|\[|\]\([^)]*\)", "", heading.strip().lower())
    h = re.sub(r"[^\w\- ]", "", h)
    return h.replace(" ", "-")


def link_errors(path):
    """Relative links of a page that lead nowhere: a missing file or a missing #anchor."""
    errors = []
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        text = f.read()
    text_wo_code = re.sub(r"```.*?```", "", text, flags=re.S)
    for m in re.finditer(r"\]\(([^)\s]+)\)", text_wo_code):
        target = m.group(1)
        if re.match(r"^[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        full = os.path.normpath(os.path.join(ROOT, os.path.dirname(path), file)) if file else os.path.join(ROOT, path)
        if not os.path.exists(full):
            errors.append(f"{path}: link to a missing file: {target}")
            continue
        if anchor and full.endswith(".md"):
            with open(full, encoding="utf-8") as f:
                heads = {slug(h) for h in re.findall(r"^#+ (.*)$", re.sub(r"```.*?```", "", f.read(), flags=re.S), re.M)}
            if anchor not in heads:
                errors.append(f"{path}: link to a missing heading: {target}")
    return errors


def scratch_dir():
    w = tempfile.mkdtemp(prefix="zkinfer-doc-")
    for d in ("examples", "tests", "scripts", "evm"):
        os.symlink(os.path.join(ROOT, d), os.path.join(w, d))
    models = os.path.join(ROOT, "examples", "models")
    shutil.copy(os.path.join(models, "mlp_digits.onnx"), os.path.join(w, "model.onnx"))
    shutil.copy(os.path.join(models, "mlp_digits.calibration.json"), os.path.join(w, "model.calibration.json"))
    shutil.copy(os.path.join(models, "mlp_digits.input.json"), os.path.join(w, "input.json"))
    return w


def main(argv):
    list_only = "--list" in argv
    files = [a for a in argv if not a.startswith("--")] or book_files()
    zk = os.environ.get("ZKINFER") or os.path.join(ROOT, "target", "debug", "zkinfer")
    plan = [(f, *classify(f)) for f in files]
    errors = [e for _, _, _, errs in plan for e in errs] + [e for f in files for e in link_errors(f)]
    for e in errors:
        print(f"doc-commands: {e}", file=sys.stderr)
    if errors:
        return 1

    print("Not run in CI:")
    for _, _, skips, _ in plan:
        for where, lang, reason, body in skips:
            first = next((l for l in body.split("\n") if l.strip() and not l.startswith("#")), "")
            print(f"  {where} ({lang}) {first[:70]}  [{reason}: {SKIP_REASONS[reason]}]")
    if list_only:
        print("Run in CI:")
        for _, runs, _, _ in plan:
            for where, body, expect in runs:
                print(f"  {where}{' (expect error)' if expect else ''}")
        return 0

    if not os.access(zk, os.X_OK):
        print(f"doc-commands: building {zk}", file=sys.stderr)
        subprocess.run(["cargo", "build", "--locked", "--bin", "zkinfer"], cwd=ROOT, check=True)
    passed = failed = 0
    t_all = time.time()
    for path, runs, _, _ in plan:
        if not runs:
            continue
        w = scratch_dir()
        bindir = os.path.join(w, ".bin")
        os.mkdir(bindir)
        os.symlink(zk, os.path.join(bindir, "zkinfer"))
        env = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"], ZKINFER_ROOT=ROOT)
        try:
            for where, body, expect in runs:
                script = PRELUDE + ("set -uo pipefail\n" if expect else "set -euo pipefail\n") + body + "\n"
                t = time.time()
                try:
                    p = subprocess.run(["bash", "-c", script], cwd=w, env=env, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT_S)
                    out, rc = p.stdout.decode(errors="replace"), p.returncode
                except subprocess.TimeoutExpired as e:
                    out, rc = (e.stdout or b"").decode(errors="replace"), None
                dt = time.time() - t
                if rc is None:
                    ok, why = False, f"timed out after {TIMEOUT_S} s"
                elif expect is None:
                    ok, why = rc == 0, f"exit {rc}"
                else:
                    missing = [l for l in expect if l not in out]
                    ok = rc != 0 and not missing
                    why = f"exit {rc}" + (f", output lacks {missing!r}" if missing else "")
                print(f"{'ok  ' if ok else 'FAIL'} {where} ({dt:.1f} s){'' if ok else ': ' + why}")
                if not ok:
                    failed += 1
                    print("  | " + "\n  | ".join(out.rstrip().split("\n")[-40:]))
                else:
                    passed += 1
        finally:
            shutil.rmtree(w, ignore_errors=True)
    print(f"doc-commands: ran in {time.time() - t_all:.0f} s")
    print(f"doc-commands: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
