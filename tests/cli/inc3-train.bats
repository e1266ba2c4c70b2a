#!/usr/bin/env bats
# inc3-train: the paper's classifier, whole network from random init or a frozen
# base with the head trained on cached features; runs, resume, bad input.

setup_file() {
  load common
  load classify_common
  cd "$BATS_FILE_TMPDIR"
  make_split data 4
  # One random-init model (whole network trained), shared by the tests below.
  inc3-train -q --train data/train --val data/val --out base --runs 1 --epochs 1 --image-size 75 \
    --seed 3 > base.json 2> base.err
}

setup() {
  load common
  load classify_common
  cd "$BATS_TEST_TMPDIR"
  D=$BATS_FILE_TMPDIR/data
  BASE=$BATS_FILE_TMPDIR/base
}

@test "inc3-train --help shows usage and exits 0" {
  run -0 inc3-train --help
  assert_output --partial "Usage: inc3-train"
  assert_output --partial "--fine-tune"
}

@test "inc3-train rejects a bad flag and a bad value with 64 and empty stdout" {
  run -64 --separate-stderr inc3-train --train "$D/train" --val "$D/val" --out m --no-such-flag
  assert_equal "$output" ""
  run -64 --separate-stderr inc3-train --train "$D/train" --val "$D/val" --out m --image-size 50
  assert_equal "$output" ""
  run -64 --separate-stderr inc3-train --train "$D/train" --val "$D/val" --out m --class-weights odd
  assert_equal "$output" ""
  run -64 --separate-stderr inc3-train --train "$D/train" --val "$D/val" --out m --arch tensorflow
  assert_equal "$output" ""
  run -64 --separate-stderr inc3-train --train "$D/train" --val "$D/val" --out m --bn-momentum 1
  assert_equal "$output" ""
  [[ "$stderr" == *"--bn-momentum: 'auto' or a number in [0, 1) (1)"* ]]
  [[ ! -e m ]]
}

@test "inc3-train --arch torchvision: its init recorded, evaluated by cls-eval as that network" {
  run -0 --separate-stderr inc3-train --train "$D/train" --val "$D/val" --out tv --arch torchvision --runs 1 \
    --epochs 1 --image-size 75 --seed 3 --bn-momentum 0
  [[ "$stderr" != *"BatchNorm keeps"* ]]  # momentum 0: the last batch's statistics
  [[ $(safetensors_meta tv/model.safetensors arch) == torchvision ]]
  [[ $(safetensors_meta tv/model.safetensors init) == "base: torchvision: trunc_normal"* ]]
  run -0 --separate-stderr cls-eval --model tv --test "$D/test" --bootstrap 0
  [[ $(json_get 'j["results"]["n"]') == 12 ]]
  # A model of one architecture is not the base weights of the other.
  run -64 --separate-stderr inc3-train --train "$D/train" --val "$D/val" --out m --image-size 75 \
    --weights tv/model.safetensors --runs 1 --epochs 1
  assert_equal "$output" ""
  [[ "$stderr" == *"tv/model.safetensors: weights of the torchvision Inception-v3, not the keras one (--arch torchvision)"* ]]
  [[ ! -e m ]]
}

@test "inc3-train --arch keras: Keras .h5 weights converted, a frozen base, evaluated by cls-eval" {
  /usr/bin/python3 -c 'import h5py' 2>/dev/null || skip "Debian python3 with h5py absent"
  /usr/bin/python3 "$XR_SOURCE_DIR/tests/golden/nn/make_fake_keras_h5.py" notop.h5
  run -0 /usr/bin/python3 "$XR_SOURCE_DIR/scripts/convert_weights.py" notop.h5 keras.safetensors
  run -0 --separate-stderr inc3-train --train "$D/train" --val "$D/val" --out k --weights keras.safetensors \
    --runs 2 --epochs 1 --image-size 75 --seed 2
  [[ "$stderr" == *"frozen base from keras.safetensors"* ]]
  [[ $(safetensors_meta k/model.safetensors arch) == keras ]]
  [[ $(safetensors_meta k/model.safetensors init) == "base: weights from keras.safetensors; head: glorot_uniform"* ]]
  run -0 --separate-stderr cls-eval --model k --test "$D/test" --all-runs --bootstrap 0
  [[ $(json_get 'j["results"]["runs"]["count"]') == 2 ]]
  run -64 --separate-stderr inc3-train --train "$D/train" --val "$D/val" --out m --weights keras.safetensors \
    --arch torchvision --image-size 75
  assert_equal "$output" ""
  [[ "$stderr" == *"keras.safetensors: weights of the keras Inception-v3, not the torchvision one (--arch keras)"* ]]
}

@test "inc3-train: missing folders and weights are 66" {
  run -66 --separate-stderr inc3-train --train nowhere --val "$D/val" --out m
  assert_equal "$output" ""
  [[ "$stderr" == *"inc3-train: error: nowhere: no such directory"* ]]
  run -66 --separate-stderr inc3-train --train "$D/train" --val "$D/val" --out m --weights none.st
  [[ "$stderr" == *"none.st: no such weights file"* ]]
  [[ ! -e m ]]
}

@test "inc3-train: random init trains the whole network, says so, writes the model folder" {
  grep -q "RANDOM INITIALISATION" "$BATS_FILE_TMPDIR/base.err"
  # One training step from random init: --bn-momentum auto lowers Keras' 0.99 to its floor
  # 0.9 and records it, and the statistics are still mostly the initial ones.
  grep -qF "BatchNorm keeps 0.900 of its moving statistics a step: after this run's 1 steps 90% of them are still their initial values, so validation and test (inference mode) see another network than the one trained; use more epochs" \
    "$BATS_FILE_TMPDIR/base.err"
  [[ $(safetensors_meta "$BASE/run1.safetensors" bn_keep) == 0.9 ]]
  for f in model.safetensors run1.safetensors runs.csv history.csv options.json; do [[ -s "$BASE/$f" ]]; done
  [[ $(head -1 "$BASE/runs.csv") == "run,seed,best_epoch,kept_epoch,val_accuracy,val_loss,selected" ]]
  [[ $(head -1 "$BASE/history.csv") == "run,epoch,train_loss,train_accuracy,val_loss,val_accuracy" ]]
  [[ $(wc -l < "$BASE/history.csv") -eq 2 ]]
  output=$(cat "$BATS_FILE_TMPDIR/base.json")
  [[ $(json_get 'j["tool"], j["results"]["fine_tuned"], j["results"]["kept_run"]') == "inc3-train True 1" ]]
  [[ $(json_get 'j["results"]["counts"]["C c"]["val"]') == 4 ]]
  # The model file contract that cls-eval and fid-kid read.
  [[ $(safetensors_meta "$BASE/model.safetensors" format) == "xr-inc3-classifier" ]]
  [[ $(safetensors_meta "$BASE/model.safetensors" classes) == '["A","B","C c"]' ]]
  [[ $(safetensors_meta "$BASE/model.safetensors" input_size) == 75 ]]
  [[ $(safetensors_meta "$BASE/model.safetensors" input_style) == keras ]]
  [[ $(safetensors_meta "$BASE/model.safetensors" arch) == keras ]]  # the paper's network by default
  [[ $(safetensors_meta "$BASE/model.safetensors" init) == "base: keras: glorot_uniform"* ]]
  [[ $(json_get 'j["results"]["arch"]') == keras ]]
  [[ $(safetensors_meta "$BASE/model.safetensors" fine_tuned) == true ]]
  [[ $(safetensors_meta "$BASE/model.safetensors" head) == "Flatten(2048) -> Dense 10 ELU -> Dense 20 ELU -> Dense 3 softmax" ]]
  safetensors_names "$BASE/model.safetensors" > names
  grep -qx "base.Conv2d_1a_3x3.conv.weight" names
  grep -qx "base.Mixed_7c.branch_pool.bn.running_var" names
  grep -qx "head.logits.weight" names
  run ! grep -qv -e '^base\.' -e '^head\.' names
}

@test "inc3-train --bn-momentum auto says what it chose from random init; a given value is used as given (issue 23)" {
  run -0 --separate-stderr inc3-train --train "$D/train" --val "$D/val" --out m --runs 1 --epochs 1 --image-size 75
  [[ "$stderr" == *"BatchNorm keeps 0.900 of its moving statistics a step (--bn-momentum auto: from random initialisation, 90% of the initial ones are left after this run's 1 steps; the architecture's 0.99 would leave 99%)"* ]]
  run -0 --separate-stderr inc3-train --train "$D/train" --val "$D/val" --out m2 --runs 1 --epochs 1 --image-size 75 \
    --bn-momentum 0.99
  [[ "$stderr" != *"--bn-momentum auto"* ]]
  [[ "$stderr" == *"BatchNorm keeps 0.990 of its moving statistics a step: after this run's 1 steps 99% of them"*"use --bn-momentum 0.9 or more epochs"* ]]
  [[ $(safetensors_meta m2/run1.safetensors bn_keep) == 0.99 ]]
}

@test "inc3-train: frozen base, several runs, cached features, the best run kept" {
  run -0 --separate-stderr inc3-train --train "$D/train" --train "$D/test" --val "$D/val" --out m \
    --weights "$BASE/model.safetensors" --runs 3 --epochs 2 --image-size 75 --seed 5
  [[ "$stderr" == *"frozen base from"* ]]
  [[ "$stderr" == *"A: train 8 (4 + 4), val 4"* ]]
  [[ "$stderr" == *"run 3/3 epoch 2/2: loss"* ]]
  [[ $(ls m/cache/features-*.safetensors | wc -l) -eq 3 ]]
  [[ $(json_get 'j["results"]["fine_tuned"], len(j["results"]["runs"])') == "False 3" ]]
  [[ $(safetensors_meta m/model.safetensors fine_tuned) == false ]]
  # Run files of the frozen path hold only the head.
  [[ $(safetensors_names m/run2.safetensors | grep -vc '^head\.') -eq 0 ]]
  [[ $(safetensors_meta m/run2.safetensors contents) == head ]]
  [[ $(wc -l < m/runs.csv) -eq 4 && $(wc -l < m/history.csv) -eq 7 ]]
  # The selected run has the highest validation accuracy (ties: the first).
  best=$(tail -n +2 m/runs.csv | sort -t, -k5,5gr -k1,1n | head -1 | cut -d, -f1)
  [[ $(awk -F, '$7 == 1 {print $1}' m/runs.csv) == "$best" ]]
  [[ $(safetensors_meta m/model.safetensors run) == "$best" ]]
}

@test "inc3-train: same seed same history; a re-run reuses finished runs" {
  inc3-train -q --train "$D/train" --val "$D/val" --out m1 --weights "$BASE/model.safetensors" --runs 2 \
    --epochs 2 --image-size 75 --seed 8 > /dev/null
  run -0 --separate-stderr inc3-train --train "$D/train" --val "$D/val" --out m1 \
    --weights "$BASE/model.safetensors" --runs 2 --epochs 2 --image-size 75 --seed 8
  [[ "$stderr" == *"run 1/2: finished earlier with the same options, reused"* ]]
  [[ $(json_get '[r["reused"] for r in j["results"]["runs"]]') == "[True, True]" ]]
  inc3-train -q --train "$D/train" --val "$D/val" --out m2 --weights "$BASE/model.safetensors" --runs 2 \
    --epochs 2 --image-size 75 --seed 8 --cache-dir none > /dev/null
  cmp m1/history.csv m2/history.csv
  cmp m1/runs.csv m2/runs.csv
  [[ ! -e m2/cache ]]
}

@test "inc3-train: a second writer of one model folder is 73 at once, naming the first's pid; a dead one's lock never blocks (issue 25)" {
  opts=(--train "$D/train" --val "$D/val" --runs 1 --image-size 75)
  inc3-train -q "${opts[@]}" --epochs 200 --out m >/dev/null 2>&1 3>&- &
  first=$!
  for _ in $(seq 200); do [[ -s m/.xr-lock ]] && break; sleep 0.1; done
  run -73 --separate-stderr inc3-train "${opts[@]}" --epochs 1 --out m
  kill -9 "$first"
  wait "$first" || true
  assert_equal "$output" ""
  assert_equal "$stderr" "inc3-train: error: m: another inc3-train (pid $first) is writing to this folder; wait for it to end, or stop it"
  run -0 --separate-stderr inc3-train "${opts[@]}" --epochs 1 --out m
  [[ -f m/model.safetensors ]]
}

@test "inc3-train: the thread count is part of a run: recorded in it, and another --threads retrains (issue 25)" {
  opts=(--train "$D/train" --val "$D/val" --weights "$BASE/model.safetensors" --runs 1 --epochs 1 --image-size 75)
  inc3-train -q "${opts[@]}" --out m --threads 1 >/dev/null
  [[ $(safetensors_meta m/run1.safetensors threads) == 1 ]]
  run -0 --separate-stderr inc3-train "${opts[@]}" --out m --threads 1
  [[ "$stderr" == *"reused"* ]]
  run -0 --separate-stderr inc3-train "${opts[@]}" --out m --threads 2
  [[ "$stderr" != *"reused"* ]]
  [[ $(safetensors_meta m/run1.safetensors threads) == 2 ]]
}

@test "inc3-train --class-weights balanced reports the weights" {
  mkdir -p tr && cp -r "$D/train/." tr/
  for i in 0 1 2 3; do cp "$D/test/A/a$i.png" "tr/A/x$i.png"; done
  run -0 --separate-stderr inc3-train --train tr --val "$D/val" --out m --weights "$BASE/model.safetensors" \
    --runs 1 --epochs 1 --image-size 75 --class-weights balanced
  [[ "$stderr" == *"training classes are imbalanced"* ]]
  # sklearn's balanced weights n / (k * count): 16 / (3 * 8), 16 / (3 * 4), 16 / (3 * 4)
  [[ "$stderr" == *"balanced class weights: A 0.667, B 1.333, C c 1.333"* ]]
}

@test "inc3-train: class lists that differ are 65 naming both" {
  mkdir -p other && cp -r "$D/train/A" "$D/train/B" other/ && mkdir other/D && cp "$D/train/B/b0.png" other/D/
  run -65 --separate-stderr inc3-train --train "$D/train" --train other --val "$D/val" --out m --image-size 75
  assert_equal "$output" ""
  [[ "$stderr" == *"other: class list differs from"* ]]
  run -65 --separate-stderr inc3-train --train "$D/train" --val other --out m --image-size 75
  [[ ! -e m/model.safetensors ]]
}

@test "inc3-train: an empty class and an unreadable image are 65" {
  mkdir -p e && cp -r "$D/train/." e/ && rm e/B/*.png
  run -65 --separate-stderr inc3-train --train e --val "$D/val" --out m --image-size 75
  [[ "$stderr" == *"e/B: class has no images"* ]]
  mkdir -p c && cp -r "$D/train/." c/ && make_png c/A/bad.png 75 75 --truncate 60
  run -65 --separate-stderr inc3-train --train c --val "$D/val" --out m --image-size 75
  assert_equal "$output" ""
  [[ "$stderr" == *"c/A/bad.png"* ]]
}

@test "inc3-train: a weights file that is not Inception-v3 is 65" {
  # A valid safetensors file holding one unrelated tensor.
  python3 -c '
import json, struct
h = json.dumps({"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}).encode()
open("w.safetensors", "wb").write(struct.pack("<Q", len(h)) + h + bytes(4))'
  run -65 --separate-stderr inc3-train --train "$D/train" --val "$D/val" --out m --image-size 75 \
    --weights w.safetensors --runs 1 --epochs 1
  assert_equal "$output" ""
  [[ "$stderr" == *"w.safetensors: not Inception-v3 weights in torchvision names (no tensor "* ]]
}
