#!/usr/bin/env bash
# inc3-train's training speed beside PyTorch's on the same machine, same folders and
# protocol (classify_learning_torch.py), side by side and interleaved REPS times:
# seconds per epoch (training plus validation) from the difference between a 1-epoch
# and a 3-epoch run, so loading and start-up cancel out; training images per second
# from that. Run on a quiet machine; the ratio is the figure to quote.
#
#   tests/bench/classify_speed.sh [BUILD_DIR]
# Environment: SPLIT (a split folder with train/val/test; default the 128 px split of
# classify_learning.sh, runs/bench-learning/split128), MODE (scratch), ARCH
# (torchvision), REPS (2), THREADS (2).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
SPLIT=${SPLIT:-$root/runs/bench-learning/split128}
MODE=${MODE:-scratch}
ARCH=${ARCH:-torchvision}
REPS=${REPS:-2}
THREADS=${THREADS:-2}
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1} OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
[[ -d $SPLIT/train ]] || { echo "classify_speed.sh: $SPLIT: no split (run classify_learning.sh or set SPLIT)" >&2; exit 66; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
size=$(/usr/bin/python3 -c "from PIL import Image; import glob; print(Image.open(sorted(glob.glob('$SPLIT/train/*/*.png'))[0]).size[0])")
n_train=$(find "$SPLIT/train" -name '*.png' | wc -l)
n_val=$(find "$SPLIT/val" -name '*.png' | wc -l)

seconds() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null 2>&1; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'; }
toolkit() {  # epochs
  rm -rf "$tmp/m"
  seconds "$build/bin/inc3-train" -q --threads "$THREADS" --arch "$ARCH" --train "$SPLIT/train" --val "$SPLIT/val" \
    --out "$tmp/m" --runs 1 --epochs "$1" --image-size "$size" --seed 1 --cache-dir none
}
pytorch() {  # epochs
  seconds /usr/bin/python3 "$root/tests/bench/classify_learning_torch.py" --train "$SPLIT/train" --val "$SPLIT/val" \
    --test "$SPLIT/val" --mode "$MODE" --seed 1 --epochs "$1" --threads "$THREADS"
}
[[ $MODE == scratch ]] || { echo "classify_speed.sh: MODE=$MODE: only scratch is timed (the frozen head costs nothing)" >&2; exit 64; }

echo "classifier speed, $MODE, ${size}px, $n_train training and $n_val validation images, $THREADS threads"
for rep in $(seq "$REPS"); do
  for impl in pytorch toolkit; do
    one=$($impl 1)
    three=$($impl 3)
    awk -v impl="$impl" -v rep="$rep" -v a="$one" -v b="$three" -v nt="$n_train" 'BEGIN {
      e = (b - a) / 2; printf "%s rep %d: %.1f s per epoch (1 epoch run %.1f s, 3 epochs %.1f s), %.1f training images/s incl. validation\n", impl, rep, e, a, b, nt / e }'
  done
done
