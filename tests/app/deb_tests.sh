#!/usr/bin/env bash
# Builds the Debian package with CPack and checks its control fields and file list.
# Usage: deb_tests.sh BUILD_DIR
set -euo pipefail
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "deb test: $*" >&2; exit 1; }
(cd "$tmp" && cpack -G DEB --config "$build/CPackConfig.cmake" >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; fail "cpack failed"; }
deb=$(ls "$tmp"/attention-scope_*.deb)
[ "$(dpkg-deb -f "$deb" Package)" = attention-scope ] || fail "Package"
dpkg-deb -f "$deb" Version | grep -qE '^[0-9]+\.[0-9]+\.[0-9]+$' || fail "Version: $(dpkg-deb -f "$deb" Version)"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libtorch libdnnl libqt6widgets6 libqcustomplot libopenblas0-openmp libc6; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
files=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/attention-scope ./usr/bin/attention-scope-cli ./usr/share/attention-scope/models/demo-bert/model.safetensors \
         ./usr/share/attention-scope/models/demo-vit/config.json ./usr/share/attention-scope/models/demo-sentiment/model.safetensors ./usr/share/attention-scope/models/demo-ner/config.json ./usr/share/attention-scope/corpus/demo-corpus-sample.txt \
         ./usr/share/applications/attention-scope.desktop ./usr/share/metainfo/net.attentionscope.AttentionScope.metainfo.xml \
         ./usr/share/icons/hicolor/scalable/apps/attention-scope.svg ./usr/share/man/man1/attention-scope-cli.1 \
         ./usr/share/mime/packages/attention-scope.xml; do
  grep -qxF "$f" <<<"$files" || fail "the package lacks $f"
done
# The private libraries: the base one the executables link, the engine loaded at run time.
for lib in libattention-scope-base.so libattention-scope-engine.so; do
  grep -qE "^\./usr/lib/([^/]+/)?attention-scope/$lib\$" <<<"$files" || fail "the package lacks $lib"
done
if grep -q "tests/\|bench/\|_tests$" <<<"$files"; then fail "the package carries test or bench files"; fi
echo "deb test: $(basename "$deb"): Depends: $depends"
