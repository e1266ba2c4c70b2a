#!/usr/bin/env bats
# xr-report: report.md, CSVs and plots from experiment folders; the golden report of
# the hand-made fixture in tests/golden/report/ (see make_fixture.py there).

setup() {
  load common
  cd "$BATS_TEST_TMPDIR"
  FIX="$XR_SOURCE_DIR/tests/golden/report/fixture"
  cp -r "$FIX" fixture
}

# A PATH with the toolkit but without gnuplot: only links to what the tool may run.
path_without_gnuplot() {
  mkdir -p nognuplot
  echo "$BATS_TEST_TMPDIR/nognuplot"
}

@test "xr-report --help shows usage and exits 0" {
  run -0 xr-report --help
  assert_output --partial "Usage: xr-report"
}

@test "xr-report rejects a bad flag with 64 and empty stdout" {
  run -64 --separate-stderr xr-report fixture/small --out rep --no-such-flag
  assert_equal "$output" ""
}

@test "xr-report: missing experiment folder is 66 with empty stdout" {
  run -66 --separate-stderr xr-report nowhere --out rep
  assert_equal "$output" ""
  [[ "$stderr" == *"xr-report: error: nowhere: no such experiment folder"* ]]
  [[ ! -e rep ]]
}

@test "xr-report: a folder with nothing to report is 66" {
  mkdir -p empty/split
  run -66 --separate-stderr xr-report empty --out rep
  assert_equal "$output" ""
  [[ "$stderr" == *"nothing to report"* ]]
  [[ ! -e rep ]]
}

@test "xr-report: malformed metrics.json is 65 naming the file, old report kept" {
  mkdir rep && echo old > rep/report.md && touch rep/.xr-output  # an earlier report
  printf '{"results": {"accuracy": 0.5,' > fixture/micro/eval/none/metrics.json
  run -65 --separate-stderr xr-report fixture/small fixture/micro --out rep
  assert_equal "$output" ""
  [[ "$stderr" == *"xr-report: error: fixture/micro/eval/none/metrics.json: malformed JSON"* ]]
  [[ $(cat rep/report.md) == old ]]
}

@test "xr-report: metrics.json without the table's numbers is 65" {
  echo '{"results": {"accuracy": 0.5}}' > fixture/small/eval/gan/metrics.json
  run -65 --separate-stderr xr-report fixture/small --out rep
  assert_equal "$output" ""
  [[ "$stderr" == *"fixture/small/eval/gan/metrics.json: no number at /macro/precision"* ]]
}

@test "xr-report: malformed split.csv and metrics.jsonl are 65 naming the file" {
  printf 'path,split,class\n"a,train\n' > fixture/tiny/split/split.csv
  run -65 --separate-stderr xr-report fixture/tiny --out rep
  [[ "$stderr" == *"fixture/tiny/split/split.csv"* ]]
  echo '{"kimg": 1,' >> fixture/small/gan-run/metrics.jsonl
  run -65 --separate-stderr xr-report fixture/small --out rep
  assert_equal "$output" ""
  [[ "$stderr" == *"fixture/small/gan-run/metrics.jsonl:4: malformed JSON line"* ]]
}

@test "xr-report: golden report.md of the fixture (no gnuplot), CSVs and scripts" {
  run -0 --separate-stderr env PATH="$(path_without_gnuplot)" "$(command -v xr-report)" \
    fixture/small fixture/micro fixture/tiny --out rep
  assert_output "rep/report.md"
  [[ "$stderr" == *"gnuplot not found"* ]]
  version=$(xr-report --version | awk '{print $NF}')
  sed "s/xr-report $version /xr-report VERSION /" rep/report.md > got.md
  diff -u "$XR_SOURCE_DIR/tests/golden/report/report.md" got.md
  # Every table as CSV; the scripts are written even without gnuplot, no PNG plots.
  for f in table_small.csv table_micro.csv table_tiny.csv table4.csv sweep.csv gan_quality.csv \
    mcnemar_small.csv gan_progress_small.csv sweep.gp gan_progress_small.gp confusion_small_none.gp \
    samples_small.png; do
    [[ -s rep/$f ]] || { echo "missing $f"; false; }
  done
  run ! ls rep/confusion_*.png
  [[ $(head -1 rep/table4.csv) == "larger,smaller,larger_per_class,smaller_per_class,pipeline,metric,larger_value,smaller_value,change" ]]
  grep -q '^small,micro,8,4,none,accuracy,0.75,0.5,-0.25$' rep/table4.csv
  grep -q '^none,classical,12,0,2,exact,0,0.5$' rep/mcnemar_small.csv
  grep -q '^gan,2,tiny,0.5,' rep/sweep.csv
}

@test "xr-report: --gnuplot none skips the plots and says which" {
  run -0 --separate-stderr xr-report fixture/small --out rep --gnuplot none
  grep -q '^## Plots skipped' rep/report.md
  grep -q '^- confusion_small_gan (`confusion_small_gan.gp`)$' rep/report.md
  grep -q '^- gan_progress_small' rep/report.md
}

@test "xr-report: with gnuplot, the plots are PNGs linked from report.md" {
  command -v gnuplot >/dev/null || skip "gnuplot not installed"
  run -0 --separate-stderr xr-report fixture/small fixture/micro fixture/tiny --out rep
  for f in confusion_small_none confusion_tiny_gan gan_progress_small sweep; do
    [[ $(head -c 8 rep/$f.png | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]]
    grep -q "($f.png)" rep/report.md
  done
  run ! grep -q '^## Plots skipped' rep/report.md
  # The scripts re-run by themselves in the report folder.
  (cd rep && rm sweep.png && gnuplot sweep.gp && [[ -s sweep.png ]])
}

@test "xr-report: a partial experiment reports what exists and what is missing" {
  rm -r fixture/small/eval/gan fixture/small/gan-quality.json
  run -0 --separate-stderr xr-report fixture/small --out rep --gnuplot none
  grep -q "^- eval/gan/metrics.json (cls-eval): pipeline 'gan' not run$" rep/report.md
  grep -q '^- gan-quality.json (fid-kid)' rep/report.md
  grep -q '^| Classical | 0.9167 |' rep/report.md
  run ! grep -q '^| GAN | 1.0000' rep/report.md
}

@test "xr-report: two sizes give Table 4 but no sweep table" {
  run -0 --separate-stderr xr-report fixture/micro fixture/small --out rep --gnuplot none
  grep -q "^## Change with less training data" rep/report.md
  run ! grep -q "^## Data-size sweep" rep/report.md
  # Largest first whatever the command-line order.
  [[ $(sed -n 2p rep/table4.csv) == small,micro,* ]]
}

@test "xr-report: same folder name twice is made unique" {
  mkdir -p a b && cp -r fixture/micro a/exp && cp -r fixture/tiny b/exp
  run -0 --separate-stderr xr-report a/exp b/exp --out rep --gnuplot none
  [[ -f rep/table_exp.csv && -f rep/table_exp-2.csv ]]
}

@test "xr-report: a failing gnuplot leaves its log, the report is still written" {
  mkdir bin
  printf '#!/bin/sh\necho "bad script" >&2\nexit 1\n' > bin/gnuplot
  chmod +x bin/gnuplot
  run -0 --separate-stderr xr-report fixture/micro --out rep --gnuplot ./bin/gnuplot
  assert_output "rep/report.md"
  [[ "$stderr" == *"gnuplot failed on confusion_micro_none.gp"* ]]
  [[ $(cat rep/confusion_micro_none.log) == "bad script" ]]
  grep -q '^gnuplot failed on these scripts:' rep/report.md
}

@test "xr-report: --out over an experiment folder is refused (64), nothing removed" {
  run -64 --separate-stderr xr-report fixture/small --out fixture
  assert_equal "$output" ""
  [[ "$stderr" == *"--out fixture is or contains the input fixture/small"* ]]
  run -64 --separate-stderr xr-report fixture/small --out fixture/small/
  [[ -f fixture/small/eval/none/metrics.json ]]
  # A report folder inside the experiment is fine (the make pipelines do that).
  run -0 --separate-stderr xr-report fixture/small --out fixture/small/report --gnuplot none
  assert_output "fixture/small/report/report.md"
}
