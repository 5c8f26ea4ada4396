#!/usr/bin/env bash
# Installs every build and test dependency of Attention Scope from Debian bookworm packages.
# Idempotent: safe to run again. Needs root (or sudo).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PKGS=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev qt6-base-dev-tools libqt6svg6-dev libgl-dev
  libqcustomplot-dev libqcustomplot2.1-qt6
  libtorch-dev libopenblas0-openmp libopenblas-openmp-dev
  libdnnl-dev ocl-icd-opencl-dev  # oneDNN's CMake package requires OpenCL's (only a Recommends)
  catch2 nlohmann-json3-dev libutf8proc-dev
  clang libclang-rt-14-dev llvm  # libFuzzer and the sanitizers' runtimes and symbolizer (scripts/run-fuzzers.sh)
  xvfb xauth
  dpkg-dev desktop-file-utils appstream  # cpack's Depends (dpkg-shlibdeps), and validating the desktop entry and metainfo
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# LibTorch calls the generic libblas.so.3: make sure it resolves to OpenBLAS (OpenMP flavour),
# not the 30x slower reference BLAS.
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
for alt in "libblas.so.3-$arch" "liblapack.so.3-$arch"; do
  target=$(update-alternatives --list "$alt" 2>/dev/null | grep openblas-openmp | head -n1 || true)
  if [ -n "$target" ]; then $SUDO update-alternatives --set "$alt" "$target" >/dev/null; fi
done
