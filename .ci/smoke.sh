#!/usr/bin/env bash
# Runs inside xvfb-run: opens the bundled sample in a real window, selects a word by dragging with the mouse,
# copies it, takes a screenshot, quits with Ctrl+Q. Fails if the window does not appear, shows no text, or
# does not quit.
set -euo pipefail
bin=$1
out=${SMOKE_OUT:-target/smoke}
mkdir -p "$out"
# Fresh settings for a predictable window: no recent files, default zoom, panel shown.
state=$(mktemp -d)
export XDG_DATA_HOME="$state/data" XDG_CONFIG_HOME="$state/config"
# Waits for a window whose name contains $1: its id in $win; or the log $2 shown and a failure.
wait_window() {
  win=""
  for _ in $(seq 1 60); do
    win=$(xdotool search --name "$1" 2>/dev/null | head -n1 || true)
    [ -n "$win" ] && break
    sleep 0.5
  done
  [ -n "$win" ] || { echo "smoke: no window named $1 appeared"; cat "$2"; exit 1; }
}
"$bin" >"$out/warraq.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
wait_window "Warraq" "$out/warraq.log"
sleep 2
xdotool windowfocus --sync "$win" || true
# Hide the annotation panel (F9) so the text column is centred in the window.
xdotool key --window "$win" F9; sleep 0.5
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
quit() {
  xdotool key --window "$1" ctrl+q
  for _ in $(seq 1 20); do
    kill -0 "$2" 2>/dev/null || { echo "smoke: quit with Ctrl+Q"; return 0; }
    sleep 0.25
  done
  echo "smoke: Ctrl+Q did not close the window"
  exit 1
}
quit "$win" $pid

# Annotate a copy of the sample: drag over the first word, press 1 (PER), Ctrl+S, check the sidecar.
doc="$state/article.txt"
cp assets/sample-article-ar.txt "$doc"
# Settings saved by the first run (panel hidden) must not carry over: a fresh settings folder again.
export XDG_DATA_HOME="$state/data2" XDG_CONFIG_HOME="$state/config2"
"$bin" "$doc" >"$out/warraq-annotate.log" 2>&1 &
pid=$!
wait_window "article.txt" "$out/warraq-annotate.log"
sleep 2
xdotool windowfocus --sync "$win" || true
xdotool key --window "$win" F9; sleep 0.5
xdotool mousemove 945 80; sleep 0.3
xdotool mousedown 1; sleep 0.3
for x in 920 900 880; do xdotool mousemove $x 80; sleep 0.15; done
xdotool mouseup 1; sleep 0.3
xdotool mousemove 600 500; sleep 0.2
xdotool key --window "$win" 1; sleep 0.5
xdotool key --window "$win" ctrl+s; sleep 0.5
import -window root "$out/annotated.png"
side="$doc.warraq.ron"
[ -f "$side" ] || { echo "smoke: no sidecar was written"; exit 1; }
grep -q 'tag: "PER", text: "روسيا"' "$side" || { echo "smoke: the sidecar lacks the annotation"; cat "$side"; exit 1; }
cmp -s "$doc" assets/sample-article-ar.txt || { echo "smoke: the source file was modified"; exit 1; }
echo "smoke: tagged روسيا as PER and saved $side"
quit "$win" $pid

# Curate two annotators' copies: `warraq curate`, then two answers with the keys in the window, Ctrl+S.
team="$state/team"
mkdir -p "$team/alice" "$team/bob"
cp assets/sample-article-ar.txt "$team/alice/article.txt"
cp assets/sample-article-ar.txt "$team/bob/article.txt"
printf 'روسيا\tGPE\nالولايات المتحدة\tGPE\nسبوتنيك\tORG\n' >"$team/a.tsv"
printf 'روسيا\tGPE\nالولايات\tGPE\nسبوتنيك\tMISC\n' >"$team/b.tsv"
"$bin" preannotate "$team/alice/article.txt" --gazetteer "$team/a.tsv" --accept-all >/dev/null
"$bin" preannotate "$team/bob/article.txt" --gazetteer "$team/b.tsv" --accept-all >/dev/null
sums=$(sha256sum "$team"/alice/* "$team"/bob/*)
"$bin" curate "$team/alice" "$team/bob" --into "$team/curated" | tee "$out/curate.log"
side="$team/curated/article.txt.warraq.ron"
decided() { python3 -c "import re,sys; t=open(sys.argv[1]).read(); m=re.search(r'decided: \[([^\]]*)\]', t); print(len(re.findall(r'\d+', m.group(1))) if m else 0)" "$1"; }
before=$(decided "$side")
export XDG_DATA_HOME="$state/data3" XDG_CONFIG_HOME="$state/config3"
"$bin" "$team/curated/article.txt" >"$out/warraq-curate.log" 2>&1 &
pid=$!
wait_window "article.txt" "$out/warraq-curate.log"
sleep 3
xdotool windowfocus --sync "$win" || true
xdotool key --window "$win" alt+1; sleep 0.5
xdotool key --window "$win" alt+n; sleep 0.5
import -window root "$out/curating.png"
xdotool key --window "$win" ctrl+s; sleep 1
after=$(decided "$side")
echo "smoke: curated sidecar: $before decided before, $after after two answers"
[ "$after" -eq $((before + 2)) ] || { echo "smoke: the answers were not saved"; cat "$side"; exit 1; }
[ "$sums" = "$(sha256sum "$team"/alice/* "$team"/bob/*)" ] || { echo "smoke: an annotator's file changed"; exit 1; }
quit "$win" $pid
trap - EXIT
exit 0
