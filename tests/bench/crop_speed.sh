#!/usr/bin/env bash
# xr-crop against the PIL baseline of issue 2 ("a PIL decode-crop-resize-encode of a
# 299x299 PNG to 128x128, about 400 images/s" on one core), side by side on the
# same images: the real sample's "Viral Pneumonia" class (299x299, masks 256x256),
# linked COPIES times as classes c1..cN of a raw folder so that runs last long
# enough to time.
#
#   tests/bench/crop_speed.sh [CLASS_DIR] [COPIES=4] [ROUNDS=3]
#
# Each round runs, one after the other: the PIL baseline in its two modes
# (tests/bench/crop_baseline.py: "image" is the issue's figure; "full" also decodes
# the mask, finds its box and writes the file, i.e. xr-crop's work), then xr-crop
# with --threads 1 and --threads 2; the best round of each is kept.
#
# Figures: images per second of wall time, and images per CPU second (user + sys).
# The machine is shared, so wall time depends on what else runs; CPU time is the
# steadier measure of the work per core. xr-crop's times are the whole process,
# start-up included (loading LibTorch: a few tenths of a CPU second, measured
# with --version and shown); PIL's are its loop only (no interpreter start-up,
# no imports). "cores used" is CPU time over wall time.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
shared=${XR_SHARED_DIR:-$root/../shared}
class_dir=${1:-$shared/data/covid-radiography-sample/Viral Pneumonia}
copies=${2:-4}
rounds=${3:-3}
xr_crop=${XR_CROP:-$root/build/bin/xr-crop}
python=${PYTHON:-/usr/bin/python3}
[[ -d "$class_dir/images" && -d "$class_dir/masks" ]] || { echo "crop_speed: no images/ and masks/ in $class_dir" >&2; exit 66; }
[[ -x "$xr_crop" ]] || { echo "crop_speed: $xr_crop is not built (scripts/dev-build xr-crop)" >&2; exit 66; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/raw"
class_abs=$(cd "$class_dir" && pwd)
for ((i = 1; i <= copies; i++)); do ln -s "$class_abs" "$work/raw/c$i"; done
n=$(( $(ls "$class_dir/images" | grep -c '\.png$') * copies ))
cat "$class_dir"/images/*.png "$class_dir"/masks/*.png > /dev/null  # warm the page cache

# Results as lines "wall cpu" per run; the best is the one with the least CPU.
declare -A runs
TIMEFORMAT='%R %U %S'
timed() {  # timed CMD...: prints "wall cpu" of the command (bash's time keyword)
  local t
  t=$( { time "$@" > /dev/null 2> /dev/null; } 2>&1 )
  awk '{ print $1, $2 + $3 }' <<<"$t"
}
for ((r = 1; r <= rounds; r++)); do
  for mode in image full; do
    line=$("$python" "$root/tests/bench/crop_baseline.py" "$class_dir" --mode "$mode" --repeat "$copies")
    wall=$(sed -E 's/.* in ([0-9.]+) s:.*/\1/' <<<"$line")
    cpu=$(sed -E 's/.*CPU ([0-9.]+) s:.*/\1/' <<<"$line")
    runs[pil_$mode]+="$wall $cpu"$'\n'
  done
  for threads in 1 2; do
    rm -rf "$work/out"
    runs[xr_$threads]+="$(timed "$xr_crop" -q "$work/raw" "$work/out" --threads "$threads")"$'\n'
  done
done
read -r _ startup <<<"$(timed "$xr_crop" --version)"

best() { printf '%s' "${runs[$1]}" | sort -k2 -g | head -1; }
read -r _ pil_cpu <<<"$(best pil_image)"
read -r _ pil_full_cpu <<<"$(best pil_full)"
row() {  # row LABEL KEY THREADS
  local wall cpu
  read -r wall cpu <<<"$(best "$2")"
  awk -v label="$1" -v threads="$3" -v n="$n" -v wall="$wall" -v cpu="$cpu" -v pil="$pil_cpu" \
    -v pil_full="$pil_full_cpu" 'BEGIN { printf "| %s | %s | %.0f | %.0f | %.1f | %.2f | %.2f |\n",
      label, threads, n / wall, n / cpu, cpu / wall, pil / cpu, pil_full / cpu }'
}
echo "$n images ($copies x $(basename "$class_dir")), best of $rounds rounds; $(nproc) cores; load average at the start: $load_before"
echo "xr-crop start-up (--version): $startup CPU s, included in its figures"
echo
echo "| run | threads | images/s (wall) | images per CPU s | cores used | per core vs PIL image | per core vs PIL full |"
echo "|---|---|---|---|---|---|---|"
row "PIL baseline, image mode (the issue's)" pil_image 1
row "PIL, full mode (xr-crop's work)" pil_full 1
row "xr-crop" xr_1 1
row "xr-crop" xr_2 2
