#!/usr/bin/env bash
# Side by side: the tools with the libraries' default CPU settings (OpenBLAS with one
# thread per core beside LibTorch's, glibc malloc giving large blocks back to the
# kernel) against the toolkit's own (lib/core/cpu_runtime.hpp: one OpenBLAS thread,
# freed memory kept). The defaults are restored through the environment, which the
# toolkit leaves alone when set, so both columns run the same binaries.
#
#   tests/bench/cpu_runtime_bench.sh [BUILD_DIR]      env: THREADS (2), REPS (3)
#
# Workloads (synthetic data from xr-phantom, 64x64, 3 classes):
#   gan-train: batch 32, cbase 2048, cmax 64 (sec/kimg, median of the ticks after the first)
#   fid-kid:   random Inception features at 299, 2 x 96 images (wall seconds)
#   inc3-train: whole network from random init, 75x75, 2 epochs of 96 images (wall seconds)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
bin=$build/bin
threads=${THREADS:-2}
reps=${REPS:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/cpu-runtime-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$bin/xr-phantom" -q -n 64 --size 128 --classes COVID,Normal,"Viral Pneumonia" "$work/raw" >/dev/null
"$bin/xr-crop" -q --size 64 "$work/raw" "$work/crop" >/dev/null
"$bin/xr-phantom" -q -n 32 --size 128 --seed 7 --classes COVID,Normal,"Viral Pneumonia" "$work/raw2" >/dev/null
"$bin/xr-crop" -q --size 64 "$work/raw2" "$work/crop2" >/dev/null

defaults_env() {  # the libraries' own settings; the toolkit does not touch what is set
  env OPENBLAS_NUM_THREADS="$(nproc)" GLIBC_TUNABLES=glibc.malloc.perturb=0 "$@"
}
tuned_env() { env -u OPENBLAS_NUM_THREADS -u OMP_NUM_THREADS -u GLIBC_TUNABLES "$@"; }

gan() {  # prints sec/kimg
  local out=$work/gan-$RANDOM
  "$@" "$bin/gan-train" -q --data "$work/crop" --out "$out" --batch 32 --cbase 2048 --cmax 64 \
    --metric-features none --device cpu --threads "$threads" --kimg 0.416 --tick 0.096 --snap 1000 >/dev/null
  python3 -c "
import json, statistics, sys
t = [json.loads(l)['sec_per_kimg'] for l in open(sys.argv[1])][1:]
print(f'{statistics.median(t):.2f}')" "$out/stats.jsonl"
  rm -rf "$out"
}
wall() {  # prints the wall seconds of a command
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.2f}')"
}
fid() { wall "$@" "$bin/fid-kid" -q --features random --no-cache --no-pixel-metrics --device cpu --threads "$threads" \
  "$work/crop" "$work/crop2"; }
inc3() {
  local out=$work/inc3-$RANDOM
  wall "$@" "$bin/inc3-train" -q --train "$work/crop2" --val "$work/crop2" --out "$out" --weights none --runs 1 \
    --epochs 2 --batch 16 --image-size 75 --device cpu --threads "$threads"
  rm -rf "$out"
}

median() { python3 -c "import statistics, sys; print(f'{statistics.median(map(float, sys.argv[1:])):.2f}')" "$@"; }

echo "| workload ($threads threads) | library defaults | toolkit settings | speed-up |"
echo "|---|---|---|---|"
for w in gan fid inc3; do
  d=() t=()
  for _ in $(seq "$reps"); do  # alternate, so that load changes hit both columns alike
    d+=("$($w defaults_env)")
    t+=("$($w tuned_env)")
  done
  md=$(median "${d[@]}") mt=$(median "${t[@]}")
  unit=$([[ $w == gan ]] && echo "sec/kimg" || echo "s")
  echo "| $w | $md $unit (${d[*]}) | $mt $unit (${t[*]}) | $(python3 -c "print(f'{$md / $mt:.2f}x')") |"
done
