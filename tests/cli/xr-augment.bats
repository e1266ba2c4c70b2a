#!/usr/bin/env bats
# xr-augment: N Keras-style augmented images per class, seeded, with augment.csv.

setup() {
  load common
  cd "$BATS_TEST_TMPDIR"
}

GOLDEN="$XR_SOURCE_DIR/tests/golden/augment"
# Every random range pinned: a zoom of 1.25 on both axes and brightness 1.2, the
# transform of tests/golden/augment/cli_expected (made by make_golden.py with scipy).
PINNED=(--rotation 0 --width-shift 0 --height-shift 0 --shear 0 --zoom-range 1.25 1.25
        --brightness-range 1.2 1.2)

@test "xr-augment --help shows usage and the paper's defaults" {
  run -0 xr-augment --help
  assert_output --partial "Usage: xr-augment"
  assert_output --partial "--per-class"
  assert_output --partial "--zoom-range"
  assert_output --partial "[0.85,1.15]"
}

@test "xr-augment rejects a bad flag with 64 and empty stdout" {
  run -64 --separate-stderr xr-augment in out --no-such-flag
  assert_equal "$output" ""
}

@test "xr-augment: bad option values are 64" {
  make_class_folder in 2 A
  run -64 --separate-stderr xr-augment in out -n 0
  assert_equal "$output" ""
  run -64 --separate-stderr xr-augment in out --zoom-range 1.2 1.1
  assert_equal "$output" ""
  [[ "$stderr" == *"--zoom-range must be"* ]]
  run -64 --separate-stderr xr-augment in out --brightness-range 0.5
  run -64 --separate-stderr xr-augment in out --pick shuffle
  run -64 --separate-stderr xr-augment in out --shear 1.5
  [[ ! -e out ]]
}

@test "xr-augment: missing input folder is 66 with empty stdout" {
  run -66 --separate-stderr xr-augment nowhere out -n 2
  assert_equal "$output" ""
  [[ "$stderr" == *"xr-augment: error: nowhere: no such directory"* ]]
  [[ ! -e out ]]
}

@test "xr-augment: an empty class folder is 65 naming it" {
  make_class_folder in 2 A
  mkdir "in/B c"
  run -65 --separate-stderr xr-augment in out -n 2
  assert_equal "$output" ""
  [[ "$stderr" == *"in/B c: class has no images"* ]]
  [[ ! -e out ]]
}

@test "xr-augment: a class folder classes.txt leaves out is 65 naming both" {
  make_class_folder in 2 A B
  echo A > in/classes.txt
  run -65 --separate-stderr xr-augment in out -n 2
  assert_equal "$output" ""
  [[ "$stderr" == *"in/classes.txt: does not list the class folder 'B'"* ]]
  [[ ! -e out ]]
}

@test "xr-augment: a corrupt PNG is 65 naming it, and no output is left" {
  make_class_folder in 3 A
  make_png in/A/bad.png 16 16 --truncate 60
  run -65 --separate-stderr xr-augment in out -n 4
  assert_equal "$output" ""
  [[ "$stderr" == *"xr-augment: error: in/A/bad.png"* ]]
  [[ ! -e out ]]
  [[ -z "$(ls -A | grep -e '^[.]' -e '^out')" ]]  # no staged temporary either
}

@test "xr-augment: OUT_DIR inside or equal to IN_DIR is 64" {
  make_class_folder in 2 A
  run -64 --separate-stderr xr-augment in in/aug -n 1
  assert_equal "$output" ""
  run -64 --separate-stderr xr-augment in ./in/ -n 1
  [[ -f in/A/img0.png && ! -e in/aug ]]
}

@test "xr-augment golden: pinned zoom and brightness equal scipy within one grey level" {
  run -0 --separate-stderr xr-augment "$GOLDEN/cli_input" out -n 1 --seed 5 "${PINNED[@]}"
  assert_output "out"
  [[ -f out/A/img_aug0_s5.png ]]
  python3 "$XR_SOURCE_DIR/tests/fixtures/compare_png.py" out/A/img_aug0_s5.png "$GOLDEN/cli_expected/A/img.png" --tolerance 1
  # The comparison can fail: the unaugmented input is far from the expected output.
  run -1 python3 "$XR_SOURCE_DIR/tests/fixtures/compare_png.py" "$GOLDEN/cli_input/A/img.png" "$GOLDEN/cli_expected/A/img.png" --tolerance 1
  assert_output --partial "max difference"
  grep -qx 'A/img_aug0_s5.png,A/img.png,0,0,0,0,1.25,1.25,1.2,1.25,0,0,1.25,-3.875,-3.875' out/augment.csv
}

@test "xr-augment: N per class, names by source and seed, class order and csv" {
  make_class_folder in 3 Zeta "B c"
  printf 'Zeta\nB c\n' > in/classes.txt
  run -0 --separate-stderr xr-augment in out -n 7 --seed 42
  assert_output "out"
  [[ $(ls out/Zeta | grep -c '\.png$') -eq 7 ]]
  [[ $(ls "out/B c" | grep -c '\.png$') -eq 7 ]]
  [[ -f out/Zeta/img0_aug0_s42.png && -f out/Zeta/img1_aug4_s42.png && -f "out/B c/img2_aug5_s42.png" ]]
  assert_equal "$(cat out/classes.txt)" "$(printf 'Zeta\nB c')"
  [[ $(head -1 out/augment.csv) == path,source,rotation_deg,shift_rows,shift_cols,shear_deg,zoom_rows,zoom_cols,brightness,matrix_00,matrix_01,matrix_10,matrix_11,offset_0,offset_1 ]]
  [[ $(wc -l < out/augment.csv) -eq 15 ]]
  diff <(tail -n +2 out/augment.csv) <(tail -n +2 out/augment.csv | LC_ALL=C sort)
  grep -q '^Zeta/img1_aug4_s42.png,Zeta/img1.png,' out/augment.csv
  # Every drawn parameter within the paper's ranges (16x16 images: shifts within 0.8 px).
  tail -n +2 out/augment.csv | sed 's/^"[^"]*",/x,/' | awk -F, '
    $3 < -5 || $3 > 5 || $4 < -0.8 || $4 > 0.8 || $5 < -0.8 || $5 > 0.8 || $6 < -2.8660 || $6 > 2.8660 ||
    $7 < 0.85 || $7 > 1.15 || $8 < 0.85 || $8 > 1.15 || $9 < 0.6 || $9 > 1.4 { bad = 1; print }
    END { exit bad }'
}

@test "xr-augment: same seed same bytes whatever the thread count, other seed differs" {
  make_class_folder in 4 A B
  make_png in/A/box.png 24 20 --pattern box
  xr-augment -q in s1 -n 9 --seed 1 --threads 1
  xr-augment -q in s2 -n 9 --seed 1 --threads 2
  xr-augment -q in s3 -n 9 --seed 2 --threads 2
  xr-augment -q in s4 -n 9 --seed 1 --pick random --threads 1
  xr-augment -q in s5 -n 9 --seed 1 --pick random --threads 2
  diff -r s1 s2
  diff -r s4 s5
  run -1 cmp -s s1/A/box_aug0_s1.png s3/A/box_aug0_s2.png
  # The pick mode changes which source, never the size-free parameters of image k.
  params() {  # class:k, rotation, shear, zoom_rows, zoom_cols, brightness
    tail -n +2 "$1" | sed -E 's#^([^/]*)/[^,]*_aug([0-9]+)_s[0-9]+[.]png,[^,]*,#\1:\2,#' | cut -d, -f1,2,5-8 | sort
  }
  diff <(params s1/augment.csv) <(params s4/augment.csv)
  [[ "$(cut -d, -f2 s1/augment.csv)" != "$(cut -d, -f2 s4/augment.csv)" ]]
}

@test "xr-augment: 16-bit, palette and RGB inputs of several sizes" {
  make_png in/A/g16.png 20 12 --mode gray16 --pattern gradient
  make_png in/A/pal.png 9 9 --mode palette --pattern box
  make_png in/B/rgb.png 33 17 --mode rgb --pattern gradient
  run -0 --separate-stderr xr-augment in out -n 3
  [[ $(find out -name '*.png' | wc -l) -eq 6 ]]
}

@test "xr-augment: every random image is reproduced by scipy from augment.csv" {
  /usr/bin/python3 -c 'import scipy, PIL' 2>/dev/null || skip "Debian python3 with scipy and PIL absent"
  mkdir -p in/A in/B
  cp "$GOLDEN/cli_input/A/img.png" in/A/tex.png
  make_png in/B/box.png 40 24 --pattern box
  make_png in/B/grad.png 40 24 --pattern gradient
  xr-augment -q in out -n 6 --seed 11 --rotation 20 --shear 0.3
  run -0 /usr/bin/python3 "$GOLDEN/check_csv.py" in out
  assert_output --partial "12 images match scipy"
}

@test "xr-augment on the real sample data (RGB and gray mixed)" {
  skip_without_real_data
  mkdir in
  for c in "$REAL_DATA"/*/; do
    c=${c%/}
    ln -s "$c/images" "in/$(basename "$c")"
  done
  run -0 --separate-stderr xr-augment in out -n 5 --seed 3
  [[ $(find out -name '*.png' | wc -l) -eq $((5 * $(ls in | wc -l))) ]]
  [[ -d "out/Viral Pneumonia" ]]
}
