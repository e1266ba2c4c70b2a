# Shared set-up for the CLI tests: bats-support/bats-assert, the built tools on
# PATH (scripts/run-tests puts them there), and small fixture makers.
bats_require_minimum_version 1.5.0
bats_load_library bats-support 2>/dev/null || load /usr/lib/bats/bats-support/load.bash
bats_load_library bats-assert 2>/dev/null || load /usr/lib/bats/bats-assert/load.bash

XR_SOURCE_DIR=${XR_SOURCE_DIR:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
XR_SHARED_DIR=${XR_SHARED_DIR:-$XR_SOURCE_DIR/../shared}
REAL_DATA="$XR_SHARED_DIR/data/covid-radiography-sample"
PNGSUITE="$XR_SHARED_DIR/data/pngsuite/png"
if [[ -d "$XR_SOURCE_DIR/build/bin" ]]; then PATH="$XR_SOURCE_DIR/build/bin:$PATH"; fi

skip_without_real_data() {
  [[ -d "$REAL_DATA" ]] || skip "real data absent ($REAL_DATA)"
}

# make_png PATH W H [--mode gray8|gray16|rgb|rgba|palette|gray-alpha]
#          [--pattern flat|gradient|box] [--value V] [--truncate BYTES]
make_png() {
  mkdir -p "$(dirname "$1")"
  python3 "$XR_SOURCE_DIR/tests/fixtures/make_png.py" "$@"
}

# make_class_folder ROOT N CLASS...: N distinct flat images per class (distinct,
# because xr-split keeps byte-identical copies together).
make_class_folder() {
  local root=$1 n=$2 cls i k=0
  shift 2
  for cls in "$@"; do
    for ((i = 0; i < n; i++)); do
      make_png "$root/$cls/img$i.png" 16 16 --value $(((k * 7 + 3) % 256))
      k=$((k + 1))
    done
  done
}
