#!/usr/bin/env bash
# Runs inside xvfb-run: opens the bundled sample in a real window, selects a word by dragging with the mouse,
# copies it, takes a screenshot, quits with Ctrl+Q. Fails if the window does not appear, shows no text, or
# does not quit.
set -euo pipefail
bin=$1
out=${SMOKE_OUT:-target/smoke}
mkdir -p "$out"
"$bin" >"$out/warraq.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
win=""
for _ in $(seq 1 60); do
  win=$(xdotool search --name "Warraq" 2>/dev/null | head -n1 || true)
  [ -n "$win" ] && break
  sleep 0.5
done
[ -n "$win" ] || { echo "smoke: no Warraq window appeared"; cat "$out/warraq.log"; exit 1; }
sleep 2
xdotool windowfocus --sync "$win" || true
# Drag across part of the first line of the sample (right-to-left, from its right end).
xdotool mousemove 945 80; sleep 0.3
xdotool mousedown 1; sleep 0.3
for x in 900 870 840 810; do xdotool mousemove $x 80; sleep 0.15; done
xdotool mouseup 1; sleep 0.3
xdotool key --window "$win" ctrl+c; sleep 0.5
clip=$(timeout 5 xclip -o -selection clipboard 2>/dev/null || true)
echo "smoke: copied after the drag: $clip"
case "$clip" in روسيا*) ;; *) echo "smoke: the dragged selection was not copied"; exit 1 ;; esac
import -window root "$out/window.png"
colours=$(convert "$out/window.png" -format %k info:)
echo "smoke: screenshot $out/window.png has $colours colours"
[ "$colours" -gt 50 ] || { echo "smoke: the window shows no text"; exit 1; }
title=$(xdotool getwindowname "$win")
echo "smoke: window title: $title"
case "$title" in *sample-article-ar.txt*) ;; *) echo "smoke: the sample is not open"; exit 1 ;; esac
xdotool key --window "$win" ctrl+q
for _ in $(seq 1 20); do
  kill -0 $pid 2>/dev/null || { echo "smoke: quit with Ctrl+Q"; trap - EXIT; exit 0; }
  sleep 0.25
done
echo "smoke: Ctrl+Q did not close the window"
exit 1
