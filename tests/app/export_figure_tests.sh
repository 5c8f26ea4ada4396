#!/usr/bin/env bash
# attention-scope --export-figure without a display: PNG, SVG and PDF files that are not blank, an
# SVG that carries the token labels, figures of a session file, and bad input refused with one
# line and exit status 1.
# Usage: export_figure_tests.sh PATH_TO_attention-scope
set -euo pipefail
app=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "export-figure test: $*" >&2; exit 1; }
unset DISPLAY WAYLAND_DISPLAY QT_QPA_PLATFORM
text="The weather in Paris is [MASK] today."
for view in heatmap model head positional step layers; do
  for ext in png svg pdf; do
    out="$tmp/$view.$ext"
    timeout 300 "$app" --export-figure "$out" --view "$view" --text "$text" --layer 1 --head 2 >/dev/null 2>&1 ||
      fail "$view.$ext: non-zero exit"
    [ "$(stat -c %s "$out")" -gt 5000 ] || fail "$view.$ext is blank or tiny"
  done
done
grep -q "weather" "$tmp/heatmap.svg" || fail "the heatmap's SVG lacks the token labels"
grep -q "weather" "$tmp/head.svg" || fail "the head view's SVG lacks the token labels"
grep -q "weather" "$tmp/step.svg" || fail "the step-by-step SVG lacks the token labels (not vector?)"
head -c 5 "$tmp/heatmap.pdf" | grep -q "%PDF" || fail "not a PDF"
head -c 8 "$tmp/model.png" | grep -q "PNG" || fail "not a PNG"
timeout 300 "$app" --export-figure "$tmp/overlay.png" --view overlay >/dev/null 2>&1 || fail "overlay: non-zero exit"
[ "$(stat -c %s "$tmp/overlay.png")" -gt 5000 ] || fail "the overlay is blank"
# A session (.ascope) sets the sentence, masks and view; --view may override its view.
cat >"$tmp/lesson.ascope" <<'JSON'
{"format": "attention-scope-session", "version": 1,
 "steps": [{"title": "Look-ahead", "sentence": "The nurse said [MASK] was tired.", "attention_mask": "causal",
            "view": {"tab": "head", "layer": 1, "head": 2}}]}
JSON
timeout 300 "$app" --export-figure "$tmp/session.svg" --session "$tmp/lesson.ascope" >/dev/null 2>&1 || fail "--session: non-zero exit"
grep -q "nurse" "$tmp/session.svg" || fail "the session's figure lacks its sentence"
timeout 300 "$app" "$tmp/lesson.ascope" --export-figure "$tmp/session.png" --view heatmap >/dev/null 2>&1 ||
  fail "a session as the argument: non-zero exit"
[ "$(stat -c %s "$tmp/session.png")" -gt 5000 ] || fail "the session's PNG is blank"
head -c 100 "$tmp/lesson.ascope" >"$tmp/cut.ascope"
expect_refusal() {
  if timeout 300 "$app" "$@" >/dev/null 2>"$tmp/err"; then fail "accepted: $*"; fi
  [ "$(grep -cv 'XDG_RUNTIME_DIR\|propagateSizeHints\|QPainter\|QCPLayer' "$tmp/err")" -eq 1 ] ||
    fail "not one line for $*: $(cat "$tmp/err")"
}
expect_refusal --export-figure "$tmp/x.gif"
expect_refusal --export-figure "$tmp/x.png" --session "$tmp/cut.ascope"
expect_refusal --export-figure "$tmp/x.png" --session "$tmp/no-such.ascope"
expect_refusal --export-figure "$tmp/x.png" --view bogus
expect_refusal --export-figure "$tmp/x.png" --layer 99 --head 0
expect_refusal --export-figure "$tmp/x.png" --model "$tmp/no-such-model"
# A text longer than the model runs in windows: the figure shows the first window (window 1 of N).
long="$(printf 'word %.0s' $(seq 1 150))park"
timeout 300 "$app" --export-figure "$tmp/long.svg" --text "$long" >/dev/null 2>&1 || fail "a long text: non-zero exit"
grep -q ">word</text>" "$tmp/long.svg" || fail "the long text's figure lacks its tokens"
if grep -q ">park</text>" "$tmp/long.svg"; then fail "the long text's figure is not its first window"; fi
echo "export-figure test: every view as PNG, SVG and PDF; long texts in windows; bad input refused"
