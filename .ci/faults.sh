#!/usr/bin/env bash
# Fault injection on the real binary (run as root): a full disk, a read-only folder, and a kill -9 loop of at least
# 1000 saves. After each fault the sidecar loads and holds every annotation saved before; the text is untouched.
# Usage: faults.sh BIN [KILLS]
set -euo pipefail
bin=$(realpath "$1")
kills=${2:-1200}
here=$(cd "$(dirname "$0")/.." && pwd)
sample="$here/assets/sample-article-ar.txt"
work=$(mktemp -d)
mounts=()
cleanup() {
  for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "faults: FAILED: $*"; exit 1; }
count() { "$bin" annotations "$1" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["annotations"]))'; }
# refused WHAT PATTERN COMMAND...: the command must fail with exit status 1 and a message matching PATTERN.
refused() {
  local what=$1 pattern=$2 msg rc
  shift 2
  set +e; msg=$("$@" 2>&1); rc=$?; set -e
  echo "   $what: exit $rc: $msg"
  [ "$rc" -eq 1 ] || fail "$what did not fail cleanly (exit $rc)"
  echo "$msg" | grep -Eq "$pattern" || fail "$what: the message does not say why"
}

echo "== disk full (a 384 KiB tmpfs that fills up)"
full="$work/full"; mkdir -p "$full"
mount -t tmpfs -o size=384k tmpfs "$full"; mounts+=("$full")
cp "$sample" "$full/doc.txt"
printf 'روسيا\tGPE\n' >"$work/one.tsv"
"$bin" preannotate "$full/doc.txt" --gazetteer "$work/one.tsv" --accept-all >/dev/null
side="$full/doc.txt.warraq.ron"
before=$(sha256sum <"$side")
n_before=$(count "$full/doc.txt")
# Fill the disk to the last block.
dd if=/dev/zero of="$full/filler" bs=4k 2>/dev/null || true
printf 'الولايات المتحدة\tGPE\nأنتونوف\tPER\nموسكو\tGPE\n' >"$work/more.tsv"
refused "preannotate on a full disk" "No space left" \
  "$bin" preannotate "$full/doc.txt" --gazetteer "$work/more.tsv" --accept-all
[ "$(sha256sum <"$side")" = "$before" ] || fail "the sidecar changed on a full disk"
[ "$(count "$full/doc.txt")" = "$n_before" ] || fail "annotations lost on a full disk"
cmp -s "$full/doc.txt" "$sample" || fail "the text file changed"
ls -a "$full" | grep -q '\.tmp$' && fail "a temporary file was left behind"
refused "export on a full disk" "No space left" "$bin" export "$full/doc.txt" --format csv --out "$full/out.csv"
[ ! -s "$full/out.csv" ] || fail "a partial export was left"
rm -f "$full/filler" "$full/out.csv"
"$bin" preannotate "$full/doc.txt" --gazetteer "$work/more.tsv" --accept-all >/dev/null
[ "$(count "$full/doc.txt")" -gt "$n_before" ] || fail "saving after the disk recovered"
echo "   ok: refused with a message, sidecar and text intact, saved once there was room"

echo "== read-only folder (a tmpfs remounted read-only)"
ro="$work/ro"; mkdir -p "$ro"
mount -t tmpfs -o size=4m tmpfs "$ro"; mounts+=("$ro")
cp "$sample" "$ro/doc.txt"
"$bin" preannotate "$ro/doc.txt" --gazetteer "$work/one.tsv" --accept-all >/dev/null
before=$(sha256sum <"$ro/doc.txt.warraq.ron")
mount -o remount,ro "$ro"
refused "preannotate in a read-only folder" "[Rr]ead-only" \
  "$bin" preannotate "$ro/doc.txt" --gazetteer "$work/more.tsv" --accept-all
[ "$(sha256sum <"$ro/doc.txt.warraq.ron")" = "$before" ] || fail "the sidecar changed"
"$bin" annotations "$ro/doc.txt" >/dev/null || fail "reading from a read-only folder"
printf 'روسيا\tB-GPE\n' >"$work/one.conll"
refused "import into a read-only folder" "[Rr]ead-only" "$bin" import "$work/one.conll" --format conll --out "$ro/imported"
echo "   ok"

echo "== kill -9 during saves ($kills runs of the release binary)"
kd="$work/kill"; mkdir -p "$kd"
# A long document (the sample 20 times) so saves take long enough to be interrupted.
for _ in $(seq 1 20); do cat "$sample"; done >"$kd/doc.txt"
cp "$kd/doc.txt" "$kd/original.txt"
mapfile -t words < <(tr -s ' \n،.:()«»"' '\n' <"$sample" | awk 'length($0) >= 4' | sort -u | head -n 200)
tags=(PER LOC ORG GPE DATE MISC)
last=0; completed=0; killed=0; mid=0
for i in $(seq 1 "$kills"); do
  w=${words[$((i % ${#words[@]}))]}
  t=${tags[$((i % ${#tags[@]}))]}
  printf '%s\t%s\n' "$w" "$t" >"$kd/list.tsv"
  "$bin" preannotate "$kd/doc.txt" --gazetteer "$kd/list.tsv" --accept-all >/dev/null 2>&1 &
  pid=$!
  sleep "0.0$(printf '%02d' $((RANDOM % 30)))"
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
  set +e; wait "$pid" 2>/dev/null; rc=$?; set -e
  [ "$rc" -eq 0 ] && completed=$((completed + 1))
  [ "$rc" -eq 137 ] && mid=$((mid + 1))
  n=$(count "$kd/doc.txt") || fail "run $i: the sidecar does not load after kill -9"
  [ "$n" -ge "$last" ] || fail "run $i: $last annotations were saved before, $n are left"
  last=$n
done
cmp -s "$kd/doc.txt" "$kd/original.txt" || fail "the text file changed"
echo "   ok: $kills runs, $mid killed before finishing, $completed finished; the sidecar loaded after every one and kept all $last annotations saved"
echo "faults: all passed"
