#!/usr/bin/env bash
# Installs Attention Scope into a temporary prefix, moves the tree elsewhere, and runs both
# executables from there on the built-in demo model (the data is found beside the executables,
# never through a path compiled in). Then checks the desktop entry, the AppStream metainfo, the
# icons and the man pages. Usage: install_tests.sh BUILD_DIR
set -euo pipefail
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/first" >/dev/null
mv "$tmp/first" "$tmp/moved"
root="$tmp/moved"
fail() { echo "install test: $*" >&2; exit 1; }

if ldd "$root/bin/attention-scope-cli" | grep -q "not found"; then fail "the moved CLI misses a library: $(ldd "$root/bin/attention-scope-cli")"; fi
engine=$(find "$root" -name libattention-scope-engine.so)
[ -n "$engine" ] || fail "the engine library is not installed"
if ldd "$engine" | grep -q "not found"; then fail "the moved engine misses a library"; fi
out=$("$root/bin/attention-scope-cli" predict --text "The capital of France is [MASK]." --json)
grep -q '"token": "paris"' <<<"$out" || fail "the moved CLI did not predict paris: $out"
"$root/bin/attention-scope-cli" --version | grep -q "attention-scope-cli [0-9]" || fail "no version"
if ASCOPE_DATA_DIR="$tmp/nowhere" "$root/bin/attention-scope-cli" predict --text "a [MASK] ." 2>"$tmp/err"; then
  fail "a missing ASCOPE_DATA_DIR still found a model"
fi
grep -q "demo model is not installed" "$tmp/err" || fail "unexpected message: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "the error is not one line"
man -l "$root/share/man/man1/attention-scope-cli.1" >/dev/null 2>&1 || [ -s "$root/share/man/man1/attention-scope-cli.1" ] ||
  fail "no CLI man page"

if [ -x "$root/bin/attention-scope" ]; then
  QT_QPA_PLATFORM=offscreen timeout 120 "$root/bin/attention-scope" --screenshot "$tmp/shot.png" >/dev/null 2>&1 ||
    fail "the moved GUI did not run"
  [ "$(stat -c %s "$tmp/shot.png")" -gt 20000 ] || fail "the GUI's screenshot is missing or blank"
  "$root/bin/attention-scope" --version | grep -q "0\." || fail "the GUI has no --version"
  for f in share/applications/attention-scope.desktop share/metainfo/net.attentionscope.AttentionScope.metainfo.xml \
           share/icons/hicolor/scalable/apps/attention-scope.svg share/icons/hicolor/256x256/apps/attention-scope.png \
           share/icons/hicolor/16x16/apps/attention-scope.png share/man/man1/attention-scope.1 \
           share/mime/packages/attention-scope.xml; do
    [ -s "$root/$f" ] || fail "$f is not installed"
  done
  grep -q 'glob pattern="\*.ascope"' "$root/share/mime/packages/attention-scope.xml" || fail "no *.ascope MIME glob"
  grep -q '^MimeType=application/x-attention-scope-session;' "$root/share/applications/attention-scope.desktop" ||
    fail "the desktop entry does not open session files"
  if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$root/share/applications/attention-scope.desktop" || fail "desktop-file-validate"
  fi
  if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net --explain "$root/share/metainfo/net.attentionscope.AttentionScope.metainfo.xml" ||
      fail "appstreamcli validate"
  fi
fi
echo "install test: installed, moved and ran from $root"
