#!/usr/bin/env bats
# cls-eval: metrics of a trained model on a test folder, checked against sklearn on
# the predictions it writes; bootstrap, McNemar, --all-runs, bad input.

setup_file() {
  load common
  load classify_common
  cd "$BATS_FILE_TMPDIR"
  make_split data 4
  inc3-train -q --train data/train --val data/val --out base --runs 1 --epochs 1 --image-size 75 --seed 3 > /dev/null
  inc3-train -q --train data/train --val data/val --out m --weights base/model.safetensors --runs 2 --epochs 2 \
    --image-size 75 --seed 4 > /dev/null
}

setup() {
  load common
  load classify_common
  cd "$BATS_TEST_TMPDIR"
  D=$BATS_FILE_TMPDIR/data
  M=$BATS_FILE_TMPDIR/m
  BASE=$BATS_FILE_TMPDIR/base
}

@test "cls-eval --help shows usage and exits 0" {
  run -0 cls-eval --help
  assert_output --partial "Usage: cls-eval"
  assert_output --partial "f1_of_macro_pr"
  assert_output --partial "--compare"
}

@test "cls-eval rejects a bad flag with 64 and empty stdout" {
  run -64 --separate-stderr cls-eval --model "$M" --test "$D/test" --no-such-flag
  assert_equal "$output" ""
  run -64 --separate-stderr cls-eval --model "$M" --test "$D/test" --bootstrap -1
  assert_equal "$output" ""
}

@test "cls-eval: a missing model or test folder is 66" {
  run -66 --separate-stderr cls-eval --model nowhere --test "$D/test"
  assert_equal "$output" ""
  [[ "$stderr" == *"cls-eval: error: nowhere/model.safetensors: no such model file"* ]]
  run -66 --separate-stderr cls-eval --model "$M" --test nowhere -o out
  [[ "$stderr" == *"nowhere: no such directory"* ]]
  [[ ! -e out ]]
}

@test "cls-eval: JSON result and CSV files; metrics equal sklearn on the written predictions" {
  run -0 --separate-stderr cls-eval --model "$M" --test "$D/test" -o out --seed 1
  [[ $(json_get 'j["schema"], j["tool"], j["results"]["n"]') == "xr-cls-eval/2 cls-eval 12" ]]
  [[ $(json_get 'j["results"]["classes"]') == "['A', 'B', 'C c']" ]]
  [[ $(head -1 out/predictions.csv) == 'path,true_class,predicted_class,prob_A,prob_B,prob_C c' ]]
  [[ $(wc -l < out/predictions.csv) -eq 13 ]]
  diff <(tail -n +2 out/predictions.csv | cut -d, -f1) <(tail -n +2 out/predictions.csv | cut -d, -f1 | LC_ALL=C sort)
  [[ $(head -1 out/confusion.csv) == 'true_class,predicted_A,predicted_B,predicted_C c' ]]
  [[ $(tail -n +2 out/confusion.csv | awk -F, '{s += $2 + $3 + $4} END {print s}') -eq 12 ]]
  cmp <(echo "$output") <(cat out/metrics.json)
  [[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c 'import sklearn' 2>/dev/null || skip "python3-sklearn absent"
  echo "$output" > result.json
  /usr/bin/python3 - out/predictions.csv result.json <<'PY'
import csv, json, sys
from sklearn.metrics import accuracy_score, matthews_corrcoef, precision_recall_fscore_support
rows = list(csv.DictReader(open(sys.argv[1])))
t = [r["true_class"] for r in rows]
p = [r["predicted_class"] for r in rows]
res = json.load(open(sys.argv[2]))["results"]
labels = res["classes"]
assert abs(accuracy_score(t, p) - res["accuracy"]) < 1e-12
assert abs(matthews_corrcoef(t, p) - res["mcc"]) < 1e-12
for avg in ("macro", "weighted"):
    pr, rc, f1, _ = precision_recall_fscore_support(t, p, labels=labels, average=avg, zero_division=0)
    assert abs(pr - res[avg]["precision"]) < 1e-12 and abs(rc - res[avg]["recall"]) < 1e-12
    name = "f1_sklearn" if avg == "macro" else "f1"
    assert abs(f1 - res[avg][name]) < 1e-12, (avg, f1, res[avg][name])
# The paper's F1: the harmonic mean of sklearn's macro precision and recall.
pr, rc, _, _ = precision_recall_fscore_support(t, p, labels=labels, average="macro", zero_division=0)
want = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
assert abs(want - res["macro"]["f1_of_macro_pr"]) < 1e-12, (want, res["macro"])
assert "f1" not in res["macro"] and "paper_average" not in res
assert "f1_of_macro_pr" in res["definitions"] and "f1_sklearn" in res["definitions"]
# Probabilities sum to one and the predicted class is their argmax.
for r in rows:
    probs = [float(r["prob_" + c]) for c in labels]
    assert abs(sum(probs) - 1) < 1e-5
    assert labels[probs.index(max(probs))] == r["predicted_class"]
PY
}

@test "cls-eval: the bootstrap is deterministic by seed and brackets the accuracy" {
  cls-eval -q --model "$M" --test "$D/test" -o a --seed 7 --bootstrap 200 > a.json
  cls-eval -q --model "$M" --test "$D/test" -o b --seed 7 --bootstrap 200 > b.json
  cmp a/predictions.csv b/predictions.csv
  output=$(cat a.json)
  lo_hi_a=$(json_get 'j["results"]["bootstrap"]["accuracy"], j["results"]["bootstrap"]["mcc"]')
  output=$(cat b.json)
  [[ $(json_get 'j["results"]["bootstrap"]["accuracy"], j["results"]["bootstrap"]["mcc"]') == "$lo_hi_a" ]]
  [[ $(json_get 'j["results"]["bootstrap"]["accuracy"][0] <= j["results"]["accuracy"] <= j["results"]["bootstrap"]["accuracy"][1]') == True ]]
}

@test "cls-eval --compare: McNemar against itself and against a flipped copy" {
  cls-eval -q --model "$M" --test "$D/test" -o a --bootstrap 0 > /dev/null
  run -0 --separate-stderr cls-eval --model "$M" --test "$D/test" -o b --bootstrap 0 --compare a/predictions.csv
  [[ $(json_get 'j["results"]["mcnemar"]["only_a_correct"], j["results"]["mcnemar"]["only_b_correct"], j["results"]["mcnemar"]["p_value"]') == "0 0 1.0" ]]
  # A copy where every prediction is right: B wins on every image A gets wrong.
  awk -F, -v OFS=, 'NR == 1 {print; next} {$3 = $2; print}' a/predictions.csv > right.csv
  wrong=$(awk -F, 'NR > 1 && $2 != $3' a/predictions.csv | wc -l)
  run -0 --separate-stderr cls-eval --model "$M" --test "$D/test" -o c --bootstrap 0 --compare right.csv
  [[ $(json_get 'j["results"]["mcnemar"]["only_b_correct"], j["results"]["mcnemar"]["method"]') == "$wrong exact" ]]
  # Another test set: refused.
  head -n 5 a/predictions.csv > short.csv
  run -65 --separate-stderr cls-eval --model "$M" --test "$D/test" -o d --compare short.csv
  assert_equal "$output" ""
  [[ "$stderr" == *"short.csv: lists 4 images, the test set has 12 (same test set required)"* ]]
}

@test "cls-eval --all-runs: every run scored, mean and std" {
  run -0 --separate-stderr cls-eval --model "$M" --test "$D/test" -o out --bootstrap 0 --all-runs
  [[ $(json_get 'j["results"]["runs"]["count"], len(j["results"]["runs"]["per_run"])') == "2 2" ]]
  [[ $(json_get 'sorted(j["results"]["runs"]["mean_std"]["accuracy"])') == "['mean', 'std']" ]]
  # Both F1s per run, named for what they are.
  [[ $(json_get '"f1_of_macro_pr" in j["results"]["runs"]["mean_std"], "macro_f1_sklearn" in j["results"]["runs"]["per_run"][0]') == "True True" ]]
  # The kept run scores what model.safetensors scores.
  kept=$(json_get 'j["results"]["kept_run"]')
  [[ $(json_get "j['results']['runs']['per_run'][$kept - 1]['accuracy'] == j['results']['accuracy']") == True ]]
  # A fine-tuned model folder: its run files hold whole networks.
  run -0 --separate-stderr cls-eval --model "$BASE" --test "$D/test" -o out2 --bootstrap 0 --all-runs
  [[ $(json_get 'j["results"]["runs"]["per_run"][0]["accuracy"] == j["results"]["accuracy"]') == True ]]
}

@test "cls-eval: a test class the model does not know and an empty class are 65" {
  mkdir -p t && cp -r "$D/test/." t/ && mkdir t/D && cp "$D/test/A/a0.png" t/D/
  run -65 --separate-stderr cls-eval --model "$M" --test t -o out
  assert_equal "$output" ""
  [[ "$stderr" == *"t: class 'D' is not one of the model's classes"* ]]
  mkdir -p u && cp -r "$D/test/A" "$D/test/B" u/
  run -65 --separate-stderr cls-eval --model "$M" --test u -o out
  [[ "$stderr" == *"u: has no folder for the model's class 'C c'"* ]]
  mkdir -p v && cp -r "$D/test/." v/ && rm v/B/*.png
  run -65 --separate-stderr cls-eval --model "$M" --test v -o out
  [[ "$stderr" == *"v/B: class has no images"* ]]
  [[ ! -e out ]]
}

@test "cls-eval: an unreadable image and a file that is not a model are 65" {
  mkdir -p t && cp -r "$D/test/." t/ && make_png t/A/bad.png 75 75 --truncate 60
  run -65 --separate-stderr cls-eval --model "$M" --test t -o out
  assert_equal "$output" ""
  [[ "$stderr" == *"t/A/bad.png"* ]]
  # A feature-cache file: safetensors, but not a model.
  mkdir -p notmodel && cp "$(ls "$M"/cache/*.safetensors | head -1)" notmodel/model.safetensors
  run -65 --separate-stderr cls-eval --model notmodel --test "$D/test" -o out
  [[ "$stderr" == *"not an inc3-train model"* ]]
}

@test "cls-eval: a folder another tool is writing is 73 at once, naming it and its pid (issue 25)" {
  cp -r "$M" m
  rm -f m/metrics.json
  # flock(1) holds the lock as inc3-train would, with the line inc3-train writes.
  echo "4242 inc3-train" > m/.xr-lock
  run -73 --separate-stderr flock m/.xr-lock cls-eval --model m --test "$D/test"
  assert_equal "$output" ""
  assert_equal "$stderr" "cls-eval: error: m: another inc3-train (pid 4242) is writing to this folder; wait for it to end, or stop it"
  [[ ! -e m/metrics.json ]]
  run -0 --separate-stderr cls-eval --model m --test "$D/test"
  [[ -f m/metrics.json ]]
}
