#!/usr/bin/env bash
# One command: install dependencies, build (warnings are errors), and run every test through CTest;
# then the core and command-line tests again under AddressSanitizer + UndefinedBehaviorSanitizer,
# and every parser's fuzz target for a short run (FUZZ_SECONDS, default 30; 0 skips the extra
# passes, SANITIZE=0 skips the sanitizer pass). Tests labelled "model" read ../shared/ and are
# skipped when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh -DASCOPE_WERROR=ON
(cd build && QT_QPA_PLATFORM=offscreen ctest --output-on-failure --timeout 900 "$@")
if [ "${SANITIZE:-1}" != 0 ] && [ "${FUZZ_SECONDS:-30}" != 0 ]; then
  bash scripts/run-sanitizers.sh -L "core|app|model"
fi
if [ "${FUZZ_SECONDS:-30}" != 0 ]; then
  bash scripts/run-fuzzers.sh "${FUZZ_SECONDS:-30}"
fi
