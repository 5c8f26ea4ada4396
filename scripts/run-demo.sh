#!/usr/bin/env bash
# One command: install dependencies, build, and launch Attention Scope on its built-in demo model.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
if [ -x build/app/attention-scope ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  exec build/app/attention-scope "$@"
fi
echo "No display (or no GUI build): showing the command-line tool on the demo model instead."
build/app/attention-scope-cli predict --text "The [MASK] is shining brightly in the sky." --top-k 5
