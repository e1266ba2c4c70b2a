#!/usr/bin/env bats
# The one dependency map, lib/dependencies.txt: every #include between the areas of
# lib/ (and of the unit tests) follows it, library code never includes the entry
# point, and the build links each area with what the map names (issue 27).

setup() {
  load common
  cd "$BATS_TEST_TMPDIR"
}

# A copy of the sources the checker reads: the map, lib/ and tests/unit/.
copy_tree() {
  mkdir -p tree/tests
  cp -r "$XR_SOURCE_DIR/lib" tree/lib
  cp -r "$XR_SOURCE_DIR/tests/unit" tree/tests/unit
}

@test "includes: every #include between areas follows lib/dependencies.txt" {
  run -0 "$XR_SOURCE_DIR/scripts/check-includes" "$XR_SOURCE_DIR"
  assert_output ""
}

@test "includes: an area including one the map does not allow, core including an area, and the entry point are named" {
  copy_tree
  echo '#include "gan/options.hpp"' >> tree/lib/report/tables.cpp
  echo '#include "nn/safetensors.hpp"' >> tree/lib/core/csv.cpp
  echo '#include "core/tool_main.hpp"' >> tree/lib/metrics/kid.cpp
  echo '#include "report/tables.hpp"' >> tree/tests/unit/nn/test_safetensors.cpp
  run -1 "$XR_SOURCE_DIR/scripts/check-includes" tree
  assert_line --partial "lib/report/tables.cpp:"
  assert_line --partial "report includes gan"
  assert_line --partial "core includes nn"
  assert_line --partial "lib/metrics/kid.cpp:"
  assert_line --partial "includes the entry point core/tool_main.hpp"
  assert_line --partial "tests/unit/nn/test_safetensors.cpp:"
  [[ ${#lines[@]} -eq 4 ]]
}

@test "includes: a dependency on an area listed below it (a cycle) and an unlisted area folder are named" {
  copy_tree
  sed -i 's/^nn:.*/nn: gan/' tree/lib/dependencies.txt
  mkdir tree/lib/newarea
  run -1 "$XR_SOURCE_DIR/scripts/check-includes" tree
  assert_line --partial "nn depends on gan, which is not listed above it"
  assert_line --partial "newarea: an area folder that lib/dependencies.txt does not list"
}

@test "includes: the build links each area with the areas the map names" {
  local cache="$XR_SOURCE_DIR/build/build.ninja"
  [[ -f $cache ]] || skip "no build/ to read"
  # gan's library links metrics and nn, report's classify: as the map says.
  run -0 grep -E "^build lib/libxrgan.so" -A3 "$cache"
  [[ $output == *libxrmetrics.so* && $output == *libxrnn.so* ]]
  run -0 grep -E "^build lib/libxrreport.so" -A3 "$cache"
  [[ $output == *libxrclassify.so* ]]
}
