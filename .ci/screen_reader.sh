#!/bin/bash
# Reads the running window as a screen reader would: a D-Bus session with the AT-SPI bus, accessibility switched
# on, Warraq on an annotated copy of the sample, then .ci/screen_reader.py through pyatspi.
# Usage (under Xvfb): bash .ci/screen_reader.sh BIN
set -euo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
cp "$here/assets/sample-article-ar.txt" "$work/article.txt"
printf 'روسيا\tGPE\n' >"$work/names.tsv"
"$bin" preannotate "$work/article.txt" --gazetteer "$work/names.tsv" --accept-all >/dev/null
first=$(head -n1 "$work/article.txt")
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config"
dbus-run-session -- bash -c '
  /usr/libexec/at-spi-bus-launcher --launch-immediately &
  sleep 1
  # Accessibility on, as a desktop with a screen reader running has it (dbus-send: no systemd needed).
  dbus-send --session --dest=org.a11y.Bus --print-reply /org/a11y/bus \
    org.freedesktop.DBus.Properties.Set string:org.a11y.Status string:IsEnabled variant:boolean:true >/dev/null
  "$0" "$1" >"$2/warraq.log" 2>&1 &
  pid=$!
  sleep 5
  status=0
  /usr/bin/python3 "$3/.ci/screen_reader.py" "$4" "GPE: روسيا" || status=$?
  kill $pid 2>/dev/null || true
  exit $status
' "$bin" "$work/article.txt" "$work" "$here" "$first"
