#!/usr/bin/env bash
# Builds core, the command-line tool and their tests with AddressSanitizer and
# UndefinedBehaviorSanitizer (no GUI) into build-sanitize/ and runs them through CTest.
# Extra arguments go to ctest (e.g. -R safetensors).
set -euo pipefail
cd "$(dirname "$0")/.."
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
cmake -S . -B build-sanitize "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASCOPE_SANITIZE=ON \
  -DASCOPE_BUILD_GUI=OFF >/dev/null
cmake --build build-sanitize --parallel "$(nproc)"
cd build-sanitize
# LibTorch's own allocations at exit are not ours to judge: leak checking is off; every other
# finding fails the test.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --output-on-failure --timeout 1200 "$@"
