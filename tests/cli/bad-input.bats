#!/usr/bin/env bats
# Issue 24's bad-input table, and the still-open rows of issue 10, as a hostile user
# types them on 12 phantoms per class cropped to 32 px. Every row asserts the exit
# code, an empty stdout, one line on stderr saying what was wrong, and that nothing
# in the working folder changed: every file's checksum before and after, so an
# input edited, an output half-written or a staging folder left behind all fail.

setup_file() {
  load common
  cd "$BATS_FILE_TMPDIR"
  xr-phantom -q -n 12 --size 64 raw >/dev/null
  xr-crop -q raw crop -s 32 >/dev/null
  gan-train -q --data crop --out gan --batch 4 --cbase 128 --cmax 16 --z-dim 32 --w-dim 32 \
    --metric-features none --threads 1 --device cpu --kimg 0.008 --tick 0.004 >/dev/null
}

setup() {
  load common
  mkdir "$BATS_TEST_TMPDIR/work"  # bats keeps its own files beside it, not in it
  cd "$BATS_TEST_TMPDIR/work"
  cp -r "$BATS_FILE_TMPDIR/crop" "$BATS_FILE_TMPDIR/raw" .
  mkdir gan && cp "$BATS_FILE_TMPDIR/gan/best.safetensors" gan/
  export HOME="$BATS_TEST_TMPDIR/home"  # feature caches and the like, outside the checked tree
  mkdir -p "$HOME"
}

# Every file and folder under the working folder (hidden ones too), with checksums.
tree_state() {
  find . -type d -print | LC_ALL=C sort
  find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
}

# refused CODE PATTERN CMD...: CMD exits CODE with stdout empty and one error line on
# stderr matching the glob PATTERN (progress lines before it are allowed), and
# leaves the working folder as it found it.
refused() {
  local code=$1 pattern=$2
  shift 2
  local before
  before=$(tree_state)
  run --separate-stderr "$@"
  [[ $status -eq $code ]] || { echo "exit $status, not $code: $stderr"; return 1; }
  [[ -z "$output" ]] || { echo "stdout not empty: $output"; return 1; }
  local errors
  errors=$(printf '%s\n' "$stderr" | grep -F ': error: ')
  [[ -n "$errors" && $(printf '%s\n' "$errors" | wc -l) -eq 1 ]] || { echo "not one error line: $stderr"; return 1; }
  [[ "$errors" == "$(printf '%s\n' "$stderr" | tail -1)" ]] || { echo "the error is not the last line: $stderr"; return 1; }
  [[ "$errors" == $pattern ]] || { echo "message '$errors' does not match '$pattern'"; return 1; }
  [[ "$(tree_state)" == "$before" ]] || { diff <(echo "$before") <(tree_state); echo "the folder changed"; return 1; }
}

@test "bad input: gan-train --gamma nan --dry-run is 64 (R1 was silently off)" {
  refused 64 "gan-train: error: --gamma: must be a finite number (got nan)*" \
    gan-train --data crop --out run --gamma nan --dry-run
}

@test "bad input: gan-train --kimg inf --dry-run is 64" {
  refused 64 "gan-train: error: --kimg: must be a finite number (got inf)*" \
    gan-train --data crop --out run --kimg inf --dry-run
}

@test "bad input: gan-train --kimg 1e300 and --ema -1 are 64 before the data is read" {
  refused 64 "gan-train: error: --kimg: must be at most 1000000 (got 1e300)*" \
    gan-train --data crop --out run --kimg 1e300 --dry-run
  refused 64 "gan-train: error: --ema: must be >= 0 (got -1)*" gan-train --data crop --out run --ema -1 --dry-run
}

@test "bad input: gan-sample --truncation nan is 64 (it wrote black images)" {
  refused 64 "gan-sample: error: --truncation: must be a finite number (got nan)*" \
    gan-sample --model gan/best.safetensors --per-class 2 --out samples --truncation nan
}

@test "bad input: gan-sample --per-class 0 is 64 'must be at least 1' (it wrote empty folders)" {
  refused 64 "gan-sample: error: --per-class: must be at least 1 (got 0)*" \
    gan-sample --model gan/best.safetensors --per-class 0 --out samples
}

@test "bad input: gan-sample --grid beside --out is 64" {
  refused 64 "gan-sample: error: --out and --grid cannot be used together*" \
    gan-sample --model gan/best.safetensors --grid grid.png --out samples
}

@test "bad input: xr-crop --min-mask-area nan is 64" {
  refused 64 "xr-crop: error: --min-mask-area: must be a finite number (got nan)*" \
    xr-crop raw out --min-mask-area nan
}

@test "bad input: inc3-train --lr nan is 64 before any training (it trained an epoch, then 70)" {
  refused 64 "inc3-train: error: --lr: must be a finite number (got nan)*" \
    inc3-train --train crop --out model --lr nan
}

@test "bad input: a class folder that classes.txt does not list is 65 naming both (it was dropped)" {
  grep -v '^Normal$' crop/classes.txt > list && mv list crop/classes.txt
  refused 65 "xr-augment: error: crop/classes.txt: does not list the class folder 'Normal'*" \
    xr-augment crop aug -n 2
}

@test "bad input: a class listed in classes.txt with no folder is 65 naming both" {
  echo "Extra" >> crop/classes.txt
  refused 65 "xr-augment: error: crop/classes.txt: *Extra*" xr-augment crop aug -n 2
}

@test "bad input: xr-split -n 12 on classes of 12 is 65 (val and test were empty)" {
  refused 65 "xr-split: error: crop: class 'COVID': val would hold no images (12 in all, 12 in train)*--allow-empty" \
    xr-split crop split -n 12
}

@test "bad input: a class name with a line break or a tab is 65 (issue 10)" {
  mv crop/Normal "crop/Nor"$'\n'"mal"
  rm crop/classes.txt
  refused 65 "xr-split: error: crop/Nor mal: a class folder name cannot hold a line break*" xr-split crop split -n 4
  mv "raw/Viral Pneumonia" "raw/Viral"$'\t'"Pneumonia"
  refused 65 "xr-crop: error: raw/Viral*: a class folder name cannot hold a line break or other control character*" \
    xr-crop raw out -s 32
}

@test "bad input: an option given twice is 64 in plain words (CLI11's 'At Most 1 required')" {
  refused 64 "xr-split: error: --seed: given 2 values, takes 1 (give the option once)*" \
    xr-split crop split -n 4 --seed 1 --seed 2
}

@test "bad input: a zero count says 'must be at least 1' (not 'Value 0 not in range 0.000000 to 1797...')" {
  refused 64 "xr-augment: error: --per-class: must be at least 1 (got 0)*" xr-augment crop aug -n 0
  refused 64 "inc3-train: error: --epochs: must be at least 1 (got 0)*" inc3-train --train crop --out m --epochs 0
}

@test "bad input: gan-train names the image of the wrong size, not a good one (issue 10)" {
  make_png crop/COVID/aaa-odd.png 40 40
  refused 65 "gan-train: error: crop/COVID/aaa-odd.png: image size 40x40 differs from the 32x32 of*" \
    gan-train --data crop --out run --dry-run
}

@test "bad input: xr-crop into a file is 73 before anything is cropped (issue 10)" {
  echo "my notes" > notes.txt
  refused 73 "xr-crop: error: notes.txt: exists and is not a folder*" xr-crop raw notes.txt -s 32
}

@test "bad input: xr-crop --strict names an unreadable image once, without 'unreadable image: unreadable image'" {
  echo "not a png" > raw/COVID/images/COVID-3.png
  refused 65 "xr-crop: error: raw/COVID/images/COVID-3.png: unreadable image: not an image*--strict)" \
    xr-crop raw out -s 32 --strict
  [[ "$stderr" != *"unreadable image: unreadable image"* ]]
}

@test "bad input: cls-eval into a file is 73 before the evaluation (issue 10)" {
  mkdir model && touch model/model.safetensors
  echo "my notes" > notes.txt
  refused 73 "cls-eval: error: notes.txt: *" cls-eval --model model --test crop --out notes.txt
}

@test "bad input: fid-kid --save-features into a missing folder is 73 before any feature (issue 10)" {
  refused 73 "fid-kid: error: nowhere/f.safetensors: no such folder*" \
    fid-kid crop crop --features random --input-size 75 --save-features nowhere/f.safetensors
}

@test "bad input: fid-kid --weights with --features random is 64 (it was silently ignored)" {
  touch w.pt
  refused 64 "fid-kid: error: weights 'w.pt' given for the features 'random', which take none*" \
    fid-kid crop crop --features random --weights w.pt
}

@test "bad input: xr-split refuses a corrupt image before copying anything (issue 10)" {
  printf '\x89PNG\r\n\x1a\nnot a PNG header at all' > crop/COVID/zz-broken.png
  refused 65 "xr-split: error: crop/COVID/zz-broken.png: *" xr-split crop split -n 4
}

@test "bad input: a --subset-of row listed twice is 65 on the CSV's rows, not 74 on a temp path (issue 10)" {
  xr-split -q crop small -n 6 >/dev/null
  { cat small/split.csv; sed -n 3p small/split.csv; } > twice.csv
  refused 65 "xr-split: error: twice.csv: row * lists * again (first in row 2)*" \
    xr-split crop micro -n 3 --subset-of twice.csv
}
