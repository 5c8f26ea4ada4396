#!/usr/bin/env bash
# Builds Attention Scope (Release) and its Debian package: build/attention-scope_<version>_<arch>.deb.
# Install it with: sudo apt-get install ./build/attention-scope_*.deb   (pulls in every dependency)
# Remove it with:  sudo apt-get remove attention-scope
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh "$@"
(cd build && cpack -G DEB)
ls -1 build/attention-scope_*.deb
