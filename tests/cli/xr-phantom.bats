#!/usr/bin/env bats
# xr-phantom: a synthetic dataset in the raw database layout, seeded.

setup() {
  load common
  cd "$BATS_TEST_TMPDIR"
}

# png_size FILE: "W H colortype bitdepth" from the IHDR chunk.
png_header() {
  local w h
  w=$(od -An -tu1 -j16 -N4 "$1" | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}')
  h=$(od -An -tu1 -j20 -N4 "$1" | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}')
  echo "$w $h $(od -An -tu1 -j24 -N2 "$1" | awk '{print $2, $1}')"
}

@test "xr-phantom --help shows usage and exits 0" {
  run -0 xr-phantom --help
  assert_output --partial "Usage: xr-phantom"
  assert_output --partial "--per-class"
  assert_output --partial "Viral Pneumonia"
}

@test "xr-phantom rejects a bad flag with 64 and empty stdout" {
  run -64 --separate-stderr xr-phantom out -n 1 --no-such-flag
  assert_equal "$output" ""
  [[ ! -e out ]]
}

@test "xr-phantom: --per-class is required (64)" {
  run -64 --separate-stderr xr-phantom out
  assert_equal "$output" ""
  [[ "$stderr" == *"per-class"* ]]
}

@test "xr-phantom: bad option values are 64 naming the value" {
  run -64 --separate-stderr xr-phantom out -n 1 --classes COVID,Pneumonia
  assert_equal "$output" ""
  [[ "$stderr" == *"xr-phantom: error: unknown class 'Pneumonia'"* ]]
  run -64 --separate-stderr xr-phantom out -n 1 --classes Normal --no-masks-for COVID
  [[ "$stderr" == *"--no-masks-for 'COVID'"* ]]
  run -64 --separate-stderr xr-phantom out -n 1 --difficulty 2
  assert_equal "$output" ""
  run -64 --separate-stderr xr-phantom out -n 0
  run -64 --separate-stderr xr-phantom out -n 1 --size 8
  [[ ! -e out ]]
}

@test "xr-phantom: unwritable output is 73 with empty stdout" {
  touch afile
  run -73 --separate-stderr xr-phantom afile/out -n 1
  assert_equal "$output" ""
  [[ "$stderr" == *"xr-phantom: error: afile"* ]]
  run -73 --separate-stderr xr-phantom afile -n 1
  [[ "$stderr" == *"exists and is not a folder"* ]]
}

@test "xr-phantom: will not replace a folder that is not its own output" {
  mkdir precious
  echo keep > precious/notes.txt
  run -73 --separate-stderr xr-phantom precious -n 1
  assert_equal "$output" ""
  [[ "$stderr" == *"precious: holds files the xr toolkit did not write"*"--force"* ]]
  [[ $(cat precious/notes.txt) == keep ]]
  run -0 --separate-stderr xr-phantom precious -n 1 --force
  [[ ! -e precious/notes.txt && -f precious/phantom.json ]]
  # Its own earlier output is replaced as a whole.
  xr-phantom -q out -n 2 --size 64
  run -0 --separate-stderr xr-phantom out -n 1 --size 64 --classes Normal
  [[ ! -e out/COVID ]]
  [[ $(ls out/Normal/images | wc -l) -eq 1 ]]
}

@test "xr-phantom golden: layout, counts, formats, fixed-seed checksum" {
  run -0 --separate-stderr xr-phantom out -n 3 --size 64 --seed 3
  assert_output "out"
  [[ "$stderr" == *"images 12/12"* ]]
  diff <(cd out && find . -type f | LC_ALL=C sort) - <<'LIST'
./.xr-output
./COVID/images/COVID-1.png
./COVID/images/COVID-2.png
./COVID/images/COVID-3.png
./COVID/masks/COVID-1.png
./COVID/masks/COVID-2.png
./COVID/masks/COVID-3.png
./Lung_Opacity/images/Lung_Opacity-1.png
./Lung_Opacity/images/Lung_Opacity-2.png
./Lung_Opacity/images/Lung_Opacity-3.png
./Lung_Opacity/masks/Lung_Opacity-1.png
./Lung_Opacity/masks/Lung_Opacity-2.png
./Lung_Opacity/masks/Lung_Opacity-3.png
./Normal/images/Normal-1.png
./Normal/images/Normal-2.png
./Normal/images/Normal-3.png
./Normal/masks/Normal-1.png
./Normal/masks/Normal-2.png
./Normal/masks/Normal-3.png
./Viral Pneumonia/images/Viral Pneumonia-1.png
./Viral Pneumonia/images/Viral Pneumonia-2.png
./Viral Pneumonia/images/Viral Pneumonia-3.png
./Viral Pneumonia/masks/Viral Pneumonia-1.png
./Viral Pneumonia/masks/Viral Pneumonia-2.png
./Viral Pneumonia/masks/Viral Pneumonia-3.png
./annotated.txt
./phantom.json
LIST
  # 8-bit grayscale (colour type 0) at the asked size.
  assert_equal "$(png_header out/Normal/images/Normal-1.png)" "64 64 0 8"
  assert_equal "$(png_header "out/Viral Pneumonia/masks/Viral Pneumonia-2.png")" "64 64 0 8"
  # Regression checksums (PNG bytes from this build's libpng/zlib: Paeth, Z_RLE, level 6).
  assert_equal "$(sha256sum < out/Normal/images/Normal-1.png | cut -c1-64)" \
    fc32335fae53ceada741d6d2d79feb2e394058c86d6fc5772b6480f5a8e69c8e
  assert_equal "$(sha256sum < "out/Viral Pneumonia/masks/Viral Pneumonia-2.png" | cut -c1-64)" \
    90d2b6307e7e6391442da9ee7dc5eb9f402a1edb3b44963a2463269f2745bb97
  [[ ! -s out/annotated.txt ]]
  grep -q '"schema": "xr-phantom/1"' out/phantom.json
  grep -q '"seed": 3' out/phantom.json
  grep -q '"images": 12' out/phantom.json
}

@test "xr-phantom: same seed same bytes whatever the threads; other seed differs" {
  xr-phantom -q a -n 3 --size 64 --seed 5 --threads 1 --marker-fraction 0.5
  xr-phantom -q b -n 3 --size 64 --seed 5 --threads 2 --marker-fraction 0.5
  xr-phantom -q c -n 3 --size 64 --seed 6 --marker-fraction 0.5
  diff -r a b
  run ! cmp -s a/COVID/images/COVID-1.png c/COVID/images/COVID-1.png
}

@test "xr-phantom: realism knobs - mask size, classes without masks, a class subset" {
  run -0 --separate-stderr xr-phantom out -n 2 --size 80 --mask-size 48 \
    --classes "Normal,Viral Pneumonia" --no-masks-for Normal
  [[ $(ls out) == $'Normal\nViral Pneumonia\nannotated.txt\nphantom.json' ]]
  [[ ! -e out/Normal/masks ]]
  [[ $(ls out/Normal/images | wc -l) -eq 2 ]]
  assert_equal "$(png_header "out/Viral Pneumonia/images/Viral Pneumonia-1.png")" "80 80 0 8"
  assert_equal "$(png_header "out/Viral Pneumonia/masks/Viral Pneumonia-1.png")" "48 48 0 8"
}

@test "xr-phantom: annotated.txt lists exactly the images with burnt-in text" {
  xr-phantom -q out -n 10 --size 64 --marker-fraction 0.3 --seed 2
  n=$(wc -l < out/annotated.txt)
  [[ $n -gt 0 && $n -lt 40 ]]
  while read -r name; do
    cls=${name%-*}
    [[ -f "out/$cls/images/$name" ]]
  done < out/annotated.txt
  diff out/annotated.txt <(LC_ALL=C sort out/annotated.txt)
}

@test "xr-phantom output feeds xr-crop" {
  command -v xr-crop >/dev/null || skip "xr-crop not built"
  xr-phantom -q raw -n 2 --size 96 --mask-size 64
  run -0 --separate-stderr xr-crop raw cropped
  [[ $(ls "cropped/Viral Pneumonia" | grep -c png) -eq 2 ]]
}
