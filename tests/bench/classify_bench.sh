#!/usr/bin/env bash
# The frozen-base inc3-train's cost on this CPU, beside the PyTorch baseline measured
# in the same run (the machine is shared: compare ratios, not absolute figures).
#   tests/bench/classify_bench.sh [BUILD_DIR]      (after scripts/dev-build bench_classify_train)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
echo "== baseline (before)"
/usr/bin/python3 "$root/tests/bench/classify_baseline.py" 64 2
echo "== toolkit"
"$build/bench/bench_classify_train" --benchmark_repetitions=1 --benchmark_counters_tabular=true
echo "== baseline (after)"
/usr/bin/python3 "$root/tests/bench/classify_baseline.py" 64 2
