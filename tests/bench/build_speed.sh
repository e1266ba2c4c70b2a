#!/usr/bin/env bash
# Build times of one commit, measured the way issue 22 asks: in fresh clones beside
# each other, with a compiler cache of the measurement's own (so "cold" is really
# empty and the user's ~/.cache/ccache is neither used nor touched). Per repetition:
#   cold      `make` in a clean clone, empty cache
#   warm      `make` in a second clean clone in another folder, the cache as the cold
#             build left it (what CI sees after a session's build on the same machine)
#   header    `make` after `touch lib/core/errors.hpp` (included nearly everywhere),
#             in the second clone (the first without "warm")
#   cpp       `make` after `touch lib/gan/training.cpp`, likewise
#   test      `make test` in a third clean clone, warm cache (with TEST=1)
# and the cache's hits and misses of the warm build. A commit whose CMakeLists.txt
# does not use ccache simply builds without it. Prints one CSV row a repetition
# and scenario: commit,rep,scenario,seconds,cache_hits,cache_misses.
# Not a test: tens of minutes. Run it alone on the machine (nothing else running).
#
#   tests/bench/build_speed.sh COMMIT [REPS]
# Settings (environment): WORK (scratch folder, /tmp/xr-build-speed), TEST (0),
# SCENARIOS ("cold warm header cpp test": any subset, in this order), XR_ROOT (the
# checkout whose commits are cloned: this one).
set -euo pipefail
root=${XR_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
commit=$(git -C "$root" rev-parse --short "$1")
reps=${2:-2}
WORK=${WORK:-/tmp/xr-build-speed}
TEST=${TEST:-0}
SCENARIOS=${SCENARIOS:-cold warm header cpp test}
work=$WORK/$commit
mkdir -p "$work"
export CCACHE_DIR=$work/ccache

wants() { [[ " $SCENARIOS " == *" $1 "* ]]; }

# The tests that read the real X-rays find them where this checkout's run would.
[[ -d $root/../shared ]] && export XR_SHARED_DIR=${XR_SHARED_DIR:-$(cd "$root/../shared" && pwd)}

# clone NAME: a clean checkout of the commit at $work/NAME.
clone() {
  rm -rf "${work:?}/$1"
  git clone -q "$root" "$work/$1"
  git -C "$work/$1" checkout -q "$commit"
}

# timed NAME LOG CMD...: seconds CMD took in clone NAME, its output in LOG.
timed() {
  local dir=$work/$1 log=$work/$2.log
  shift 2
  local start end
  start=$(date +%s.%N)
  if ! (cd "$dir" && "$@") >"$log" 2>&1; then
    echo "build_speed: $* failed in $dir (see $log)" >&2
    exit 1
  fi
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

stat_of() { ccache --print-stats 2>/dev/null | awk -v k="$1" '$1 == k { print $2 }'; }
cache_counts() {
  command -v ccache >/dev/null || { echo ","; return; }
  local hits misses
  hits=$(($(stat_of direct_cache_hit) + $(stat_of preprocessed_cache_hit)))
  misses=$(stat_of cache_miss)
  echo "$hits,$misses"
}
row() { echo "$commit,$rep,$1,$2,$3"; }

echo "commit,rep,scenario,seconds,cache_hits,cache_misses"
for rep in $(seq "$reps"); do
  rm -rf "$CCACHE_DIR"
  if wants cold; then
    clone a
    command -v ccache >/dev/null && ccache -z >/dev/null
    s=$(timed a "cold-$rep" make)
    row cold "$s" "$(cache_counts)"
  fi
  built=a
  if wants warm; then
    clone b
    command -v ccache >/dev/null && ccache -z >/dev/null
    row warm "$(timed b "warm-$rep" make)" "$(cache_counts)"
    built=b
  fi
  if wants header; then
    touch "$work/$built/lib/core/errors.hpp"
    command -v ccache >/dev/null && ccache -z >/dev/null
    row header "$(timed $built "header-$rep" make)" "$(cache_counts)"
  fi
  if wants cpp; then
    touch "$work/$built/lib/gan/training.cpp"
    command -v ccache >/dev/null && ccache -z >/dev/null
    row cpp "$(timed $built "cpp-$rep" make)" "$(cache_counts)"
  fi
  if [[ $TEST == 1 ]] && wants test; then
    clone c
    command -v ccache >/dev/null && ccache -z >/dev/null
    row test "$(timed c "test-$rep" make test)" "$(cache_counts)"
  fi
done
