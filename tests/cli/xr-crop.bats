#!/usr/bin/env bats
# xr-crop: lung box from the mask, crop, resize, 8-bit gray; manifest of every image.

setup() {
  load common
  cd "$BATS_TEST_TMPDIR"
  GOLDEN="$XR_SOURCE_DIR/tests/golden/crop"
}

# raw ROOT CLASS NAME [W H]: a gradient image with a box mask of the same size.
raw_with_mask() {
  local root=$1 cls=$2 name=$3 w=${4:-24} h=${5:-24}
  make_png "$root/$cls/images/$name" "$w" "$h" --pattern gradient
  make_png "$root/$cls/masks/$name" "$w" "$h" --pattern box
}

manifest_status() {  # manifest_status MANIFEST SOURCE -> the status column of that row
  awk -F, -v s="$2" '$3 == s { print $NF }' "$1"
}

@test "xr-crop --help shows usage and exits 0" {
  run -0 xr-crop --help
  assert_output --partial "Usage: xr-crop"
  assert_output --partial "--no-mask"
}

@test "xr-crop rejects a bad flag with 64 and empty stdout" {
  run -64 --separate-stderr xr-crop in out --no-such-flag
  assert_equal "$output" ""
}

@test "xr-crop: a missing input folder is 66, empty stdout" {
  run -66 --separate-stderr xr-crop nowhere out
  assert_equal "$output" ""
  [[ "$stderr" == *"xr-crop: error: nowhere: no such directory"* ]]
  [[ ! -e out ]]
}

@test "xr-crop: a missing exclusion list is 66" {
  raw_with_mask raw A a.png
  run -66 --separate-stderr xr-crop raw out --exclude none.txt
  assert_equal "$output" ""
  [[ "$stderr" == *"none.txt: no such file"* ]]
  [[ ! -e out ]]
}

@test "xr-crop: OUT_DIR is required without --report-only, may not hold RAW_DIR or lie in it (64)" {
  raw_with_mask raw A a.png
  run -64 --separate-stderr xr-crop raw
  assert_equal "$output" ""
  run -64 --separate-stderr xr-crop raw raw
  assert_equal "$output" ""
  run -64 --separate-stderr xr-crop raw/A/.. .
  [[ -f raw/A/images/a.png ]]
  run -64 --separate-stderr xr-crop raw raw/cropped
  [[ "$stderr" == *"OUT_DIR raw/cropped is inside the input folder raw"* ]]
  [[ ! -e raw/cropped ]]
}

@test "xr-crop golden: boxes exact, pixels within 1 grey level of an independent numpy/PIL reference" {
  run -0 --separate-stderr xr-crop "$GOLDEN/raw" out --size 32 --no-mask
  assert_output "out/manifest.csv"
  diff <(awk -F, 'NR > 1 { print $3 "," $7 "," $8 "," $9 "," $10 }' out/manifest.csv | LC_ALL=C sort) \
    <(tail -n +2 "$GOLDEN/expected/boxes.csv" | LC_ALL=C sort)
  for f in "Lung A/chest1.png" "Lung A/chest2.png" "B/whole1.png"; do
    python3 "$XR_SOURCE_DIR/tests/fixtures/compare_png.py" "out/$f" "$GOLDEN/expected/$f" --tolerance 1
  done
  [[ $(cat out/classes.txt) == $'B\nLung A' ]]
  [[ $(head -1 out/manifest.csv) == "path,class,source,mask,width,height,x0,y0,x1,y1,lung_fraction,status" ]]
}

@test "xr-crop: mask of another size is resized to the image first" {
  make_png raw/A/images/a.png 40 40 --pattern gradient
  make_png raw/A/masks/a.png 20 20 --pattern box  # lung = [5, 15) of 20 -> [10, 30) of 40
  run -0 --separate-stderr xr-crop raw out --size 8
  [[ $(sed -n 2p out/manifest.csv) == "A/a.png,A,A/images/a.png,A/masks/a.png,40,40,10,10,30,30,0.2500,ok" ]]
  file out/A/a.png | grep -q "8 x 8, 8-bit grayscale"
}

@test "xr-crop: 16-bit, palette, RGB and gray+alpha inputs give the 8-bit gray crop" {
  for mode in gray8 gray16 palette rgb rgba gray-alpha; do
    make_png "raw/A/images/$mode.png" 32 32 --mode "$mode" --pattern gradient
    make_png "raw/A/masks/$mode.png" 16 16 --mode "$mode" --pattern box
  done
  run -0 --separate-stderr xr-crop raw out --size 12
  for mode in gray16 palette rgb rgba gray-alpha; do
    cmp out/A/gray8.png "out/A/$mode.png"
  done
  [[ $(grep -c ',ok$' out/manifest.csv) -eq 6 ]]
}

@test "xr-crop: JPEG images are read (libjpeg-turbo), a truncated JPEG is skipped as bad_image" {
  local jpeg="$XR_SOURCE_DIR/tests/golden/core/jpeg"
  mkdir -p raw/A/images raw/B/images
  cp "$jpeg/gray_baseline.jpg" raw/A/images/x.jpg
  cp "$jpeg/rgb_420.jpg" raw/B/images/y.jpeg
  head -c 300 "$jpeg/gray_baseline.jpg" > raw/B/images/cut.jpg
  run -0 --separate-stderr xr-crop raw out --no-mask --size 16
  [[ "$stderr" == *"raw/B/images/cut.jpg: unreadable image: corrupt JPEG (Premature end of JPEG file)"* ]]
  [[ $(manifest_status out/manifest.csv B/images/cut.jpg) == bad_image ]]
  [[ $(ls out/A out/B | grep -c png) -eq 2 ]]
  file out/A/x.png | grep -q "16 x 16, 8-bit grayscale"
}

@test "xr-crop: corrupt and truncated PNGs are skipped with a warning and recorded, or fail with --strict" {
  raw_with_mask raw A good.png
  raw_with_mask raw A trunc.png
  make_png raw/A/images/trunc.png 24 24 --pattern gradient --truncate 60
  raw_with_mask raw A junk.png
  printf '\x89PNG\r\n\x1a\nthis is not a png' > raw/A/images/junk.png
  raw_with_mask raw A badmask.png
  make_png raw/A/masks/badmask.png 24 24 --pattern box --truncate 40
  run -0 --separate-stderr xr-crop raw out
  assert_output "out/manifest.csv"
  [[ "$stderr" == *"raw/A/images/trunc.png: unreadable image: corrupt PNG"*"; skipped"* ]]
  [[ "$stderr" == *"raw/A/images/junk.png: unreadable image: corrupt PNG"* ]]
  [[ "$stderr" == *"raw/A/masks/badmask.png: unreadable mask: corrupt PNG"* ]]
  [[ $(manifest_status out/manifest.csv A/images/trunc.png) == bad_image ]]
  [[ $(manifest_status out/manifest.csv A/images/junk.png) == bad_image ]]
  [[ $(manifest_status out/manifest.csv A/images/badmask.png) == bad_mask ]]
  [[ $(manifest_status out/manifest.csv A/images/good.png) == ok ]]
  [[ $(ls out/A) == "good.png" ]]

  run -65 --separate-stderr xr-crop raw strict --strict
  assert_equal "$output" ""
  [[ "$stderr" == *"xr-crop: error: raw/A/masks/badmask.png: unreadable mask: corrupt PNG"*"(--strict)"* ]]
  [[ ! -e strict ]]
}

@test "xr-crop: empty mask and mask of another aspect ratio are skipped, never cropped silently" {
  make_png raw/A/images/good.png 24 24 --pattern gradient
  make_png raw/A/masks/good.png 24 24 --value 255  # all lung
  make_png raw/A/images/empty.png 24 24 --pattern gradient
  make_png raw/A/masks/empty.png 24 24 --value 0
  make_png raw/A/images/small.png 40 40 --pattern gradient
  make_png raw/A/masks/small.png 8 8 --pattern box  # lung 25% of the image, below 30%
  make_png raw/A/images/wide.png 24 24 --pattern gradient
  make_png raw/A/masks/wide.png 32 24 --pattern box
  run -0 --separate-stderr xr-crop raw out --min-mask-area 0.3
  [[ $(manifest_status out/manifest.csv A/images/empty.png) == empty_mask ]]
  [[ $(manifest_status out/manifest.csv A/images/small.png) == empty_mask ]]
  [[ $(manifest_status out/manifest.csv A/images/wide.png) == aspect_mismatch ]]
  [[ "$stderr" == *"raw/A/images/empty.png: mask is empty or nearly (lung fraction 0.0000 < --min-mask-area 0.3000); skipped"* ]]
  [[ "$stderr" == *"raw/A/images/wide.png: mask 32x24 has another aspect ratio than image 24x24"* ]]
  [[ $(ls out/A) == "good.png" ]]
  # A looser rule accepts them.
  run -0 --separate-stderr xr-crop raw out2 --min-mask-area 0.2 --aspect-tolerance 0.5
  [[ $(manifest_status out2/manifest.csv A/images/small.png) == ok ]]
  [[ $(manifest_status out2/manifest.csv A/images/wide.png) == ok ]]
  run -65 --separate-stderr xr-crop raw out3 --strict
  assert_equal "$output" ""
  [[ "$stderr" == *"raw/A/images/empty.png: mask is empty"* ]]
}

@test "xr-crop: images without a mask are skipped with a count, or used whole with --no-mask" {
  raw_with_mask raw A a.png
  make_png raw/A/images/b.png 30 20 --pattern gradient
  make_png raw/A/images/c.png 30 20 --pattern gradient
  run -0 --separate-stderr xr-crop raw out
  [[ "$stderr" == *"xr-crop: warning: 2 images without a mask skipped (A 2); --no-mask uses them whole"* ]]
  [[ $(manifest_status out/manifest.csv A/images/b.png) == no_mask ]]
  [[ ! -e out/A/b.png ]]
  run -0 --separate-stderr xr-crop raw out --no-mask
  [[ $(manifest_status out/manifest.csv A/images/b.png) == whole_image ]]
  grep -q '^A/b.png,A,A/images/b.png,,30,20,0,0,30,20,,whole_image$' out/manifest.csv
  [[ -f out/A/b.png ]]
}

@test "xr-crop: a class left with no image is 65 naming it, nothing written" {
  raw_with_mask raw A a.png
  make_png "raw/B c/images/b.png" 20 20 --pattern gradient
  run -65 --separate-stderr xr-crop raw out
  assert_equal "$output" ""
  [[ "$stderr" == *"xr-crop: error: raw/B c: class 'B c' has no image to crop (1 images, 1 without a mask: --no-mask uses them whole)"* ]]
  [[ ! -e out ]]
  # All images of a class unreadable: found after decoding, the same error.
  raw_with_mask raw2 A a.png
  raw_with_mask raw2 B b.png
  printf 'garbage' > raw2/B/images/b.png
  run -65 --separate-stderr xr-crop raw2 out
  assert_equal "$output" ""
  [[ "$stderr" == *"raw2/B: class 'B' has no usable image (1 skipped, 0 excluded)"* ]]
  [[ ! -e out ]]
  # A class folder with no image at all.
  mkdir -p raw2/C/images
  run -65 --separate-stderr xr-crop raw2 out
  [[ "$stderr" == *"class 'C' has no image to crop (0 images)"* ]]
}

@test "xr-crop: exclusion list by name or class/name, recorded in the manifest" {
  for n in 1 2 3; do raw_with_mask raw A "a$n.png"; raw_with_mask raw "B b" "b$n.png"; done
  printf '# annotated images\na1.png\r\nB b/b2.png\n\nnot-there.png\n' > exclude.txt
  run -0 --separate-stderr xr-crop raw out --exclude exclude.txt
  [[ $(manifest_status out/manifest.csv A/images/a1.png) == excluded ]]
  [[ $(manifest_status out/manifest.csv "B b/images/b2.png") == excluded ]]
  [[ $(manifest_status out/manifest.csv A/images/a2.png) == ok ]]
  [[ ! -e out/A/a1.png && ! -e "out/B b/b2.png" && -e out/A/a2.png ]]
  [[ $(ls out/A | wc -l) -eq 2 && $(ls "out/B b" | wc -l) -eq 2 ]]
  [[ "$stderr" == *"exclude.txt: 1 of 3 entries name no image (first: not-there.png)"* ]]
  [[ "$stderr" == *"2 images excluded by exclude.txt"* ]]
  # Excluding a whole class is the class-left-empty error.
  printf 'a1.png\na2.png\na3.png\n' > all-a.txt
  run -65 --separate-stderr xr-crop raw out2 --exclude all-a.txt
  [[ "$stderr" == *"class 'A' has no image to crop (3 images, 3 excluded)"* ]]
}

@test "xr-crop --report-only prints the manifest and writes nothing" {
  raw_with_mask raw A a.png
  raw_with_mask raw A b.png 30 20
  make_png raw/A/images/c.png 20 20 --pattern gradient
  mkdir work && cd work
  run -0 --separate-stderr xr-crop ../raw out --report-only
  [[ -z $(ls -A) ]]
  cd ..
  [[ "${lines[0]}" == "path,class,source,mask,width,height,x0,y0,x1,y1,lung_fraction,status" ]]
  [[ "$output" == *"A/b.png,A,A/images/b.png,A/masks/b.png,30,20,7,5,22,15,0.2500,ok"* ]]
  # The same text as the manifest of a real run, and OUT_DIR is optional.
  run -0 --separate-stderr xr-crop -n raw
  report=$output
  xr-crop -q raw real
  assert_equal "$report" "$(cat real/manifest.csv)"
}

@test "xr-crop: output independent of the thread count, a failed run keeps the old output" {
  for n in 1 2 3 4 5 6 7; do raw_with_mask raw A "a$n.png" $((20 + n)) $((20 + n)); done
  xr-crop -q raw t1 --threads 1
  xr-crop -q raw t2 --threads 2
  diff -r t1 t2
  printf 'junk' > raw/A/images/a3.png
  run -65 --separate-stderr xr-crop raw t1 --strict
  assert_equal "$output" ""
  diff -r t1 t2
}

@test "xr-crop on the real sample: masks 256x256 for 299x299 images, RGB and gray, then xr-split" {
  skip_without_real_data
  run -65 --separate-stderr xr-crop "$REAL_DATA" cropped
  [[ "$stderr" == *"class 'COVID' has no image to crop (640 images, 640 without a mask"* ]]
  run -0 --separate-stderr xr-crop "$REAL_DATA" cropped --no-mask
  assert_output "cropped/manifest.csv"
  [[ $(cat cropped/classes.txt) == $'COVID\nNormal\nViral Pneumonia' ]]
  [[ $(grep -c ',ok$' cropped/manifest.csv) -eq 640 ]]
  [[ $(grep -c ',whole_image$' cropped/manifest.csv) -eq 1280 ]]
  [[ $(ls "cropped/Viral Pneumonia" | wc -l) -eq 640 ]]
  file "cropped/COVID/COVID-1.png" | grep -q "128 x 128, 8-bit grayscale"
  # Lung boxes lie inside the 299x299 images and are not the whole image.
  awk -F, '$12 == "ok" && !($7 > 0 || $8 > 0 || $9 < 299 || $10 < 299) { bad++ } END { exit bad > 0 }' \
    cropped/manifest.csv
  awk -F, '$12 == "ok" && ($9 > 299 || $10 > 299 || $7 >= $9 || $8 >= $10) { bad++ } END { exit bad > 0 }' \
    cropped/manifest.csv
  run -0 xr-split cropped split -n 100
  [[ $(ls "split/train/Viral Pneumonia" | grep -c png) -eq 100 ]]
}

@test "xr-crop warns when classes are preprocessed differently; --ignore-masks treats all alike" {
  make_png raw/A/images/a.png 40 40 --pattern gradient
  make_png raw/A/masks/a.png 40 40 --pattern box
  make_png raw/B/images/b.png 40 40 --pattern gradient
  run -0 --separate-stderr xr-crop raw out --no-mask --size 8
  [[ "$stderr" == *"classes are preprocessed differently (lung crops in A; whole images in B)"* ]]
  run -0 --separate-stderr xr-crop raw out2 --ignore-masks --size 8
  [[ "$stderr" != *"preprocessed differently"* ]]
  [[ $(grep -c ',whole_image$' out2/manifest.csv) -eq 2 ]]
}
