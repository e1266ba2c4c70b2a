#!/usr/bin/env bats
# Every built tool, whatever tools exist at the time: --version, --help, a bad flag
# (64, empty stdout, one line on stderr), --print-config (JSON), and a man page
# that man renders without warnings. Each test checks all tools and lists every
# one that fails.

setup() {
  load common
  cd "$BATS_TEST_TMPDIR"
  bin_dir=$(dirname "$(command -v xr-split)")
  tools=()
  for f in "$bin_dir"/*; do
    [[ -f "$f" && -x "$f" ]] && tools+=("$(basename "$f")")
  done
  [[ ${#tools[@]} -gt 0 ]]
}

# Prints the failures collected in $failures (one a line) and fails if any.
report() {
  if [[ -n "$failures" ]]; then
    printf '%s' "$failures"
    return 1
  fi
}

@test "all tools: --version prints '<name> <version>' and exits 0" {
  failures=""
  for t in "${tools[@]}"; do
    run --separate-stderr "$bin_dir/$t" --version
    [[ $status -eq 0 ]] || failures+="$t: --version exited $status"$'\n'
    [[ "$output" =~ ^$t\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || failures+="$t: --version printed '$output'"$'\n'
  done
  report
}

@test "all tools: --help exits 0 with a Usage: line" {
  failures=""
  for t in "${tools[@]}"; do
    run --separate-stderr "$bin_dir/$t" --help
    [[ $status -eq 0 ]] || failures+="$t: --help exited $status"$'\n'
    [[ "$output" == *"Usage:"* ]] || failures+="$t: --help has no 'Usage:'"$'\n'
    [[ -z "$stderr" ]] || failures+="$t: --help wrote to stderr: $stderr"$'\n'
  done
  report
}

@test "all tools: an unknown flag exits 64, stdout empty, one line on stderr" {
  failures=""
  for t in "${tools[@]}"; do
    run --separate-stderr "$bin_dir/$t" --no-such-flag-xyz
    [[ $status -eq 64 ]] || failures+="$t: exited $status, not 64"$'\n'
    [[ -z "$output" ]] || failures+="$t: stdout not empty: $output"$'\n'
    [[ $(printf '%s\n' "$stderr" | wc -l) -eq 1 && -n "$stderr" ]] ||
      failures+="$t: stderr is not one line: $stderr"$'\n'
    [[ "$stderr" == "$t: error: "* ]] || failures+="$t: message lacks '$t: error: ': $stderr"$'\n'
  done
  report
}

@test "all tools: every floating-point option refuses nan and inf with 64 (issue 10)" {
  failures=""
  checked=0
  for t in "${tools[@]}"; do
    # The options --help labels FLOAT (CLI11's name for a floating-point value).
    mapfile -t opts < <("$bin_dir/$t" --help | grep -oE -- '--[a-z0-9-]+ FLOAT' | cut -d' ' -f1 | sort -u)
    for o in "${opts[@]}"; do
      for v in nan inf -inf 1e999; do
        run --separate-stderr "$bin_dir/$t" "$o" "$v"
        checked=$((checked + 1))
        [[ $status -eq 64 ]] || failures+="$t $o $v: exited $status, not 64"$'\n'
        [[ "$stderr" == *"$o: must be a finite number (got $v)"* ]] ||
          failures+="$t $o $v: message is '$stderr'"$'\n'
      done
    done
  done
  # gan-train alone has more than ten: a --help format change must not empty the list.
  [[ $checked -ge 40 ]] || failures+="only $checked option values checked"$'\n'
  report
}

@test "all tools: every numeric option refuses -1, a huge value and (integers) a fraction with 64 (issue 24)" {
  failures=""
  checked=0
  for t in "${tools[@]}"; do
    # No numeric option of any tool has a meaning for -1 or for 1e300 / 20 digits.
    while read -r o type; do
      values=(-1 1e300)
      [[ $type == FLOAT ]] || values=(-1 99999999999999999999 1.5)
      for v in "${values[@]}"; do
        run --separate-stderr "$bin_dir/$t" "$o" "$v"
        checked=$((checked + 1))
        [[ $status -eq 64 ]] || failures+="$t $o $v: exited $status, not 64"$'\n'
        [[ "$stderr" =~ ^$t:\ error:\ $o:\ must\ be\ .*\(got\ $v\) ]] ||
          failures+="$t $o $v: message is '$stderr'"$'\n'
        [[ $(printf '%s\n' "$stderr" | wc -l) -eq 1 ]] || failures+="$t $o $v: more than one line"$'\n'
      done
    done < <("$bin_dir/$t" --help | grep -oE -- '--[a-z0-9-]+ (FLOAT|INT|UINT)' | sort -u)
  done
  [[ $checked -ge 150 ]] || failures+="only $checked option values checked"$'\n'
  report
}

@test "all tools: a zero count says 'must be at least 1', an option given twice says so (issue 24)" {
  run -64 --separate-stderr xr-split --train-per-class 0 in out
  assert_equal "$stderr" "xr-split: error: --train-per-class: must be at least 1 (got 0) (see xr-split --help)"
  run -64 --separate-stderr gan-sample --per-class 0 --model m --out o
  assert_equal "$stderr" "gan-sample: error: --per-class: must be at least 1 (got 0) (see gan-sample --help)"
  run -64 --separate-stderr xr-split --seed 1 --seed 2 in out
  assert_equal "$stderr" "xr-split: error: --seed: given 2 values, takes 1 (give the option once) (see xr-split --help)"
  run -64 --separate-stderr xr-augment in out --brightness-range 0.9
  [[ "$stderr" == *"--brightness-range: takes 2 values"* ]]
}

@test "all tools: --print-config prints JSON that parses" {
  failures=""
  for t in "${tools[@]}"; do
    run --separate-stderr "$bin_dir/$t" --print-config
    [[ $status -eq 0 ]] || { failures+="$t: --print-config exited $status: $stderr"$'\n'; continue; }
    printf '%s' "$output" | python3 -c 'import json, sys; d = json.load(sys.stdin); assert isinstance(d, dict)' \
      2>/dev/null || failures+="$t: --print-config output is not a JSON object"$'\n'
    printf '%s' "$output" | python3 -c 'import json, sys; d = json.load(sys.stdin); assert "threads" in d' \
      2>/dev/null || failures+="$t: --print-config lacks the common options"$'\n'
  done
  report
}

@test "all tools: a man page exists and renders without warnings" {
  failures=""
  for t in "${tools[@]}"; do
    page="$XR_SOURCE_DIR/man/$t.1"
    [[ -f "$page" ]] || { failures+="$t: no man page man/$t.1"$'\n'; continue; }
    run --separate-stderr env MANWIDTH=80 MAN_KEEP_FORMATTING= man --warnings -l "$page"
    [[ $status -eq 0 ]] || failures+="$t: man exited $status"$'\n'
    [[ -z "$stderr" ]] || failures+="$t: man warnings: $stderr"$'\n'
    [[ "$output" == *NAME* && "$output" == *SYNOPSIS* && "$output" == *"SEE ALSO"* ]] ||
      failures+="$t: man page lacks NAME, SYNOPSIS or SEE ALSO"$'\n'
  done
  report
}

@test "all tools: --help and the man page's OPTIONS list the same long options (issue 27)" {
  run python3 "$XR_SOURCE_DIR/tests/cli/help_man_options.py" "$bin_dir" "$XR_SOURCE_DIR/man" "${tools[@]}"
  assert_success
  assert_output ""
}

@test "the --help/man comparison fails on a page that lacks an option, and on one that has an extra" {
  cp -r "$XR_SOURCE_DIR/man" pages
  # fid-kid's --batch paragraph removed; gan-sample's --model renamed to --no-such-option.
  python3 - <<'PY'
import re
p = "pages/fid-kid.1"; s = open(p).read()
open(p, "w").write(re.sub(r"\.TP\n\.BI \\-\\-batch .*?(?=\.TP)", "", s, count=1, flags=re.S))
p = "pages/gan-sample.1"; s = open(p).read()
open(p, "w").write(s.replace(".BI \\-\\-model", ".BI \\-\\-no\\-such\\-option", 1))
PY
  run python3 "$XR_SOURCE_DIR/tests/cli/help_man_options.py" "$bin_dir" pages fid-kid gan-sample
  assert_failure 1
  assert_line "fid-kid: --batch is in --help but not in pages/fid-kid.1 OPTIONS or xr-toolkit(1)"
  assert_line "gan-sample: --no-such-option is in pages/gan-sample.1 OPTIONS but not in --help"
}

@test "the suite page xr-toolkit(1) renders without warnings and lists every tool" {
  page="$XR_SOURCE_DIR/man/xr-toolkit.1"
  [[ -f "$page" ]]
  run --separate-stderr env MANWIDTH=80 man --warnings -l "$page"
  assert_success
  assert_equal "$stderr" ""
  failures=""
  for t in "${tools[@]}"; do
    grep -q "^\.BR $t (1)" "$page" || grep -qF "$t" "$page" || failures+="xr-toolkit.1 does not mention $t"$'\n'
  done
  report
}
