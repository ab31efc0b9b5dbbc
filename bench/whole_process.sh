#!/usr/bin/env bash
# Whole-process comparison of issue 19: `memaudit scan` (fresh JVM each run, through the launcher)
# against the naive Python dict-of-12-grams script (bench/naive_scan.py, which builds its own
# index), alternated run by run so both see the same machine load. Prints every run's wall seconds
# (/usr/bin/time), the medians and their ratio.
#
# usage: bench/whole_process.sh [runs=5] [case dir=/tmp/case19]
# MEMAUDIT=<launcher> times another build's launcher (e.g. an older commit's checkout) instead.
# The case is made by bench/make_scan_case.py; its index is built here when missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-5}"
CASE="${2:-/tmp/case19}"
LAUNCHER="${MEMAUDIT:-$ROOT/memaudit}"
BG="${MEMAUDIT_BACKGROUND:-$ROOT/../shared/corpora/background}"
[ -f "$CASE/outputs.jsonl" ] || python3 "$ROOT/bench/make_scan_case.py" "$BG" "$CASE"
[ -f "$CASE/index/memaudit-index.json" ] || "$ROOT/memaudit" index build --corpus "$CASE/corpus" --index "$CASE/index" >&2
"$LAUNCHER" --version >/dev/null # builds the CLI (and its class archive) outside the timing
wall() { /usr/bin/time -f "%e" -o "$CASE/.time" "$@" >/dev/null 2>"$CASE/.err" || { cat "$CASE/.err" >&2; exit 1; }; cat "$CASE/.time"; }
mem=(); py=()
for i in $(seq 1 "$RUNS"); do
  rm -rf "$CASE/run"
  m=$(wall "$LAUNCHER" scan --index "$CASE/index" --outputs "$CASE/outputs.jsonl" --out "$CASE/run" ${SCAN_ARGS:-})
  p=$(wall python3 "$ROOT/bench/naive_scan.py" "$CASE/corpus" "$CASE/outputs.jsonl")
  echo "run $i: memaudit scan ${m} s, naive python ${p} s"
  mem+=("$m"); py+=("$p")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
M=$(median "${mem[@]}"); P=$(median "${py[@]}")
echo "median of $RUNS: memaudit scan $M s, naive python $P s, ratio $(awk -v p="$P" -v m="$M" 'BEGIN {printf "%.2f", p/m}')x"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
