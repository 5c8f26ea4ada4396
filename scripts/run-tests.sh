#!/usr/bin/env bash
# One command: install dependencies, build, run every test through CTest.
# Tests labelled "model" read ../shared/ and are skipped when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
cd build
QT_QPA_PLATFORM=offscreen ctest --output-on-failure --timeout 600 "$@"
