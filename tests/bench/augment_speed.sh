#!/usr/bin/env bash
# xr-augment's transform against the scipy baseline of issue 2 ("Keras-style
# augmentation with scipy.ndimage.affine_transform on in-memory 128x128 images, about
# 2,000 images/s" on one core; target: at least 5x that per core), side by side.
#
#   tests/bench/augment_speed.sh [ROUNDS=3]
#
# Each round runs, one after the other and pinned to one core (taskset -c 0):
#   1. tests/bench/baseline_augment_scipy.py (Debian /usr/bin/python3: numpy, scipy)
#   2. build/bench/bench_augment_transform (Google Benchmark, BM_AugmentTransform/128
#      and BM_WarpOnly/128)
# then, unpinned, xr-augment end to end (decode, augment, encode, write PNGs) on 256
# generated 128x128 images with --threads 1 and --threads 2, its own "augment N/N
# (R/s)" line. Rates are by CPU time for the in-memory figures (the machine is
# shared; CPU time is what one core delivers) and by wall time for the tool. The
# best of the rounds is reported. Prints a Markdown table on stdout.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-3}
python=${PYTHON:-/usr/bin/python3}
bench=${XR_BENCH:-$root/build/bench/bench_augment_transform}
tool=${XR_AUGMENT:-$root/build/bin/xr-augment}
[[ -x "$bench" && -x "$tool" ]] || {
  echo "augment_speed: build first: scripts/dev-build bench_augment_transform xr-augment" >&2
  exit 66
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" - "$work/in/A" <<'PY'
import os, sys
import numpy as np
from PIL import Image
from scipy import ndimage
out = sys.argv[1]
os.makedirs(out)
rng = np.random.default_rng(0)
for i in range(256):
    img = ndimage.gaussian_filter(rng.normal(128, 60, (128, 128)), 2) + rng.normal(0, 8, (128, 128))
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), mode="L").save(f"{out}/img{i:03d}.png")
PY

best() { sort -g | tail -1; }
: > "$work/scipy_full" ; : > "$work/scipy_only"; : > "$work/xr_full"; : > "$work/xr_warp"
: > "$work/tool1"; : > "$work/tool2"
for ((r = 1; r <= rounds; r++)); do
  echo "augment_speed: round $r/$rounds" >&2
  taskset -c 0 "$python" "$root/tests/bench/baseline_augment_scipy.py" --seconds 4 > "$work/py.txt"
  sed -nE 's/^scipy keras-style.*: ([0-9]+) images\/s \(CPU.*/\1/p' "$work/py.txt" >> "$work/scipy_full"
  sed -nE 's/^scipy affine_transform only.*: ([0-9]+) images\/s \(CPU.*/\1/p' "$work/py.txt" >> "$work/scipy_only"
  taskset -c 0 "$bench" --benchmark_filter='/128$' --benchmark_min_time=2 --benchmark_format=csv \
    2>/dev/null > "$work/bench.csv"
  # csv: name,iterations,real_time,cpu_time,time_unit,bytes_per_second,items_per_second,...
  awk -F, '/^"BM_AugmentTransform\/128"/ { printf "%.0f\n", $7 }' "$work/bench.csv" >> "$work/xr_full"
  awk -F, '/^"BM_WarpOnly\/128"/ { printf "%.0f\n", $7 }' "$work/bench.csv" >> "$work/xr_warp"
  for t in 1 2; do
    "$tool" "$work/in" "$work/out" -n 4000 --seed "$r" --threads "$t" 2> "$work/tool.txt" > /dev/null
    sed -nE 's/.*augment [0-9]+\/[0-9]+ \(([0-9.]+)\/s.*/\1/p' "$work/tool.txt" | cut -d. -f1 >> "$work/tool$t"
  done
done

sf=$(best < "$work/scipy_full"); so=$(best < "$work/scipy_only")
xf=$(best < "$work/xr_full"); xw=$(best < "$work/xr_warp")
t1=$(best < "$work/tool1"); t2=$(best < "$work/tool2")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }
cat <<MD
| 128x128, one core unless said | images/s | vs scipy Keras-style |
|---|---:|---:|
| issue's baseline: scipy Keras-style (stated) | ~2000 | |
| scipy Keras-style augmentation, measured (params, matrix, affine_transform, brightness) | $sf | 1.0x |
| scipy affine_transform alone, measured | $so | $(ratio "$so" "$sf") |
| xr-augment transform (BM_AugmentTransform/128: params, matrix, warp, brightness) | $xf | **$(ratio "$xf" "$sf")** |
| xr-augment warp alone (BM_WarpOnly/128) | $xw | $(ratio "$xw" "$sf") |
| xr-augment tool end to end, --threads 1 (decode, augment, encode PNG, write) | $t1 | $(ratio "$t1" "$sf") |
| xr-augment tool end to end, --threads 2 | $t2 | $(ratio "$t2" "$sf") |
MD
