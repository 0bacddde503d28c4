#!/usr/bin/env bash
# Installs a CUDA 13.0 compiler toolchain (nvcc, cicc, headers, cudart, CUB/Thrust) from PyPI's
# NVIDIA wheels into a folder of its own, and prints the environment that `--features cuda`
# builds need (the build scripts of halo2-axiom-gpu, openvm-cuda-common and cuda-driver-sys
# read it):
#
#   eval "$(bash scripts/cuda-toolchain.sh)"
#   cargo build --release --features cuda
#
# No GPU, driver or system CUDA install is needed to compile; running needs an NVIDIA driver
# for CUDA 13 (>= 580). Idempotent: a second run reuses the install. Progress goes to stderr,
# the `export` lines to stdout. `pip install --target` rather than a venv: it needs neither
# Debian's python3-venv nor a pip that may install outside a venv (PEP 668 does not apply).
#
# Settings (environment):
#   CUDA_TOOLCHAIN_DIR  where it goes (default ~/.cache/zkinfer/cuda-13.0)
#   CUDA_ARCH           GPU compute capability(ies) to compile for, comma-separated (default 90:
#                       H100/H200; 80 is A100, 89 is L4/RTX 40xx, 120 is RTX 50xx; run
#                       `nvidia-smi --query-gpu=compute_cap --format=csv` on the GPU host)
#   PYTHON              the Python whose pip installs the wheels (default python3)
set -euo pipefail

dir=${CUDA_TOOLCHAIN_DIR:-$HOME/.cache/zkinfer/cuda-13.0}
arch=${CUDA_ARCH:-90}
python=${PYTHON:-python3}
# One release: the compiler pieces must match each other (runtime/cccl have their own patch numbers).
wheels=(
  nvidia-cuda-nvcc==13.0.88
  nvidia-nvvm==13.0.88
  nvidia-cuda-crt==13.0.88
  nvidia-cuda-runtime==13.0.96
  nvidia-cuda-cccl==13.0.85
)

log() { echo "cuda-toolchain: $*" >&2; }

# The wheels put the toolkit under nvidia/cu13 (bin/, include/, lib/, nvvm/).
cuda=$dir/pkgs/nvidia/cu13
if [[ "$(cat "$dir/installed" 2>/dev/null)" != "${wheels[*]}" || ! -x "$cuda/bin/nvcc" ]]; then
  log "installing ${wheels[*]} into $dir"
  rm -rf "$dir/pkgs" "$dir/installed" "$dir/cuda-root"
  mkdir -p "$dir"
  "$python" -m pip install --quiet --disable-pip-version-check --no-warn-script-location --root-user-action=ignore \
    --target "$dir/pkgs" "${wheels[@]}" >&2
  if [[ ! -x "$cuda/bin/nvcc" ]]; then
    log "no nvcc under $cuda after installing the wheels"
    exit 1
  fi
  echo "${wheels[*]}" >"$dir/installed"
fi

# The build scripts look for link libraries in <root>/lib64 (openvm-cuda-builder: CUDA_LIB_DIR)
# and <root>/lib64/stubs (cuda-driver-sys: CUDA_LIBRARY_PATH=<root>). The wheel's lib/ has
# libcudart.so.13 (give the linker its unversioned name) and the static archives the cc crate
# links for nvcc objects (libcudart_static.a, libcudadevrt.a).
root=$dir/cuda-root
mkdir -p "$root/lib64/stubs"
ln -sfn "$cuda/lib/libcudart.so.13" "$root/lib64/libcudart.so"
for lib in "$cuda"/lib/*.a; do
  ln -sfn "$lib" "$root/lib64/$(basename "$lib")"
done

# libcuda.so is the driver's, and no wheel ships the toolkit's link stub: make one, as the
# toolkit's is made, with every driver API function of cuda.h as an empty symbol and the
# driver's soname, so that a binary links anywhere and loads the real libcuda.so.1 at run time
# (the stub itself is never loaded). Needs a C compiler (nvcc needs one anyway).
stub=$root/lib64/stubs/libcuda.so
if [[ ! -s "$stub" ]]; then
  log "making the link-only stub $stub"
  src=$root/lib64/stubs/libcuda-stub.c
  echo '#include <cuda.h>' | "${CC:-cc}" -E -P -I"$cuda/include" -x c - \
    | grep -oE '\bcu[A-Z][A-Za-z0-9_]*[[:space:]]*\(' | tr -d '( \t' | sort -u \
    | sed 's/.*/void &(void) {}/' >"$src"
  if [[ $(wc -l <"$src") -lt 100 ]]; then
    log "found only $(wc -l <"$src") driver functions in cuda.h"
    exit 1
  fi
  "${CC:-cc}" -shared -fPIC -Wl,-soname,libcuda.so.1 -o "$stub" "$src"
fi

cat <<EOF
export PATH="$cuda/bin:\$PATH"
export CUDA_PATH="$cuda"
export CUDA_HOME="$cuda"
export CUDA_LIB_DIR="$root/lib64"
export CUDA_LIBRARY_PATH="$root"
export CUDA_ARCH="$arch"
export LD_LIBRARY_PATH="$cuda/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
EOF
log "nvcc $("$cuda/bin/nvcc" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p'), CUDA_ARCH=$arch"
