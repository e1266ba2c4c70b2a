#!/usr/bin/env bats
# The make pipelines: `make -n small` shows the paper's settings; a reduced demo runs
# end to end; a run that stopped resumes without redoing the stages that finished.

setup() {
  load common
  cd "$BATS_TEST_TMPDIR"
}

# make in the source tree with the tools of this build; the run goes to $PWD/run.
xr_make() {
  make --no-print-directory -C "$XR_SOURCE_DIR" XR_BIN="$(dirname "$(command -v xr-split)")" \
    RUN_ROOT="$BATS_TEST_TMPDIR/run" "$@"
}

# The demo's rules at the smallest size that still exercises every stage.
TINY=(DATA="$BATS_TEST_TMPDIR/raw" IMAGE_SIZE=16 SMALL_PER_CLASS=4 MICRO_PER_CLASS=2
      AUG_PER_CLASS=4 GAN_PER_CLASS=4 GAN_KIMG=0.008 GAN_TICK=0.004 GAN_SNAP=1
      "GAN_FLAGS=--cbase 64 --cmax 8 --z-dim 16 --w-dim 16 --batch 4 --mbstd-group 2"
      RUNS=1 EPOCHS=1 BATCH=4 CLS_IMAGE_SIZE=75 DEVICE=cpu)

@test "make -n small shows the paper's settings" {
  run -0 xr_make -n small DATA=/data/raw
  assert_output --partial "xr-crop --seed 1 \"/data/raw\""
  assert_output --partial "--size 128"
  assert_output --partial "--train-per-class 1000"
  assert_output --partial "xr-augment --seed 1"
  assert_output --partial "--per-class 1000"
  assert_output --partial "--gamma 1.024"
  assert_output --partial "--runs 5 --epochs 11 --batch 32"
  assert_output --partial "--weights none"
  assert_output --partial "gan-sample --seed 1"
  assert_output --partial "xr-report"
}

@test "make -n small crops by mask (the paper's), unless CROP_FLAGS says otherwise" {
  run -0 xr_make -n small DATA=/some/dir
  crop=$(grep -F "xr-crop --seed 1" <<<"$output")
  [[ "$crop" == *"\"/some/dir\" $BATS_TEST_TMPDIR/run/cropped --size 128"* ]]
  [[ "$crop" != *"--no-mask"* && "$crop" != *"--ignore-masks"* ]]
  run -0 xr_make -n small DATA=/some/dir CROP_FLAGS=--ignore-masks
  assert_output --partial "--size 128 --ignore-masks"
}

@test "experiment.mk: the defaults that are not the paper's sit under the comment that says why" {
  mk="$XR_SOURCE_DIR/pipelines/experiment.mk"
  why=$(grep -n "^# Settings that are NOT the paper's" "$mk" | cut -d: -f1)
  [[ -n "$why" ]]
  for v in WEIGHTS METRIC_FEATURES GAN_KIMG; do
    line=$(grep -n "^$v ?=" "$mk" | cut -d: -f1)
    (( line > why )) || { echo "$v above the comment"; false; }
    grep -q "^# - $v:" "$mk"
  done
  run ! grep -q "^CROP_FLAGS ?= *--" "$mk"
}

@test "make -n micro draws its training set from small's split, same val/test" {
  run -0 xr_make -n micro DATA=/data/raw
  assert_output --partial "--train-per-class 500 --subset-of"
  assert_output --partial "run/small/split/split.csv"
}

@test "make small without DATA is a usage error" {
  run -2 xr_make small
  assert_output --partial "set DATA="
}

@test "make -n cpu-study runs small at 64 px, 150 a class, a 24 kimg GAN and 3 classifier runs" {
  run -0 xr_make -n cpu-study DATA=/data/raw CROP_FLAGS=--ignore-masks CPU_STUDY_ROOT=cs
  assert_output --partial "xr-crop --seed 1 \"/data/raw\" cs/cropped --size 64 --ignore-masks"
  assert_output --partial "--train-per-class 150"
  assert_output --partial "--kimg 24 --tick 4 --snap 3"
  assert_output --partial "--cbase 2048 --cmax 64"
  assert_output --partial "--runs 3 --epochs 5"
  assert_output --partial "cs/small/report"
}

@test "make -n demo BUILD_DIR=b2 runs b2's tools, each through LAUNCH (issue 27)" {
  run -0 make --no-print-directory -C "$XR_SOURCE_DIR" -n demo BUILD_DIR=b2 DEMO_ROOT="$BATS_TEST_TMPDIR/demo" \
    LAUNCH=my-launcher
  commands=$output
  tools=$(grep -o "[^ ]*/bin/[a-z0-9-]*" <<<"$output" | sort -u)
  [[ -n "$tools" ]]
  run grep -v "^$XR_SOURCE_DIR/b2/bin/" <<<"$tools"
  assert_output ""
  for t in xr-phantom xr-crop xr-split gan-train inc3-train cls-eval fid-kid; do
    grep -q "my-launcher $XR_SOURCE_DIR/b2/bin/$t " <<<"$commands" || fail "$t is not run through LAUNCH"
  done
}

@test "make help names every target the Makefile and the pipelines declare phony" {
  run -0 make --no-print-directory -C "$XR_SOURCE_DIR" help
  help=$output
  targets=$(sed -n 's/^\.PHONY://p' "$XR_SOURCE_DIR/Makefile" "$XR_SOURCE_DIR"/pipelines/*.mk | tr ' ' '\n' | grep .)
  [[ $(wc -l <<<"$targets") -ge 15 ]]
  for t in $targets; do
    [[ $t == help || $t == build ]] && continue
    grep -qE "make ([^ ]+ )*$t( |$)|/ make $t( |$)" <<<"$help" || fail "make help does not name '$t'"
  done
}

@test "a tiny demo runs end to end, then resumes without redoing finished stages" {
  xr-phantom -q raw -n 8 --size 32 --classes "COVID,Viral Pneumonia"
  run -0 xr_make both "${TINY[@]}"
  [[ -f run/report/report.md ]]
  [[ -f run/small/eval/gan/metrics.json ]]
  [[ -f run/micro/eval/classical/metrics.json ]]
  grep -q "^## Change between data sizes" run/report/report.md
  # The phantom data have masks: the default crop by mask ran.
  grep -q ',ok$' run/cropped/manifest.csv
  run ! grep -q ',whole_image$' run/cropped/manifest.csv
  [[ -d "run/small/split/train/Viral Pneumonia" ]]

  # Up to date: nothing to do.
  run -0 xr_make -q both "${TINY[@]}"

  # As if interrupted while scoring one classifier: only that stage and the reports
  # after it are redone, not the crop, split, GAN or training.
  rm run/small/eval/none/metrics.json
  run -0 xr_make -n both "${TINY[@]}"
  assert_output --partial "cls-eval --seed 1 --model $BATS_TEST_TMPDIR/run/small/cls/none"
  refute_output --partial "inc3-train"
  refute_output --partial "gan-train"
  refute_output --partial "xr-crop"
  refute_output --partial "xr-split"
  run -0 xr_make both "${TINY[@]}"
  [[ -f run/small/eval/none/metrics.json ]]
}

@test "a GAN run killed after its first snapshot is resumed by make, not taken as trained" {
  xr-phantom -q raw -n 8 --size 32 --classes "COVID,Viral Pneumonia"
  # Two snapshots (0.008 kimg in ticks of 0.004), so a run can stop between them.
  run -0 xr_make "$BATS_TEST_TMPDIR/run/small/split/split.csv" "${TINY[@]}"
  gan=(gan-train --seed 1 --data "$BATS_TEST_TMPDIR/run/small/split/train" --out "$BATS_TEST_TMPDIR/run/small/gan-run"
       --val "$BATS_TEST_TMPDIR/run/small/split/val" --kimg 0.004 --tick 0.004
       --snap 1 --device cpu --metric-features random --metric-size 0 --cbase 64 --cmax 8 --z-dim 16
       --w-dim 16 --batch 4 --mbstd-group 2)
  # What a SIGKILL after the first snapshot leaves: best.safetensors and the resume
  # state, no gan-train.json.
  run -0 "${gan[@]}" -q
  [[ -f run/small/gan-run/best.safetensors && -f run/small/gan-run/resume.json ]]
  [[ ! -e run/small/gan-train.json ]]
  run -0 xr_make -n "$BATS_TEST_TMPDIR/run/small/gan/classes.txt" "${TINY[@]}" GAN_SNAP=1
  assert_output --partial "gan-train --seed 1"
  assert_output --partial "--resume $BATS_TEST_TMPDIR/run/small/gan-run"
  run -0 xr_make "$BATS_TEST_TMPDIR/run/small/gan/classes.txt" "${TINY[@]}" GAN_SNAP=1
  [[ -f run/small/gan-train.json && -f run/small/gan/classes.txt ]]
  # The run was resumed to the pipeline's length, not restarted.
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert abs(d["results"]["kimg"] - 0.008) < 1e-9, d' \
    run/small/gan-train.json
}
