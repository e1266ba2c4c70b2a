#!/usr/bin/env bats
# gan-sample: images named by seed per class, deterministic, grid mode, bad input.

setup_file() {
  load common
  cd "$BATS_FILE_TMPDIR"
  for i in 0 1 2 3; do
    make_png "data/bright/img$i.png" 16 16 --pattern gradient
    make_png "data/dark box/img$i.png" 16 16 --pattern box
  done
  gan-train -q --data data --out run --batch 4 --cbase 128 --cmax 16 --z-dim 32 --w-dim 32 \
    --metric-features none --threads 1 --device cpu --kimg 0.008 --tick 0.004 >/dev/null
  export MODEL="$BATS_FILE_TMPDIR/run/best.safetensors"
}

setup() {
  load common
  cd "$BATS_TEST_TMPDIR"
}

@test "gan-sample --help shows usage and exits 0" {
  run -0 gan-sample --help
  assert_output --partial "Usage: gan-sample"
  assert_output --partial "--truncation"
}

@test "gan-sample rejects a bad flag with 64 and empty stdout" {
  run -64 --separate-stderr gan-sample --model m --no-such-flag
  assert_equal "$output" ""
}

@test "gan-sample: missing model is 66" {
  run -66 --separate-stderr gan-sample --model nowhere.safetensors --per-class 1 --out out
  assert_equal "$output" ""
  [[ "$stderr" == *"gan-sample: error: nowhere.safetensors"* ]]
  [[ ! -e out ]]
}

@test "gan-sample: a file that is not a GAN snapshot is 65" {
  printf 'not a safetensors file at all' > bad.safetensors
  run -65 --separate-stderr gan-sample --model bad.safetensors --per-class 1 --out out
  assert_equal "$output" ""
  [[ ! -e out ]]
  gan-train -q --data "$BATS_FILE_TMPDIR/data" --out r2 --dry-run >/dev/null
  run -65 --separate-stderr gan-sample --model "$BATS_FILE_TMPDIR/run/resume.safetensors" --per-class 1 --out out
  [[ "$stderr" == *"not a GAN snapshot"* ]]
}

@test "gan-sample: count and naming per class, 8-bit gray at the model's size" {
  run -0 --separate-stderr gan-sample --model "$MODEL" --per-class 3 --out out --seed 10 --batch 2
  [[ $(ls out/bright | tr '\n' ' ') == "seed000010.png seed000011.png seed000012.png " ]]
  [[ $(ls "out/dark box" | wc -l) -eq 3 ]]
  [[ $(cat out/classes.txt) == $'bright\ndark box' ]]
  python3 - <<'PY'
import struct
with open("out/bright/seed000011.png", "rb") as f:
    head = f.read(26)
w, h, depth, ctype = struct.unpack(">IIBB", head[16:26])
assert (w, h, depth, ctype) == (16, 16, 8, 0), (w, h, depth, ctype)
PY
}

@test "gan-sample: any image can be regenerated alone from its seed" {
  gan-sample -q --model "$MODEL" --per-class 4 --out all --seed 20 >/dev/null
  gan-sample -q --model "$MODEL" --per-class 1 --out one --seed 22 >/dev/null
  cmp all/bright/seed000022.png one/bright/seed000022.png
  cmp "all/dark box/seed000022.png" "one/dark box/seed000022.png"
  ! cmp -s all/bright/seed000020.png all/bright/seed000021.png
}

@test "gan-sample --grid writes one image, a row a class" {
  run -0 --separate-stderr gan-sample --model "$MODEL" --grid grid.png --grid-cols 5
  python3 - <<'PY'
import struct
head = open("grid.png", "rb").read(24)
assert struct.unpack(">II", head[16:24]) == (80, 32)
PY
}

@test "gan-sample: --grid beside --out or --per-class is 64, nothing written (issue 24)" {
  run -64 --separate-stderr gan-sample --model "$MODEL" --grid grid.png --out out
  assert_equal "$stderr" "gan-sample: error: --out and --grid cannot be used together (see gan-sample --help)"
  run -64 --separate-stderr gan-sample --model "$MODEL" --grid grid.png --per-class 3
  [[ "$stderr" == *"--per-class and --grid cannot be used together"* ]]
  [[ ! -e grid.png && ! -e out ]]
}

@test "gan-sample: its own earlier output is replaced whole, a folder it did not write only with --force" {
  gan-sample -q --model "$MODEL" --per-class 2 --out out >/dev/null
  mkdir out/old
  gan-sample -q --model "$MODEL" --per-class 1 --out out >/dev/null
  [[ ! -e out/old && -f out/bright/seed000000.png && ! -e out/bright/seed000001.png ]]
  mkdir -p mine/notes
  run -73 --separate-stderr gan-sample -q --model "$MODEL" --per-class 1 --out mine
  [[ "$stderr" == *"mine: holds files the xr toolkit did not write"* ]]
  [[ -d mine/notes ]]
  gan-sample -q --model "$MODEL" --per-class 1 --out mine --force >/dev/null
  [[ ! -e mine/notes && -f mine/bright/seed000000.png ]]
  # The snapshot is an input: an output folder holding it is refused.
  cp "$MODEL" here.safetensors
  run -64 --separate-stderr gan-sample -q --model here.safetensors --per-class 1 --out .
  [[ -f here.safetensors ]]
}
