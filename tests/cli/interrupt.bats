#!/usr/bin/env bats
# Issue 25: the tools that run long are killed with SIGINT, SIGTERM and SIGKILL at
# several moments. After SIGINT or SIGTERM nothing of theirs is left (no hidden
# staging folder, no temp file); after SIGKILL, which no process can catch, the next
# run removes what the killed one left. The output is never half-written (absent,
# or whole), and the rerun gives the bytes of an uninterrupted run.

setup_file() {
  load common
  cd "$BATS_FILE_TMPDIR"
  xr-phantom -q -n 40 --size 256 raw >/dev/null
  # The uninterrupted outputs each interrupted tool must end equal to.
  xr-crop -q raw crop -s 64 >/dev/null
  xr-augment -q crop aug -n 150 >/dev/null
  xr-split -q crop split -n 20 >/dev/null
}

setup() {
  load common
  cd "$BATS_TEST_TMPDIR"
  F=$BATS_FILE_TMPDIR
}

# tree_sums DIR: the checksum of every file under DIR, by path relative to DIR.
tree_sums() {
  (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
}

# no_debris: no hidden staging folder or temp file (".NAME.tmp-PID-N") under here.
no_debris() {
  local left
  left=$(find . -name '.*.tmp-*')
  [[ -z "$left" ]] || { echo "left behind: $left"; return 1; }
}

# interrupt SIGNAL DELAY READY CMD...: CMD in the background; once a path matching the
# glob READY exists (the tool has begun its work: LibTorch takes a while to load),
# wait DELAY seconds and send SIGNAL. Sets `status` to CMD's exit status.
interrupt() {
  local sig=$1 delay=$2 ready=$3 i
  shift 3
  "$@" >/dev/null 2>&1 3>&- &
  local pid=$!
  for ((i = 0; i < 500; i++)); do
    compgen -G "$ready" >/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  sleep "$delay"
  kill -s "$sig" "$pid" 2>/dev/null || true
  status=0
  wait "$pid" || status=$?
}

# signal_number SIG: 2 for INT, 15 for TERM, 9 for KILL.
signal_number() { kill -l "$1"; }

# check_interrupted REF CMD...: CMD writes ./out through a hidden staging folder;
# killed with each signal as its work begins, a little later and near its end, then
# run again, it must leave no debris and end with REF's files.
check_interrupted() {
  local ref=$1 sig delay
  shift
  for sig in INT TERM KILL; do
    for delay in 0 0.1 0.3; do
      rm -rf out
      interrupt "$sig" "$delay" ".out.tmp-*" "$@"
      # The first moment is inside the work: the kill must have landed there.
      if [[ ${MUST_LAND:-1} == 1 && $delay == 0 && $status -ne $((128 + $(signal_number "$sig"))) ]]; then
        echo "SIG$sig as the work began: exit status $status, the signal missed"
        return 1
      fi
      if [[ $sig != KILL ]]; then no_debris || { echo "after SIG$sig at ${delay}s"; return 1; }; fi
      if [[ -e out && "$(tree_sums out)" != "$(tree_sums "$ref")" ]]; then
        echo "SIG$sig at ${delay}s left a half-written out"
        return 1
      fi
      "$@" >/dev/null 2>&1 || { echo "the rerun after SIG$sig at ${delay}s failed"; return 1; }
      no_debris || { echo "after the rerun that followed SIG$sig at ${delay}s"; return 1; }
      [[ "$(tree_sums out)" == "$(tree_sums "$ref")" ]] || { echo "rerun after SIG$sig differs"; return 1; }
    done
  done
}

@test "interrupted xr-crop: no debris, never half-written, the rerun equals an uninterrupted run" {
  check_interrupted "$F/crop" xr-crop "$F/raw" out -s 64
}

@test "interrupted xr-augment: no debris, never half-written, the rerun equals an uninterrupted run" {
  check_interrupted "$F/aug" xr-augment "$F/crop" out -n 150
}

@test "interrupted xr-split: no debris, never half-written, the rerun equals an uninterrupted run" {
  # Its work is hard links, done in milliseconds: a kill lands inside it by chance only.
  MUST_LAND=0 check_interrupted "$F/split" xr-split "$F/crop" out -n 20
}

# model_sums DIR: the checksums of a model folder's files but its lock (which holds a pid).
model_sums() {
  (cd "$1" && find . -type f ! -name .xr-lock -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
}

@test "interrupted inc3-train: no temp file, the rerun equals an uninterrupted run" {
  xr-split -q "$F/crop" data -n 6 >/dev/null
  opts=(--train data/train --val data/val --runs 2 --epochs 2 --image-size 75 --threads 1 --seed 5)
  inc3-train -q "${opts[@]}" --out out >/dev/null 2>&1 && mv out ref  # options.json records the folder's name
  for sig in INT TERM KILL; do
    for delay in 0.2 1.5; do
      rm -rf out
      interrupt "$sig" "$delay" out/.xr-lock inc3-train -q "${opts[@]}" --out out
      [[ $status -eq $((128 + $(signal_number "$sig"))) ]] || { echo "SIG$sig at ${delay}s missed ($status)"; return 1; }
      if [[ $sig != KILL ]]; then no_debris || { echo "after SIG$sig at ${delay}s"; return 1; }; fi
      inc3-train -q "${opts[@]}" --out out >/dev/null 2>&1 || { echo "rerun after SIG$sig failed"; return 1; }
      no_debris || { echo "after the rerun that followed SIG$sig at ${delay}s"; return 1; }
      [[ "$(model_sums out)" == "$(model_sums ref)" ]] || { echo "rerun after SIG$sig at ${delay}s differs"; return 1; }
    done
  done
}

@test "interrupted gan-train: SIGINT and SIGTERM leave no temp file, and --resume ends on the uninterrupted bytes" {
  mkdir -p data/A data/B
  ls "$F/crop/Normal" | head -8 | while read -r f; do cp "$F/crop/Normal/$f" data/A/; done
  ls "$F/crop/COVID" | head -8 | while read -r f; do cp "$F/crop/COVID/$f" data/B/; done
  opts=(--data data --batch 4 --cbase 256 --cmax 16 --z-dim 16 --w-dim 16 --metric-features none --threads 1
        --kimg 0.048 --tick 0.008 --snap 1)
  gan-train -q "${opts[@]}" --out out >/dev/null && mv out ref
  for sig in INT TERM; do
    rm -rf out
    interrupt "$sig" 0.8 out/.xr-lock gan-train -q "${opts[@]}" --out out
    [[ $status -eq $((128 + $(signal_number "$sig"))) ]] || { echo "SIG$sig missed ($status)"; return 1; }
    no_debris || { echo "after SIG$sig"; return 1; }
    if [[ -f out/resume.safetensors ]]; then
      gan-train -q --resume out >/dev/null || { echo "resume after SIG$sig failed"; return 1; }
    else
      rm -rf out && gan-train -q "${opts[@]}" --out out >/dev/null
    fi
    no_debris
    cmp ref/best.safetensors out/best.safetensors
    cmp ref/network-snapshot-000000048.safetensors out/network-snapshot-000000048.safetensors
  done
}
