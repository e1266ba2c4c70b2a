#!/usr/bin/env bash
# The classifier's learning side by side with PyTorch's: the same split folders, the
# same protocol (inc3-train --runs 1 against tests/bench/classify_learning_torch.py),
# several seeds, from scratch and on a frozen base (the very same random base for
# both: PyTorch draws it, the toolkit reads it), at each size. Keras' architecture
# (the toolkit's default) runs from scratch beside them; it has no PyTorch twin.
# Not a test: hours of CPU. Results are resumable (one JSON file a run under
# $OUT/results; a finished run is not repeated), then summarised by
# classify_learning_summary.py into $OUT/summary.md.
#
#   tests/bench/classify_learning.sh [BUILD_DIR]
# Settings (environment): DATA (default ../shared/data/covid-radiography-sample),
# OUT (runs/bench-learning), SEEDS ("1 2 3 4 5"), SIZES ("75 128"),
# MODES ("scratch frozen"), ARCHS ("torchvision keras"), KERAS_BN ("0.9": Keras'
# network from scratch again with this --bn-momentum; "" for none), EPOCHS (5),
# LR (0.001), PER_CLASS (150), THREADS (2), PYTORCH (1; 0 skips PyTorch's scratch runs,
# for a toolkit-only variation such as another LR or KERAS_BN; frozen runs still need
# PyTorch to draw their base).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
bin=$build/bin
DATA=${DATA:-$root/../shared/data/covid-radiography-sample}
OUT=${OUT:-$root/runs/bench-learning}
SEEDS=${SEEDS:-1 2 3 4 5}
SIZES=${SIZES:-75 128}
MODES=${MODES:-scratch frozen}
ARCHS=${ARCHS:-torchvision keras}
KERAS_BN=${KERAS_BN-0.9}
EPOCHS=${EPOCHS:-5}
LR=${LR:-0.001}
PER_CLASS=${PER_CLASS:-150}
THREADS=${THREADS:-2}
PYTORCH=${PYTORCH:-1}
py=/usr/bin/python3
[[ -d $DATA ]] || { echo "classify_learning.sh: $DATA: no such folder (set DATA)" >&2; exit 66; }
mkdir -p "$OUT/results"

# One crop per size (no resizing later: both implementations read the same pixels),
# each split with the same seed, so the same images land in train, val and test.
for size in $SIZES; do
  if [[ ! -f $OUT/split$size/split.csv ]]; then
    "$bin/xr-crop" -q --ignore-masks --size "$size" "$DATA" "$OUT/crop$size" > /dev/null
    "$bin/xr-split" -q -n "$PER_CLASS" --seed 1 "$OUT/crop$size" "$OUT/split$size" > /dev/null
  fi
done
first=${SIZES%% *}
for size in $SIZES; do
  cmp -s "$OUT/split$first/split.csv" "$OUT/split$size/split.csv" ||
    { echo "classify_learning.sh: the splits at $first and $size px differ" >&2; exit 1; }
done

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# add_fields FILE KEY=VALUE...: numbers or strings into the JSON object in FILE.
add_fields() {
  local f=$1
  shift
  $py - "$f" "$@" <<'PY'
import json, sys
path, pairs = sys.argv[1], sys.argv[2:]
with open(path) as f:
    j = json.load(f)
for p in pairs:
    k, v = p.split("=", 1)
    try:
        j[k] = float(v) if "." in v or v.isdigit() else v
    except ValueError:
        j[k] = v
with open(path + ".tmp", "w") as f:
    json.dump(j, f)
import os
os.replace(path + ".tmp", path)
PY
}

run_pytorch() {  # mode size seed
  local mode=$1 size=$2 seed=$3 s=$OUT/split$2 result=$OUT/results/pytorch-torchvision-$1-$2-$3.json
  [[ -s $result ]] && return 0
  echo "== pytorch torchvision $mode ${size}px seed $seed" >&2
  local t0 t1 extra=()
  [[ $mode == frozen ]] && extra=(--export-base "$OUT/base-$size-$seed.safetensors")
  t0=$(now)
  $py "$root/tests/bench/classify_learning_torch.py" --train "$s/train" --val "$s/val" --test "$s/test" \
    --mode "$mode" --seed "$seed" --epochs "$EPOCHS" --lr "$LR" --threads "$THREADS" "${extra[@]}" > "$result.part"
  t1=$(now)
  mv "$result.part" "$result"
  add_fields "$result" "wall_secs=$(elapsed "$t0" "$t1")"
}

run_toolkit() {  # arch mode size seed [bn-momentum]
  local arch=$1 mode=$2 size=$3 seed=$4 bn=${5:-auto} s=$OUT/split$3
  local label=$arch
  [[ $bn == auto ]] || label="$arch-bn$bn"
  local result=$OUT/results/toolkit-$label-$2-$3-$4.json model=$OUT/models/$label-$2-$3-$4
  [[ -s $result ]] && return 0
  local weights=none
  if [[ $mode == frozen ]]; then
    weights=$OUT/base-$size-$seed.safetensors
    [[ -f $weights ]] || run_pytorch frozen "$size" "$seed"  # PyTorch draws the shared base
  fi
  echo "== toolkit $arch $mode ${size}px seed $seed" >&2
  rm -rf "$model"
  mkdir -p "$OUT/models"
  local t0 t1
  t0=$(now)
  "$bin/inc3-train" -q --threads "$THREADS" --arch "$arch" --bn-momentum "$bn" --weights "$weights" --train "$s/train" \
    --val "$s/val" --out "$model" --runs 1 --epochs "$EPOCHS" --lr "$LR" --batch 32 --image-size "$size" \
    --seed "$seed" --cache-dir none > "$model.train.json"
  t1=$(now)
  "$bin/cls-eval" -q --threads "$THREADS" --model "$model" --test "$s/test" --bootstrap 0 > "$model.eval.json"
  $py - "$model.train.json" "$model.eval.json" "$model/history.csv" "$label" "$mode" "$size" "$seed" \
    "$EPOCHS" "$LR" "$(elapsed "$t0" "$t1")" > "$result.part" <<'PY'
import csv, json, sys
train, ev, hist, arch, mode, size, seed, epochs, lr, wall = sys.argv[1:]
t = json.load(open(train))["results"]
e = json.load(open(ev))["results"]
run = t["runs"][0]
history = [[int(r["epoch"]), float(r["train_loss"]), float(r["train_accuracy"]), float(r["val_loss"]),
            float(r["val_accuracy"])] for r in csv.DictReader(open(hist))]
print(json.dumps({"impl": "toolkit", "arch": arch, "mode": mode, "size": int(size), "seed": int(seed),
                  "epochs": int(epochs), "lr": float(lr), "best_val_accuracy": run["val_accuracy"],
                  "best_epoch": run["kept_epoch"], "test_accuracy": e["accuracy"], "history": history,
                  "wall_secs": float(wall)}))
PY
  mv "$result.part" "$result"
}

# PyTorch gets the CPU settings every toolkit tool applies to itself (xr-toolkit(1),
# ENVIRONMENT): OpenBLAS on one thread beside the OpenMP threads, passive waiting.
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1} OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
# Seeds outermost: an interrupted run leaves every cell with about as many seeds.
for seed in $SEEDS; do
  for size in $SIZES; do
    for mode in $MODES; do
      [[ $PYTORCH == 0 && $mode == scratch ]] || run_pytorch "$mode" "$size" "$seed"
      for arch in $ARCHS; do
        # Keras' network has no PyTorch twin, so no shared frozen base: scratch only.
        [[ $arch == keras && $mode == frozen ]] && continue
        run_toolkit "$arch" "$mode" "$size" "$seed"
      done
      if [[ $mode == scratch && -n $KERAS_BN ]]; then run_toolkit keras scratch "$size" "$seed" "$KERAS_BN"; fi
    done
  done
done
$py "$root/tests/bench/classify_learning_summary.py" "$OUT/results" > "$OUT/summary.md"
cat "$OUT/summary.md"
