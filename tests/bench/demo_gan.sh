#!/usr/bin/env bash
# The demo GAN's length, measured: `make demo`'s data (xr-phantom, three classes,
# 100 a class, mask crop, 60 training images a class) at each resolution in SIZES,
# gan-train with the demo's network (--cbase 512 --cmax 32, R1 gamma 1.024) for
# KIMG kimg, a snapshot every SNAP_KIMG; prints per snapshot the mean KID/FID against
# the training split, its real-vs-real floor and the validation KID, and the
# sec/kimg; writes $OUT/grid-<size>.png: the real images (top), then the fakes of the
# snapshots in order, one block each, for a person to look at. Not a test: minutes.
#
#   tests/bench/demo_gan.sh [BUILD_DIR]
# Settings (environment): OUT (runs/bench-demo-gan), SIZES ("32"), KIMG (20),
# SNAP_KIMG (5), THREADS (2); DATA (a raw data set folder instead of the phantoms,
# e.g. ../shared/data/covid-radiography-sample), CROP_FLAGS (e.g. --ignore-masks),
# PER_CLASS (60 training images a class).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
bin=$build/bin
OUT=${OUT:-$root/runs/bench-demo-gan}
SIZES=${SIZES:-32}
KIMG=${KIMG:-20}
SNAP_KIMG=${SNAP_KIMG:-5}
THREADS=${THREADS:-2}
DATA=${DATA:+$(cd "$DATA" && pwd)}
CROP_FLAGS=${CROP_FLAGS:-}
PER_CLASS=${PER_CLASS:-60}
mkdir -p "$OUT"
cd "$OUT"
raw=${DATA:-raw}
[[ -n "$DATA" || -f raw/phantom.json ]] || "$bin/xr-phantom" raw --per-class 100 --size 128 \
  --classes "COVID,Normal,Viral Pneumonia" --seed 1 -q >/dev/null
for size in $SIZES; do
  # shellcheck disable=SC2086  # CROP_FLAGS is a list of flags
  [[ -f crop$size/manifest.csv ]] || "$bin/xr-crop" "$raw" crop$size --size "$size" $CROP_FLAGS -q >/dev/null
  [[ -f split$size/split.csv ]] ||
    "$bin/xr-split" crop$size split$size --train-per-class "$PER_CLASS" --seed 1 -q >/dev/null
  rm -rf gan$size
  start=$(date +%s)
  "$bin/gan-train" --data split$size/train --val split$size/val --out gan$size --kimg "$KIMG" --tick 1 \
    --snap "$SNAP_KIMG" --gamma 1.024 --cbase 512 --cmax 32 --seed 1 --threads "$THREADS" --device cpu \
    -q >/dev/null
  wall=$(($(date +%s) - start))
  /usr/bin/python3 - "$size" "$wall" gan$size <<'PY'
import glob, json, sys
from PIL import Image
size, wall, run = sys.argv[1], sys.argv[2], sys.argv[3]
stats = [json.loads(l) for l in open(f"{run}/stats.jsonl")]
print(f"## {size}x{size}: {wall} s in all (training and metrics), "
      f"{stats[-1]['sec_per_kimg']:.2f} sec/kimg at the end\n")
print("| kimg | KID | KID floor (halves) | KID val | FID | FID floor (halves) |")
print("|---:|---:|---:|---:|---:|---:|")
for l in open(f"{run}/metrics.jsonl"):
    m = json.loads(l)
    print(f"| {m['kimg']:g} | {m['kid']['mean']:.4f} | {m['kid_floor']['mean']:.4f} | "
          f"{m['kid_val']['mean']:.4f} | {m['fid']['mean']:.1f} | {m['fid_floor']['mean']:.1f} |")
grids = [f"{run}/reals.png"] + sorted(glob.glob(f"{run}/fakes-*.png"))
ims = [Image.open(p).convert("L") for p in grids]
w = max(i.size[0] for i in ims)
out = Image.new("L", (w, sum(i.size[1] + 6 for i in ims)), 255)
y = 0
for i in ims:
    out.paste(i, (0, y))
    y += i.size[1] + 6
out.save(f"grid-{size}.png")
print(f"\nGrid: {' / '.join(p.split('/')[-1] for p in grids)} -> grid-{size}.png\n")
PY
done
