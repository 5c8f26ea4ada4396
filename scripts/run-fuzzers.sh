#!/usr/bin/env bash
# Builds the libFuzzer targets of every parser of outside input (clang, AddressSanitizer,
# UndefinedBehaviorSanitizer; only the torch-free library AttentionScope::base) into build-fuzz/
# and runs each for SECONDS (default 30) from its committed seed corpus. New inputs go to a
# scratch corpus, never into the repository. Exits non-zero on the first finding; the crashing
# input is left in build-fuzz/findings/.
# Usage: scripts/run-fuzzers.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
CC=clang CXX=clang++ cmake -S . -B build-fuzz "${generator[@]}" -DASCOPE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz --parallel "$(nproc)" >/dev/null
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=($(ls tests/fuzz/corpus))
mkdir -p build-fuzz/findings
passed=0
for t in "${targets[@]}"; do
  scratch=build-fuzz/scratch/$t
  mkdir -p "$scratch"
  log=build-fuzz/$t.log
  if ! build-fuzz/tests/fuzz/$t -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix=build-fuzz/findings/$t- "$scratch" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz: $t found a problem (input in build-fuzz/findings/)"
    echo "fuzz: $passed passed, 1 failed"
    exit 1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n1 | grep -o '[0-9]*$' || echo "?")
  echo "fuzz: $t: $runs executions in ${seconds} s, coverage $cov edges, no findings"
  passed=$((passed + 1))
done
echo "fuzz: $passed passed, 0 failed"
