#!/usr/bin/env bash
# Inception-v3 feature extraction throughput: xr::nn::InceptionV3
# (build/bench/bench_nn_inception) against Debian's python3-torchvision inception_v3
# (tests/bench/bench_nn_torchvision.py), side by side, alternating ROUNDS times so
# that load from other processes on a shared machine hits both alike. The best round
# of each case is reported, batch 8, as a Markdown table on stdout: images/s of wall
# time, and images per second of process CPU time (all threads), which other load on
# a shared machine disturbs far less.
#
#   tests/bench/bench_nn_inception.sh [THREADS=2] [ROUNDS=3] [SECONDS=3]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
threads=${1:-2}
rounds=${2:-3}
seconds=${3:-3}
bench=${XR_BENCH:-$root/build/bench/bench_nn_inception}
python=${PYTHON:-/usr/bin/python3}
[[ -x "$bench" ]] || { echo "bench_nn_inception.sh: $bench not built (scripts/dev-build bench_nn_inception)" >&2; exit 66; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for ((r = 1; r <= rounds; r++)); do
  echo "round $r/$rounds: python" >&2
  OMP_NUM_THREADS=$threads "$python" "$root/tests/bench/bench_nn_torchvision.py" \
    --threads "$threads" --seconds "$seconds" | grep -v '^#' >>"$work/py.txt"
  echo "round $r/$rounds: c++" >&2
  XR_BENCH_THREADS=$threads OMP_NUM_THREADS=$threads "$bench" \
    --benchmark_min_time="$seconds" --benchmark_format=csv 2>/dev/null |
    awk -F, '/^"BM_InceptionFeatures/ { split($1, a, "/"); gsub(/"/, "", $8); print a[2], $8, $7, a[3] * 1000 / $4 }' \
      >>"$work/cpp.txt"
done

# Best round of a case: wall images/s, and images per CPU-second (all threads).
best() { awk -v s="$1" -v m="$2" -v c="$4" '$1 == s && $2 == m && $c > b { b = $c } END { printf "%.2f", b }' "$3"; }
echo "| size | case | images/s (wall) | images per CPU-s |"
echo "|---|---|---|---|"
for size in 299 128; do
  for m in nograd inference_mode inference_mode_channels_last; do
    echo "| $size | torchvision (python) $m | $(best $size $m "$work/py.txt" 3) | $(best $size $m "$work/py.txt" 4) |"
  done
  for m in nograd inference_mode folded folded_channels_last; do
    echo "| $size | xr::nn::InceptionV3 $m | $(best $size $m "$work/cpp.txt" 3) | $(best $size $m "$work/cpp.txt" 4) |"
  done
done
