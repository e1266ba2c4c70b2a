#!/usr/bin/env bash
# CPU throughput of gan-train (sec/kimg from stats.jsonl, first tick excluded) for
#  - the test suite's tiny configuration: 16x16, 2 classes, batch 4, cbase 128, cmax 16, z/w 32;
#  - the paper's configuration (128x128, 3 classes, batch 32, cbase 16384, cmax 512)
#    for a few minibatches, when PAPER=1.
#   tests/bench/gan-cpu-throughput.sh [BUILD_DIR]       env: THREADS (default 2), PAPER=0|1
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
threads=${THREADS:-2}
work=$(mktemp -d "${TMPDIR:-/tmp}/gan-cpu-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
mk=$root/tests/fixtures/make_png.py

median_sec_per_kimg() {
  python3 - "$1" <<'PY'
import json, statistics, sys
t = [json.loads(l) for l in open(sys.argv[1])]
s = [x["sec_per_kimg"] for x in t[1:]] or [t[-1]["sec_per_kimg"]]
print(f"{statistics.median(s):.1f} sec/kimg (median of {len(s)} ticks; {1000 / statistics.median(s):.1f} img/s)")
PY
}

for i in $(seq 0 15); do
  for cls in a b; do
    mkdir -p "$work/tiny/$cls"
    python3 "$mk" "$work/tiny/$cls/$i.png" 16 16 --pattern $([[ $cls == a ]] && echo gradient || echo box)
  done
done
"$build/bin/gan-train" -q --data "$work/tiny" --out "$work/run-tiny" --batch 4 --cbase 128 --cmax 16 \
  --z-dim 32 --w-dim 32 --metric-features none --device cpu --threads "$threads" --kimg 0.4 --tick 0.08 \
  --snap 1000 >/dev/null
echo "tiny (16x16, batch 4, cbase 128, cmax 16, z/w 32, $threads threads): $(median_sec_per_kimg "$work/run-tiny/stats.jsonl")"

if [[ "${PAPER:-0}" == 1 ]]; then
  for i in $(seq 0 31); do
    for cls in a b c; do
      mkdir -p "$work/paper/$cls"
      python3 "$mk" "$work/paper/$cls/$i.png" 128 128 --pattern gradient
    done
  done
  "$build/bin/gan-train" -q --data "$work/paper" --out "$work/run-paper" --batch 32 --metric-features none \
    --device cpu --threads "$threads" --kimg 0.064 --tick 0.032 --snap 1000 >/dev/null
  echo "paper (128x128, batch 32, cbase 16384, cmax 512, $threads threads): $(median_sec_per_kimg "$work/run-paper/stats.jsonl")"
fi
