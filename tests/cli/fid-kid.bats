#!/usr/bin/env bats
# fid-kid: FID/KID per class and pixel scores against the nearest real image, as JSON.
# The feature network is the seeded random-init one at 75x75 (no weights needed);
# the pixel scores are checked against hand-computed values on flat images.

setup() {
  load common
  cd "$BATS_TEST_TMPDIR"
  export XDG_CACHE_HOME="$BATS_TEST_TMPDIR/cache"
  # OpenMP's busy-waiting threads cost seconds a run on a busy shared machine.
  export OMP_WAIT_POLICY=passive
}

# flat_folder ROOT CLASS OFFSET: four flat 80x80 images of grey 10+OFFSET, 50+OFFSET, ...
flat_folder() {
  local i
  for i in 0 1 2 3; do make_png "$1/$2/img$i.png" 80 80 --value $((40 * i + 10 + $3)); done
}

# json FILE EXPR: a Python expression over the parsed JSON `d`.
json() {
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

FAST=(--features random --input-size 75 --kid-subsets 20)

@test "fid-kid --help shows usage and exits 0" {
  run -0 fid-kid --help
  assert_output --partial "Usage: fid-kid"
  assert_output --partial "--kid-subset-size"
  assert_output --partial "--floor-val"
  assert_output --partial "--no-floor"
}

@test "fid-kid rejects a bad flag with 64 and empty stdout" {
  run -64 --separate-stderr fid-kid a b --no-such-flag
  assert_equal "$output" ""
  run -64 --separate-stderr fid-kid a b --kid-subset-size 1
  assert_equal "$output" ""
}

@test "fid-kid: missing folder is 66 with empty stdout" {
  flat_folder real A 0
  run -66 --separate-stderr fid-kid real nowhere "${FAST[@]}"
  assert_equal "$output" ""
  [[ "$stderr" == *"fid-kid: error: nowhere: no such directory"* ]]
}

@test "fid-kid: inception without weights is 66 and says how to get them" {
  flat_folder real A 0
  flat_folder fake A 10
  run -66 --separate-stderr fid-kid real fake
  assert_equal "$output" ""
  [[ "$stderr" == *"needs the FID network's weights"* ]]
  [[ "$stderr" == *"convert_weights.py"* ]]
  [[ "$stderr" == *"--features random always works"* ]]
  run -66 --separate-stderr fid-kid real fake --features inception --weights missing.pt
  [[ "$stderr" == *"missing.pt: no such weights file"* ]]
  run -66 --separate-stderr fid-kid real fake --features torchvision
  [[ "$stderr" == *"torchvision needs ImageNet Inception-v3 weights"* ]]
}

@test "fid-kid: --weights with features that take none is 64, not silently ignored (issue 24)" {
  flat_folder real A 0
  flat_folder fake A 10
  touch w.pt
  run -64 --separate-stderr fid-kid real fake "${FAST[@]}" --weights w.pt
  assert_equal "$output" ""
  assert_equal "$stderr" "fid-kid: error: weights 'w.pt' given for the features 'random', which take none (weights are for inception and torchvision)"
}

@test "fid-kid: a corrupt PNG is 65 naming it, stdout empty" {
  flat_folder real A 0
  flat_folder fake A 10
  make_png fake/A/bad.png 80 80 --truncate 60
  run -65 --separate-stderr fid-kid real fake "${FAST[@]}" --no-cache
  assert_equal "$output" ""
  [[ "$stderr" == *"fake/A/bad.png"* ]]
}

@test "fid-kid: empty folders and one-image classes are 65 with the reason" {
  mkdir -p empty/A
  flat_folder real A 0
  run -65 --separate-stderr fid-kid real empty "${FAST[@]}"
  assert_equal "$output" ""
  [[ "$stderr" == *"empty: no images in any class folder"* ]]
  make_png one/A/x.png 80 80 --value 3
  run -65 --separate-stderr fid-kid real one "${FAST[@]}"
  assert_equal "$output" ""
  [[ "$stderr" == *"class 'A' has 1 image: FID and KID are undefined"* ]]
  flat_folder other B 0
  run -65 --separate-stderr fid-kid real other "${FAST[@]}"
  [[ "$stderr" == *"no class has images in both folders"* ]]
}

@test "fid-kid: mixed image sizes are 65 unless --resize" {
  flat_folder real A 0
  flat_folder fake A 10
  make_png fake/A/big.png 96 96 --value 70
  run -65 --separate-stderr fid-kid real fake "${FAST[@]}" --no-cache
  assert_equal "$output" ""
  [[ "$stderr" == *"fake/A/big.png: image size 96x96 differs from 80x80"*"--resize"* ]]
  run -0 --separate-stderr fid-kid real fake "${FAST[@]}" --no-cache --resize 80
  echo "$output" > out.json
  [[ $(json out.json 'd["results"]["classes"]["A"]["n_fake"]') == 5 ]]
}

@test "fid-kid: JSON fields, pixel scores equal the hand-computed ones" {
  flat_folder real A 0
  flat_folder real "B c" 5
  flat_folder fake A 10
  flat_folder fake "B c" 15
  make_png fake/Only/x.png 80 80 --value 1
  run -0 --separate-stderr fid-kid real fake "${FAST[@]}" --seed 3
  echo "$output" > out.json
  [[ $(json out.json 'd["schema"], d["tool"]') == "('xr-fid-kid/1', 'fid-kid')" ]]
  [[ $(json out.json 'd["options"]["kid-subsets"], d["options"]["features"]') == "(20, 'random')" ]]
  [[ $(json out.json 'd["results"]["features"]["comparable_with_published"]') == False ]]
  [[ $(json out.json 'd["results"]["features"]["dim"]') == 2048 ]]
  [[ $(json out.json 'd["results"]["class_order"]') == "['A', 'B c']" ]]
  [[ $(json out.json 'd["results"]["skipped_classes"][0]["class"]') == Only ]]
  [[ "$stderr" == *"not comparable with published"* ]]
  # KID: 4 images a class, so the 1000-image subsets shrink to 4 and say so.
  [[ $(json out.json 'd["results"]["classes"]["A"]["kid_subset_size"], d["results"]["classes"]["A"]["kid_subset_shrunk"]') == "(4, True)" ]]
  [[ $(json out.json 'd["results"]["classes"]["A"]["fid_singular"]') == True ]]
  [[ $(json out.json 'd["results"]["classes"]["A"]["fid"] > 0') == True ]]
  # Every fake image is its real neighbour + 10 grey levels: RMSE 10, L2 distance
  # 10 * sqrt(80 * 80) = 800; SRE and SSIM from their formulas on flat images.
  [[ $(json out.json 'round(d["results"]["classes"]["A"]["rmse"], 9)') == 10.0 ]]
  [[ $(json out.json 'd["results"]["classes"]["A"]["nn_distance_min"], d["results"]["classes"]["A"]["nn_distance_mean"]') == "(800.0, 800.0)" ]]
  [[ $(json out.json 'd["results"]["classes"]["A"]["nn_exact_copies"]') == 0 ]]
  want_sre=$(python3 -c 'import math; print(round(sum(10 * math.log10(a * a / 100) for a in (10, 50, 90, 130)) / 4, 9))')
  [[ $(json out.json 'round(d["results"]["classes"]["A"]["sre_db"], 9)') == "$want_sre" ]]
  want_ssim=$(python3 -c 'c1 = 2.55 ** 2; print(round(sum((2 * a * (a + 10) + c1) / (a * a + (a + 10) ** 2 + c1) for a in (10, 50, 90, 130)) / 4, 9))')
  [[ $(json out.json 'round(d["results"]["classes"]["A"]["ssim"], 9)') == "$want_ssim" ]]
  [[ $(json out.json 'd["results"]["mean"]["classes"]') == 2 ]]
  [[ $(json out.json 'round(d["results"]["mean"]["fid"] - (d["results"]["classes"]["A"]["fid"] + d["results"]["classes"]["B c"]["fid"]) / 2, 9)') == 0.0 ]]
}

@test "fid-kid: a folder against itself: FID 0, exact copies found, same seed same bytes" {
  flat_folder real A 0
  make_png real/A/grad.png 80 80 --pattern gradient
  run -0 --separate-stderr fid-kid real real "${FAST[@]}" --seed 1
  echo "$output" > a.json
  [[ $(json a.json 'abs(d["results"]["classes"]["A"]["fid"]) < 1e-6') == True ]]
  [[ $(json a.json 'd["results"]["classes"]["A"]["nn_exact_copies"], d["results"]["classes"]["A"]["nn_distance_min"]') == "(5, 0.0)" ]]
  [[ $(json a.json 'd["results"]["classes"]["A"]["ssim"], d["results"]["classes"]["A"]["rmse"]') == "(1.0, 0.0)" ]]
  [[ $(json a.json 'd["results"]["classes"]["A"]["sre_db"], d["results"]["classes"]["A"]["sre_infinite"]') == "(None, 5)" ]]
  fid-kid real real "${FAST[@]}" --seed 1 > b.json 2>/dev/null
  cmp a.json b.json
  fid-kid real real "${FAST[@]}" --seed 2 --no-cache > c.json 2>/dev/null
  run ! cmp -s <(json a.json 'd["results"]["classes"]') <(json c.json 'd["results"]["classes"]')
}

@test "fid-kid: the second run reads the feature cache and gives the same numbers" {
  flat_folder real A 0
  flat_folder fake A 10
  run -0 --separate-stderr fid-kid real fake "${FAST[@]}"
  echo "$output" > first.json
  [[ "$stderr" != *"from the cache"* ]]
  [[ $(ls cache/xr-toolkit/features/*.safetensors | wc -l) -eq 2 ]]
  run -0 --separate-stderr fid-kid real fake "${FAST[@]}"
  echo "$output" > second.json
  [[ "$stderr" == *"real: features from the cache"* ]]
  [[ "$stderr" == *"fake: features from the cache"* ]]
  [[ "$stderr" != *"features 4/4"* ]]
  diff <(json first.json 'd["results"]') <(json second.json 'd["results"]')
  run -0 --separate-stderr fid-kid real fake "${FAST[@]}" --no-cache
  [[ "$stderr" != *"from the cache"* ]]
}

@test "fid-kid --save-features writes both sets with the file names" {
  flat_folder real A 0
  flat_folder fake A 10
  run -0 --separate-stderr fid-kid real fake "${FAST[@]}" --no-cache --save-features feats.safetensors
  [[ -f feats.safetensors ]]
  header=$(python3 -c 'import json, struct, sys; b = open(sys.argv[1], "rb").read(); n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8 + n]); print(h["real"]["shape"], h["fake"]["shape"], json.loads(h["__metadata__"]["real_files"])[0])' feats.safetensors)
  [[ "$header" == "[4, 2048] [4, 2048] A/img0.png" ]]
  run -73 --separate-stderr fid-kid real fake "${FAST[@]}" --save-features nodir/f.safetensors
  assert_equal "$output" ""
}

@test "fid-kid: 16-bit, palette and RGB images are read as 8-bit gray" {
  flat_folder real A 0
  make_png fake/A/g16.png 80 80 --mode gray16 --value 20
  make_png fake/A/pal.png 80 80 --mode palette --value 60
  make_png fake/A/rgb.png 80 80 --mode rgb --value 100
  run -0 --separate-stderr fid-kid real fake "${FAST[@]}" --no-cache
  echo "$output" > out.json
  # Each is 10 grey levels from a real image, so every RMSE is 10.
  [[ $(json out.json 'round(d["results"]["classes"]["A"]["rmse"], 9)') == 10.0 ]]
}

@test "fid-kid --device cuda without a GPU is 69" {
  if command -v nvidia-smi >/dev/null && nvidia-smi >/dev/null 2>&1; then skip "a GPU is present"; fi
  flat_folder real A 0
  flat_folder fake A 10
  run -69 --separate-stderr fid-kid real fake "${FAST[@]}" --device cuda
  assert_equal "$output" ""
}

# patterned_folder ROOT CLASS N OFFSET: N flat 80x80 images img0..img(N-1) whose grey
# rises with the number (20 i + 15 + OFFSET): a trend along the file order, so that
# alternate halves and first/second halves give different floors.
patterned_folder() {
  local i
  for ((i = 0; i < $3; i++)); do make_png "$1/$2/img$i.png" 80 80 --value $((20 * i + 15 + $4)); done
}

@test "fid-kid: the halves floor sits beside every FID/KID, on exactly the alternate files" {
  patterned_folder real A 6 0
  patterned_folder real B 6 7
  patterned_folder fake A 4 3
  patterned_folder fake B 4 9
  run -0 --separate-stderr fid-kid real fake "${FAST[@]}" --no-cache --seed 4 --save-features feats.safetensors
  echo "$output" > out.json
  [[ $(json out.json 'd["schema"]') == "xr-fid-kid/1" ]]
  [[ $(json out.json 'd["results"]["floor"]["halves_rule"].startswith("each class")') == True ]]
  [[ $(json out.json 'd["results"]["floor"]["val_dir"]') == None ]]
  [[ $(json out.json 'sorted(d["results"]["classes"]["A"]["floor"])') == "['halves']" ]]
  [[ $(json out.json 'd["results"]["classes"]["A"]["floor"]["halves"]["n_reference"], d["results"]["classes"]["A"]["floor"]["halves"]["n_other"]') == "(3, 3)" ]]
  # An independent reference (plain Python) on the saved features: every KID subset
  # is a whole half of 3, so KID is the halves' unbiased MMD^2 whatever the seed.
  python3 "$XR_SOURCE_DIR/tests/fixtures/real_floor.py" feats.safetensors > ref.json
  python3 "$XR_SOURCE_DIR/tests/fixtures/real_floor.py" feats.safetensors --split contiguous > other.json
  python3 - <<'PY'
import json
d = json.load(open("out.json"))["results"]
ref, other = json.load(open("ref.json")), json.load(open("other.json"))
close = lambda a, b, tol: abs(a - b) <= tol * max(1.0, abs(b))
for c in ("A", "B"):
    h = d["classes"][c]["floor"]["halves"]
    assert close(h["kid_mean"], ref[c]["kid"], 1e-6), (c, h, ref[c])
    assert close(h["fid"], ref[c]["fid"], 1e-5), (c, h, ref[c])
    assert h["kid_std"] == 0 and h["kid_subset_size"] == 3, h
    # The rule matters: first and second half give other numbers.
    assert not close(h["kid_mean"], other[c]["kid"], 1e-3), (c, h, other[c])
m = d["mean"]["floor"]["halves"]
for k in ("fid", "kid_mean"):
    assert close(m[k], (d["classes"]["A"]["floor"]["halves"][k] + d["classes"]["B"]["floor"]["halves"][k]) / 2, 1e-12), m
PY
}

@test "fid-kid --floor-val: the real folder against the validation folder; --no-floor; too few images" {
  patterned_folder real A 5 0
  patterned_folder real B 3 7
  patterned_folder fake A 4 3
  patterned_folder fake B 4 9
  patterned_folder val A 4 2
  patterned_folder val B 4 5
  run -0 --separate-stderr fid-kid real fake "${FAST[@]}" --seed 2 --floor-val val
  echo "$output" > out.json
  [[ $(json out.json 'd["results"]["floor"]["val_dir"], d["results"]["floor"]["n_val"]') == "('val', 8)" ]]
  [[ $(json out.json 'd["results"]["classes"]["A"]["floor"]["halves"]["n_reference"], d["results"]["classes"]["A"]["floor"]["halves"]["n_other"]') == "(3, 2)" ]]
  # Class B has 3 real images: no halves floor, so no mean halves floor, and a warning.
  [[ $(json out.json 'd["results"]["classes"]["B"]["floor"]["halves"], d["results"]["mean"]["floor"]["halves"]') == "(None, None)" ]]
  [[ "$stderr" == *"class 'B': 3 real images, no halves floor (it needs 4, 2 a half)"* ]]
  [[ $(json out.json 'any("no halves floor" in w for w in d["results"]["warnings"])') == True ]]
  # The validation floor is what fid-kid gives for the validation folder as FAKE_DIR.
  fid-kid real val "${FAST[@]}" --seed 2 --no-floor > direct.json 2>/dev/null
  python3 - <<'PY'
import json
d = json.load(open("out.json"))["results"]
v = json.load(open("direct.json"))["results"]
assert "floor" not in v and "floor" not in v["classes"]["A"], v.keys()
for c in ("A", "B"):
    f = d["classes"][c]["floor"]["val"]
    assert f["kid_mean"] == v["classes"][c]["kid_mean"] and f["fid"] == v["classes"][c]["fid"], (f, v["classes"][c])
    assert (f["n_reference"], f["n_other"]) == (v["classes"][c]["n_real"], v["classes"][c]["n_fake"]), f
assert abs(d["mean"]["floor"]["val"]["kid_mean"] - v["mean"]["kid_mean"]) < 1e-12
PY
  run -0 --separate-stderr fid-kid real fake "${FAST[@]}" --seed 2 --floor-val val --no-floor
  echo "$output" > nohalves.json
  [[ $(json nohalves.json 'sorted(d["results"]["classes"]["A"]["floor"]), d["results"]["floor"]["halves_rule"]') == "(['val'], None)" ]]
}

@test "fid-kid --floor-val: a missing folder is 66, an empty one or another image size 65, stdout empty" {
  flat_folder real A 0
  flat_folder fake A 10
  run -66 --separate-stderr fid-kid real fake "${FAST[@]}" --floor-val nowhere
  assert_equal "$output" ""
  [[ "$stderr" == *"fid-kid: error: nowhere: no such directory"* ]]
  mkdir -p empty/A
  run -65 --separate-stderr fid-kid real fake "${FAST[@]}" --floor-val empty
  assert_equal "$output" ""
  [[ "$stderr" == *"empty: no images in any class folder"* ]]
  make_png big/A/x.png 96 96 --value 5
  make_png big/A/y.png 96 96 --value 50
  run -65 --separate-stderr fid-kid real fake "${FAST[@]}" --floor-val big --no-cache
  assert_equal "$output" ""
  [[ "$stderr" == *"big/A/x.png: image size 96x96 differs from 80x80"* ]]
  run -0 --separate-stderr fid-kid real fake "${FAST[@]}" --floor-val big --no-cache --resize 80
}
