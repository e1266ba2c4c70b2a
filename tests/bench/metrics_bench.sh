#!/usr/bin/env bash
# Speed of fid-kid's metric code (bench_metrics_fid_kid) and, in the same run, of the
# reference implementations it replaces (bench_metrics_reference.py: NVIDIA's numpy
# KID loop, pytorch-fid's scipy sqrtm FID) on the same sizes.
#   scripts/dev-build bench_metrics_fid_kid && tests/bench/metrics_bench.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
export OMP_WAIT_POLICY=passive  # no busy-waiting threads on a shared machine
echo "# $(date -u +%FT%TZ) $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
"$build/bench/bench_metrics_fid_kid"
/usr/bin/python3 "$root/tests/bench/bench_metrics_reference.py"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
