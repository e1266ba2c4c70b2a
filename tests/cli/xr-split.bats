#!/usr/bin/env bats
# xr-split: train/val/test per class by seed; --subset-of keeps val/test.

setup() {
  load common
  cd "$BATS_TEST_TMPDIR"
}

@test "xr-split --help shows usage and exits 0" {
  run -0 xr-split --help
  assert_output --partial "Usage: xr-split"
}

@test "xr-split rejects a bad flag with 64 and empty stdout" {
  run -64 --separate-stderr xr-split in out --no-such-flag
  assert_equal "$output" ""
}

@test "xr-split: missing input folder is 66" {
  run -66 --separate-stderr xr-split nowhere out -n 1
  assert_equal "$output" ""
  [[ "$stderr" == *"xr-split: error: nowhere: no such directory"* ]]
}

@test "xr-split: a class with too few images is 65 naming the class and counts" {
  make_class_folder in 3 A "B c"
  run -65 --separate-stderr xr-split in out -n 4
  assert_equal "$output" ""
  [[ "$stderr" == *"class 'A' has 3 images, fewer than --train-per-class 4"* ]]
  [[ ! -e out ]]
}

@test "xr-split: never deletes its input or a folder it did not write (issue 10's cases)" {
  make_class_folder sand/in 4 A B
  echo keep > sand/notes.txt
  before=$(cd sand && find . | LC_ALL=C sort)
  run -64 --separate-stderr xr-split sand/in sand/in -n 1
  [[ "$stderr" == *"OUT_DIR sand/in is or contains the input sand/in"* ]]
  run -64 --separate-stderr xr-split sand/in sand -n 1 --force
  run -64 --separate-stderr xr-split sand/in sand/in/split -n 1
  [[ "$stderr" == *"is inside the input folder sand/in"* ]]
  assert_equal "$(cd sand && find . | LC_ALL=C sort)" "$before"
  # A folder of the user's is refused (73) before any work; --force replaces it.
  mkdir mine && echo keep > mine/notes.txt
  run -73 --separate-stderr xr-split sand/in mine -n 1
  assert_equal "$output" ""
  [[ "$stderr" == "xr-split: error: mine: holds files the xr toolkit did not write"*"(--force replaces it)" ]]
  [[ $(cat mine/notes.txt) == keep ]]
  run -0 --separate-stderr xr-split sand/in mine -n 1 --force
  [[ ! -e mine/notes.txt && -f mine/split.csv && -f mine/.xr-output ]]
  # Its own output is replaced without --force.
  run -0 --separate-stderr xr-split sand/in mine -n 2
  [[ $(ls mine/train/A | wc -l) -eq 2 ]]
}

@test "xr-split: counts per split, class names with spaces, csv sorted" {
  make_class_folder in 8 A "B c"
  run -0 --separate-stderr xr-split in out -n 3 --seed 7
  assert_output "out/split.csv"
  [[ $(ls out/train/A | grep -c png) -eq 3 ]]
  [[ $(ls "out/train/B c" | grep -c png) -eq 3 ]]
  [[ $(ls out/val/A | grep -c png) -eq 2 ]]
  [[ $(ls out/test/A | grep -c png) -eq 3 ]]
  [[ $(head -1 out/split.csv) == "path,split,class,source" ]]
  [[ $(wc -l < out/split.csv) -eq 17 ]]
  diff <(tail -n +2 out/split.csv) <(tail -n +2 out/split.csv | LC_ALL=C sort)
}

@test "xr-split: same seed same split, other seed other split" {
  make_class_folder in 10 A B
  xr-split -q in s1 -n 4 --seed 1
  xr-split -q in s2 -n 4 --seed 1
  xr-split -q in s3 -n 4 --seed 2
  cmp s1/split.csv s2/split.csv
  run -1 cmp -s s1/split.csv s3/split.csv
}

@test "xr-split --subset-of: micro train within small train, same val and test" {
  make_class_folder in 12 A B
  xr-split -q in small -n 6
  xr-split -q in micro -n 3 --subset-of small/split.csv --seed 9
  diff <(grep -v ',train,' small/split.csv) <(grep -v ',train,' micro/split.csv)
  [[ $(grep -c ',train,' micro/split.csv) -eq 6 ]]
  while IFS=, read -r path split cls source; do
    grep -q ",train,$cls,$source\$" small/split.csv
  done < <(grep ',train,' micro/split.csv)
}

@test "xr-split --subset-of: a row listed twice is 65 naming the CSV and both rows" {
  make_class_folder in 8 A B
  xr-split -q in small -n 4
  { cat small/split.csv; sed -n 3p small/split.csv; } > twice.csv
  run -65 --separate-stderr xr-split in micro -n 2 --subset-of twice.csv
  assert_equal "$output" ""
  [[ "$stderr" == *"xr-split: error: twice.csv: row 17 lists "*" again (first in row 2)"* ]]
  [[ ! -e micro ]]
}

@test "xr-split: a file that is not an image is 65 naming it, before anything is written" {
  make_class_folder in 6 A B
  echo "not an image" > in/B/notes.png
  run -65 --separate-stderr xr-split in out -n 2
  assert_equal "$output" ""
  [[ "$stderr" == *"xr-split: error: in/B/notes.png: "* ]]
  [[ ! -e out ]]
  [[ -z $(find . -maxdepth 1 -name '.out.tmp-*') ]]  # no staging folder left either
}

@test "xr-split: a class left with no validation or test image is 65 before anything is written (issue 24)" {
  make_class_folder in 4 A
  make_class_folder in 5 B
  run -65 --separate-stderr xr-split in fresh -n 4
  assert_equal "$output" ""
  assert_equal "$stderr" "xr-split: error: in: class 'A': val would hold no images (4 in all, 4 in train) and 2 more: lower --train-per-class, or pass --allow-empty"
  [[ ! -e fresh ]]
  [[ -z $(find . -maxdepth 1 -name '.fresh.tmp-*') ]]
}

@test "xr-split --allow-empty writes the split and warns for each empty subset" {
  make_class_folder in 4 A
  make_class_folder in 5 B
  run -0 --separate-stderr xr-split in out -n 4 --allow-empty
  [[ "$stderr" == *"class 'A': val would hold no images (4 in all, 4 in train)"* ]]
  [[ "$stderr" == *"class 'A': test would hold no images (4 in all, 4 in train)"* ]]
  [[ "$stderr" == *"class 'B': val would hold no images (5 in all, 4 in train)"* ]]
  [[ "$stderr" != *"class 'B': test would hold no images"* ]]
  [[ $(find out/test/B -name '*.png' | wc -l) -eq 1 ]]
}

@test "xr-split keeps byte-identical copies in one split unless told otherwise" {
  make_class_folder in 10 A
  for i in 0 1 2; do cp in/A/img$i.png in/A/copy$i.png; done
  run -0 --separate-stderr xr-split in out -n 4 --seed 3
  [[ "$stderr" == *"3 byte-identical copies kept"* ]]
  for i in 0 1 2; do
    [[ $(grep -c -e ",A/img$i.png\$" out/split.csv) -eq 1 ]]
    [[ $(grep ",A/img$i.png\$" out/split.csv | cut -d, -f2) == $(grep ",A/copy$i.png\$" out/split.csv | cut -d, -f2) ]]
  done
  [[ $(grep -c ',train,' out/split.csv) -eq 4 ]]
}

@test "xr-split on the real sample data" {
  skip_without_real_data
  xr-crop -q "$REAL_DATA" cropped --no-mask
  run -0 xr-split cropped split -n 100
  [[ $(ls "split/train/Viral Pneumonia" | grep -c png) -eq 100 ]]
}
