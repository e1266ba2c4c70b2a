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
  assert_output --partial "2PR/(P+R)"
  assert_output --partial "Figures 11-12"
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
  for f in table_small.csv table_micro.csv table_tiny.csv size_change.csv sweep.csv gan_quality.csv \
    mcnemar_small.csv gan_progress_small.csv sweep.gp gan_progress_small.gp confusion_small_none.gp \
    samples_small.png table1_small.csv paper_vs_run_small.csv paper_vs_run_tiny.csv; do
    [[ -s rep/$f ]] || { echo "missing $f"; false; }
  done
  run ! ls rep/confusion_*.png
  [[ ! -e rep/table4.csv ]]
  [[ $(head -1 rep/size_change.csv) == "larger,smaller,larger_per_class,smaller_per_class,pipeline,metric,larger_value,smaller_value,change" ]]
  grep -q '^small,micro,8,4,none,accuracy,0.75,0.5,-0.25$' rep/size_change.csv
  grep -q '^small,COVID,8,2,4,14$' rep/table1_small.csv
  grep -q '^small,8,2,,1000,0,0,none,accuracy,0.85,0.75,' rep/paper_vs_run_small.csv
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

@test "xr-report: two sizes give the change between sizes but no sweep table" {
  run -0 --separate-stderr xr-report fixture/micro fixture/small --out rep --gnuplot none
  grep -q "^## Change between data sizes" rep/report.md
  run ! grep -q "Table 4)" rep/report.md
  run ! grep -q "^## Data-size sweep" rep/report.md
  # Largest first whatever the command-line order.
  [[ $(sed -n 2p rep/size_change.csv) == small,micro,* ]]
}

# An experiment at the paper's size with the paper's four classes, from the fixture.
paper_sized() {  # NAME PER_CLASS
  cp -r fixture/small "$1"
  /usr/bin/python3 - "$1/split/split.csv" "$2" <<'PY'
import csv, sys
path, n = sys.argv[1], int(sys.argv[2])
rows = [r for r in csv.DictReader(open(path)) if r["split"] != "train"]
for c in ["COVID", "Lung_Opacity", "Normal", "Viral Pneumonia"]:
    rows += [{"path": f"train/{c}/t{i}.png", "split": "train", "class": c, "source": f"{c}/t{i}.png"} for i in range(n)]
w = csv.DictWriter(open(path, "w", newline=""), ["path", "split", "class", "source"], lineterminator="\n")
w.writeheader()
w.writerows(sorted(rows, key=lambda r: r["path"]))
PY
}

@test "xr-report: the paper's table beside a run of its size, with differences" {
  paper_sized exp1000 1000
  run -0 --separate-stderr xr-report exp1000 --out rep --gnuplot none
  grep -q "^### The paper beside this run (its Table 2)$" rep/report.md
  # Only the study section's Tables 3 and 4, beside the same run, differ in size.
  [[ $(grep -c "sizes differ" rep/report.md) -eq 2 ]]
  grep -q "^- Table 2 (1000 per class): beside exp1000 (1000 training images per class) in its section above.$" rep/report.md
  run ! grep -q "Not the paper's classes" rep/report.md
  # Table 2, no augmentation: accuracy 0.85 against the run's 0.75.
  grep -q '^| None | paper | 0.850 | 0.845 | 0.769 | 0.805 | 0.931 | 0.740 |$' rep/report.md
  grep -q '^|  | difference | -0.100 |' rep/report.md
  grep -q '^exp1000,1000,2,,1000,1,1,gan,mcc,0.76,1,' rep/paper_vs_run_exp1000.csv
  # 2000 per class: Table 4, accuracy only.
  paper_sized exp2000 2000
  run -0 --separate-stderr xr-report exp2000 --out rep2 --gnuplot none
  grep -q "^### The paper beside this run (its Table 4)$" rep2/report.md
  grep -q '^| Pipeline | Values | Accuracy |$' rep2/report.md
  grep -q '^| Classical | paper | 0.891 |$' rep2/report.md
}

@test "xr-report: other sizes and classes get the nearest table and say so" {
  run -0 --separate-stderr xr-report fixture/small --out rep --gnuplot none
  # "small" is the paper's name for its Table 2 experiment, whatever this one's size.
  grep -q "^### The paper beside this run (its Table 2)$" rep/report.md
  grep -q "^The sizes differ: this run has 8 training images per class, the paper's Table 2 has 1000 (.*)\. Set beside it by name (the paper calls its 1000-per-class experiment small); shown as a reference" rep/report.md
  # tiny goes by size: 2 per class is nearest to Table 3's 500.
  run -0 --separate-stderr xr-report fixture/tiny --out rep2 --gnuplot none
  grep -q "^### The paper beside this run (its Table 3)$" rep2/report.md
  grep -q "^The sizes differ: this run has 2 training images per class, the paper's Table 3 has 500 (.*)\. Shown as a reference" rep2/report.md
  grep -q "^Not the paper's classes: this run has COVID, Normal, Viral Pneumonia; the paper has COVID, Lung_Opacity, Normal, Viral Pneumonia.$" rep/report.md
  # The class line comes right above the table's text, once per table shown: small's
  # own (Table 2), and Tables 3 and 4 beside it in the study section.
  [[ $(grep -c "^Not the paper's classes" rep/report.md) -eq 3 ]]
}

@test "xr-report: all three of the paper's tables are shown, whatever sizes were run" {
  run -0 --separate-stderr xr-report fixture/small fixture/micro --out rep --gnuplot none
  grep -q "^## The paper's Tables 2-4 beside this study$" rep/report.md
  # small and micro by name (Tables 2 and 3, in their own sections), Table 4 by size.
  grep -q "^- Table 2 (1000 per class): beside small (8 training images per class) in its section above.$" rep/report.md
  grep -q "^- Table 3 (500 per class): beside micro (4 training images per class) in its section above.$" rep/report.md
  grep -q "^### Table 4 beside small (8 training images per class), the nearest size run$" rep/report.md
  grep -q '^small,8,2,,1000,0,0,none,accuracy,0.85,0.75,' rep/paper_vs_run_small.csv
  grep -q '^micro,4,3,,500,0,0,none,accuracy,' rep/paper_vs_run_micro.csv
  grep -q '^small,8,4,,2000,0,0,gan,accuracy,0.871,' rep/paper_table4_vs_small.csv
  [[ ! -e rep/paper_table2_vs_small.csv ]]
}

@test "xr-report: the classical images and the floors beside the GAN's FID/KID, and a warning above an untrained GAN's row" {
  run -0 --separate-stderr xr-report fixture/small --out rep --gnuplot none
  grep -q '^| Class | FID | FID classical | FID floor (halves) | FID floor (val) | KID | KID std | KID classical | KID floor (halves) | KID floor (val) |$' rep/report.md
  grep -q '^| Mean | 11.500 | 8.500 | 3.500 | 4.500 | 0.0200 | 0.0010 | 0.0150 | 0.0040 | 0.0060 |$' rep/report.md
  grep -q '^small,mean,11.5,0.02,0.001,3.5,0.004,4.5,0.006,8.5,0.015,random:he-normal:seed=1,0$' rep/gan_quality.csv
  run ! grep -q "^Warning: the generator" rep/report.md
  warning="Warning: the generator is barely trained: this row measures noise added to the data, not GAN augmentation"
  # The first snapshot has the lowest KID: it is the one kept, and the report says so
  # above the classification table and in the GAN section.
  sed -i '1s/"kid": {"mean": 0.09}/"kid": {"mean": 0.001}/' fixture/small/gan-run/metrics.jsonl
  run -0 --separate-stderr xr-report fixture/small --out rep --gnuplot none
  [[ $(grep -cF "$warning (the kept snapshot is the run's first (\`network-snapshot-000004000.safetensors\`, 4 kimg))." rep/report.md) -eq 2 ]]
  # Far from the classical images: the samples' KID 5.3 times theirs.
  sed -i 's/"kid_mean": 0.02,/"kid_mean": 0.08,/' fixture/small/gan-quality.json
  run -0 --separate-stderr xr-report fixture/small --out rep --gnuplot none
  grep -qF "and its samples' mean KID 0.0800 (gan-quality.json) is 5.3 times the classical-augmentation images' 0.0150 (classical-quality.json))." rep/report.md
  # Classical images on other features are not shown beside the GAN's.
  sed -i 's/"id": "random:he-normal:seed=1"/"id": "random:he-normal:seed=2"/' fixture/small/classical-quality.json
  run -0 --separate-stderr xr-report fixture/small --out rep --gnuplot none
  grep -qF '`classical-quality.json` used other features (random:he-normal:seed=2) than `gan-quality.json` (random:he-normal:seed=1): its values are not shown beside the GAN'"'"'s.' rep/report.md
  run ! grep -q "FID classical" rep/report.md
}

@test "xr-report: F1 is the paper's 2PR/(P+R), sklearn's macro F1 beside it; older cls-eval files read" {
  run -0 --separate-stderr xr-report fixture/small fixture/tiny --out rep --gnuplot none
  grep -q "F1 is the paper's: 2PR/(P+R) of the macro precision P and recall R" rep/report.md
  grep -q '^| Pipeline | Accuracy | Precision | Recall | F1 | Specificity | MCC | sklearn macro F1 |$' rep/report.md
  # small, none: P 0.7833, R 0.75 -> 2PR/(P+R) 0.7663; sklearn's mean of per-class F1s 0.7579.
  grep -q '^| None | 0.7500 | 0.7833 | 0.7500 | 0.7663 | 0.8750 | 0.6316 | 0.7579 |$' rep/report.md
  # tiny is an xr-cls-eval/1 file: its macro.f1 (sklearn's) lands in the last column.
  grep -q '^tiny,2,none,f1_sklearn,0.3333333333333333,0.2833,0.02,' rep/table_tiny.csv
  grep -q '^tiny,2,none,f1,0\.37037037[0-9]*,,,' rep/table_tiny.csv  # 2PR/(P+R), P 5/12, R 1/3: 10/27
}

@test "xr-report: confusion matrices as the paper's Figures 11-12 (predicted rows, real columns)" {
  run -0 --separate-stderr xr-report fixture/small --out rep --gnuplot none
  # small, none: one real COVID image predicted Normal, one real Viral Pneumonia predicted Normal.
  grep -q '^| Predicted \\ Real | COVID | Normal | Viral Pneumonia |$' rep/report.md
  grep -q '^| Normal | 1 | 3 | 1 |$' rep/report.md
  grep -q "^set xlabel 'Real class'$" rep/confusion_small_none.gp
  grep -q "^set ylabel 'Predicted class'$" rep/confusion_small_none.gp
}

@test "xr-report: Table 1 counts each subset per class" {
  run -0 --separate-stderr xr-report fixture/micro --out rep --gnuplot none
  grep -q '^### Table 1: images per class in each subset$' rep/report.md
  grep -q '^| Class | Train | Validation | Test | Total |$' rep/report.md
  grep -q '^| All classes | 12 | 6 | 12 | 30 |$' rep/report.md
}

@test "xr-report: the size plot has bootstrap error bars and the paper's points" {
  run -0 --separate-stderr xr-report fixture/small fixture/micro --out rep --gnuplot none
  grep -q 'with yerrorbars' rep/sweep.gp
  grep -q "title 'GAN (paper)'" rep/sweep.gp
  # small, none: accuracy 0.75 with its interval [0.55, 0.85] (make_fixture.py).
  grep -q '^8 0.75 0.55 0.85 ' rep/sweep.gp
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
