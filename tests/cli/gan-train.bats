#!/usr/bin/env bats
# gan-train: options, data checks, a tiny training run, resume, dry run.

setup() {
  load common
  cd "$BATS_TEST_TMPDIR"
}

# Tiny networks so that a run takes seconds on a CPU.
TINY=(--batch 4 --cbase 128 --cmax 16 --z-dim 32 --w-dim 32 --metric-features none --threads 1 --device cpu)

# Two classes of 16x16 images: gradients and boxes.
make_gan_data() {
  local root=$1 n=${2:-4} i
  for ((i = 0; i < n; i++)); do
    make_png "$root/bright/img$i.png" 16 16 --pattern gradient
    make_png "$root/dark box/img$i.png" 16 16 --pattern box
  done
}

@test "gan-train --help shows usage and exits 0" {
  run -0 gan-train --help
  assert_output --partial "Usage: gan-train"
  assert_output --partial "--gamma"
  assert_output --partial "--resume"
}

@test "gan-train rejects a bad flag with 64 and empty stdout" {
  run -64 --separate-stderr gan-train --data d --out r --no-such-flag
  assert_equal "$output" ""
}

@test "gan-train: bad option values are 64" {
  make_gan_data data
  run -64 --separate-stderr gan-train --data data --out run --aug sometimes
  assert_equal "$output" ""
  run -64 --separate-stderr gan-train --data data --out run --batch 6 --dry-run
  assert_equal "$output" ""
  [[ "$stderr" == *"must be a multiple of --mbstd-group 4"* ]]
  [[ ! -e run/options.json ]]
}

@test "gan-train: missing data folder is 66" {
  run -66 --separate-stderr gan-train --data nowhere --out run
  assert_equal "$output" ""
  [[ "$stderr" == *"gan-train: error: nowhere"* ]]
}

@test "gan-train: one class, wrong sizes, empty folder are 65 with empty stdout" {
  make_png one/A/a.png 16 16
  run -65 --separate-stderr gan-train --data one --out run --dry-run
  assert_equal "$output" ""
  [[ "$stderr" == *"at least 2 classes"* ]]
  make_gan_data sizes
  make_png "sizes/bright/zz.png" 32 32
  run -65 --separate-stderr gan-train --data sizes --out run --dry-run
  assert_equal "$output" ""
  [[ "$stderr" == *"zz.png: image size 32x32 differs from 16x16"* ]]
  mkdir empty
  run -65 --separate-stderr gan-train --data empty --out run --dry-run
  assert_equal "$output" ""
  make_png odd/A/a.png 12 12
  make_png odd/B/a.png 12 12
  run -65 --separate-stderr gan-train --data odd --out run --dry-run
  [[ "$stderr" == *"power-of-two"* ]]
  [[ ! -e run ]]
}

@test "gan-train --dry-run writes options.json only, with the gamma used" {
  make_gan_data data
  run -0 --separate-stderr gan-train --data data --out run --dry-run --gamma 0.1024
  assert_output "run/options.json"
  [[ $(ls run) == "options.json" ]]
  python3 - <<'PY'
import json
d = json.load(open("run/options.json"))
assert d["tool"] == "gan-train" and d["schema"]
t = d["training"]
assert t["gamma"] == 0.1024, t["gamma"]
assert t["batch"] == 32 and t["glr"] == 0.0025 and t["betas"] == [0.0, 0.99]
assert t["architecture"]["resolution"] == 16 and t["architecture"]["c_dim"] == 2
assert t["architecture"]["cbase"] == 16384 and t["architecture"]["map_depth"] == 2
assert d["data"]["classes"] == ["bright", "dark box"]
assert d["data"]["images_per_class"] == [4, 4]
PY
}

@test "gan-train: precision, TF32 and the path-length mean are recorded; auto is fp32 on the CPU" {
  make_gan_data data
  run -0 --separate-stderr gan-train --data data --out run --device cpu --dry-run
  run -0 --separate-stderr gan-train --data data --out run2 --device cpu --dry-run --precision bf16 --allow-tf32 \
    --pl-detach-mean
  python3 - <<'PY'
import json
t = json.load(open("run/options.json"))["training"]
assert (t["precision"], t["tf32"], t["pl_detach_mean"]) == ("fp32", False, False), t
t = json.load(open("run2/options.json"))["training"]
assert (t["precision"], t["tf32"], t["pl_detach_mean"]) == ("bf16", True, True), t
PY
}

@test "gan-train: a precision the CPU cannot train in is 69 with the reason, before anything is written" {
  make_gan_data data
  run --separate-stderr gan-train --data data --out run --device cpu --dry-run --precision fp16
  if [[ $status -eq 0 ]]; then  # a LibTorch with float16 on the CPU
    python3 -c 'import json; assert json.load(open("run/options.json"))["training"]["precision"] == "fp16"'
  else
    assert_equal "$status" 69
    assert_equal "$output" ""
    [[ "$stderr" == *"--precision fp16 cannot train on cpu"*"use --precision fp32 or bf16"* ]]
    [[ ! -e run ]]
  fi
}

@test "gan-train --resume of a run from before pl_detach_mean keeps the mean detached, as it trained" {
  make_gan_data data
  gan-train -q --data data --out run "${TINY[@]}" --kimg 0.004 --tick 0.004 >/dev/null
  python3 - <<'PY'
import json
d = json.load(open("run/options.json"))
del d["training"]["pl_detach_mean"]
json.dump(d, open("run/options.json", "w"))
PY
  run -0 --separate-stderr gan-train --resume run --kimg 0.008 --threads 1
  python3 -c 'import json; assert json.load(open("run/options-resume.json"))["training"]["pl_detach_mean"] is True'
}

@test "gan-train: a tiny run writes stats, snapshots, grids, best and resume state" {
  make_gan_data data
  run -0 --separate-stderr gan-train --data data --out run "${TINY[@]}" --kimg 0.024 --tick 0.008 --snap 2 --seed 3
  python3 - "$output" <<'PY'
import json, sys
r = json.loads(sys.argv[1])["results"]
assert r["nimg"] == 24, r
assert r["last_snapshot"] == "network-snapshot-000000024.safetensors", r
PY
  [[ -f run/best.safetensors && -f run/resume.safetensors && -f run/reals.png ]]
  [[ -f run/network-snapshot-000000004.safetensors && -f run/fakes-000000024.png ]]
  [[ $(wc -l < run/stats.jsonl) -ge 3 ]]
  python3 - <<'PY'
import json
lines = [json.loads(l) for l in open("run/stats.jsonl")]
for key in ("kimg", "loss_g", "loss_d", "augment_p", "sign_real", "sec_per_kimg", "peak_rss_gb"):
    assert key in lines[-1], key
PY
}

@test "gan-train --resume continues to a longer --kimg; other options cannot change" {
  make_gan_data data
  gan-train -q --data data --out run "${TINY[@]}" --kimg 0.008 --tick 0.004 >/dev/null
  run -64 --separate-stderr gan-train --resume run --kimg 0.016 --batch 8
  assert_equal "$output" ""
  [[ "$stderr" == *"--batch cannot change on --resume"* ]]
  run -0 --separate-stderr gan-train --resume run --kimg 0.016 --threads 1
  python3 - "$output" <<'PY'
import json, sys
assert json.loads(sys.argv[1])["results"]["nimg"] == 16
PY
  [[ -f run/network-snapshot-000000016.safetensors ]]
  [[ -f run/options-resume.json ]]
}

@test "gan-train: an existing run folder is 73 without --resume" {
  make_gan_data data
  gan-train -q --data data --out run --dry-run >/dev/null
  run -73 --separate-stderr gan-train --data data --out run --dry-run
  assert_equal "$output" ""
  [[ "$stderr" == *"use --resume"* ]]
}

@test "gan-train: --device cuda without CUDA is 69" {
  if nvidia-smi >/dev/null 2>&1; then skip "a GPU is present"; fi
  make_gan_data data
  run -69 --separate-stderr gan-train --data data --out run --device cuda --dry-run
  assert_equal "$output" ""
}

@test "gan-train: KID/FID per snapshot through the metrics library (random features)" {
  make_gan_data data
  run -0 --separate-stderr gan-train --data data --out run --batch 4 --cbase 128 --cmax 16 --z-dim 32 --w-dim 32 \
    --threads 1 --device cpu --kimg 0.008 --tick 0.004 --metric-features random --metric-size 75 \
    --metric-samples 4 --kid-subsets 3 --cache-dir none
  [[ $(wc -l < run/metrics.jsonl) -ge 2 ]]
  python3 - <<'PY'
import json
m = [json.loads(l) for l in open("run/metrics.jsonl")]
for line in m:
    assert set(line["kid"]) == {"bright", "dark box", "mean"}, line
    assert set(line["fid"]) == {"bright", "dark box", "mean"}, line
best = min(m, key=lambda l: l["kid"]["mean"])
assert open("run/best.safetensors", "rb").read() == open("run/" + best["snapshot"], "rb").read()
PY
}

@test "gan-train: a run killed with SIGKILL resumes to the bytes of an uninterrupted run" {
  make_gan_data data
  opts=("${TINY[@]}" --kimg 0.048 --tick 0.004 --snap 1 --seed 5)
  gan-train -q --data data --out straight "${opts[@]}" >/dev/null
  gan-train -q --data data --out killed "${opts[@]}" >/dev/null &
  pid=$!
  for _ in $(seq 1 600); do
    [[ -f killed/resume.safetensors ]] && break
    sleep 0.05
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  run -0 --separate-stderr gan-train --resume killed
  cmp straight/network-snapshot-000000048.safetensors killed/network-snapshot-000000048.safetensors
  cmp straight/best.safetensors killed/best.safetensors
}
