#!/usr/bin/env bash
# The prepared device check of issue 14, one run of about 8 minutes on one CUDA GPU:
#   1. builds the toolkit against the machine's PyTorch (its LibTorch, CUDA and C++ ABI)
#      with the build dependencies carried in the bundle;
#   2. runs the unit tests that have CUDA cases (test_gan_precision: every reduced-
#      precision branch on CUDA, and CUDA against the CPU on the same weights and inputs:
#      G and D forward within 1e-4 in fp32 without TF32, within the stated bf16/fp16
#      tolerances and with finite losses in reduced precision);
#   3. times gan-train at the paper's settings (128x128x1, 3 classes, batch 32, ADA
#      target 0.6, R1 gamma 1.024, cbase 16384, cmax 512) in each precision, and NVIDIA's
#      official stylegan2-ada-pytorch on the same data in the same run (patched where
#      current PyTorch needs it: tests/bench/nvidia_stylegan2.py names the patches);
#   4. times fid-kid and inc3-train against PyTorch eager (tests/bench/gpu_eager_baselines.py);
#   5. writes one table to tests/bench/results/gan-gpu.md and its headline into
#      BENCHMARKS.md (between the bench-gan-gpu markers), and copies both, with the
#      logs, to $OUT when that is set (the device tool brings back only $OUT).
#
#   scripts/gpu-bundle.sh                  # here, once: build-gpu-bundle/ (~40 MB, git-ignored)
#   scripts/bench-gan-gpu.sh               # on the GPU machine, build-gpu-bundle carried along
#   scripts/bench-gan-gpu.sh --dry-run     # here, on the CPU: every stage in miniature
#
# --dry-run runs what a CPU can of the same stages, so that the script is not broken on
# first use: the bundle's CMake configuration (system paths off, googletest built from
# the bundle), the unit tests (CUDA cases skip), gan-train with tiny networks in each
# precision (fp16 is refused on LibTorch 1.13's CPU: recorded), NVIDIA's code patched
# and its options and dataset checked with its own classes (it cannot train without
# CUDA), fid-kid, inc3-train and both eager baselines on a few images, and the table;
# it writes the table to WORK_DIR/gan-gpu.md (printed), not into the repository.
#
# Environment (defaults in brackets): BUDGET [480] seconds for the whole run (a stage
# that would not fit is skipped and says so); BUNDLE [build-gpu-bundle]; BUILD_DIR
# [build-gpu; dry: build]; KIMG [1.568] and TICK [0.512]: gan-train's length and tick in
# thousands of images (ticks of 16 minibatches of 32 hold the same phases; sec/kimg is
# the median of the ticks after the first, one minibatch); PRECISIONS ["fp16 bf16
# fp32"] (the first is timed right before NVIDIA's run); NVIDIA_KIMG, NVIDIA_TICK [the
# same]; DATA [BUNDLE/data128, else synthetic from xr-phantom]; RESULTS [tests/bench/
# results/gan-gpu.md]; WORK_DIR [a temporary folder, removed unless KEEP_WORK=1].
# Exit status: 0 when the table was written (stages may have failed: the table says
# which), 69 no CUDA device (without --dry-run), 66 the bundle is missing.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dry=0
[[ "${1:-}" == "--dry-run" || "${DRY_RUN:-0}" == 1 ]] && dry=1
budget=${BUDGET:-480}
start=$(date +%s)
bundle=${BUNDLE:-$root/build-gpu-bundle}
precisions=${PRECISIONS:-"fp16 bf16 fp32"}
kimg=${KIMG:-1.568}  # the first minibatch and 3 ticks of 16 (each with one R1 and four path-length steps)
tick=${TICK:-0.512}
nv_kimg=${NVIDIA_KIMG:-$kimg}
nv_tick=${NVIDIA_TICK:-$tick}
work=${WORK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/bench-gan-gpu.XXXXXX")}
mkdir -p "$work/logs" "$work/json"
[[ "${KEEP_WORK:-0}" == 1 || -n "${WORK_DIR:-}" ]] || trap 'rm -rf "$work"' EXIT
bench=$root/tests/bench

log() { echo "bench-gan-gpu: $*" >&2; }
elapsed() { echo $(($(date +%s) - start)); }
remaining() { echo $((budget - $(elapsed))); }

# stage NAME NEED MAX CMD...: runs CMD (output in logs/NAME.log) under a timeout of at
# most MAX seconds and what is left of the budget (keeping 20 s to write the table),
# skipped when fewer than NEED seconds are left. The status lands in json/stages.json.
stage_list=()
stage() {
  local name=$1 need=$2 max=$3
  shift 3
  local left=$(($(remaining) - 20)) t0 rc status
  if ((left < need)); then
    status="skipped: ${left}s of the budget left, needs ${need}s"
    log "$name: $status"
    stage_list+=("$name|$status|0")
    return 1
  fi
  ((max > left)) && max=$left
  log "$name (at most ${max}s)"
  t0=$(date +%s)
  # A shell function runs in a child bash (timeout runs programs), with what it uses exported.
  if declare -F "$1" >/dev/null; then set -- bash -c "$(declare -f "$1"); $(printf '%q ' "$@")"; fi
  timeout --kill-after=10 "$max" "$@" >"$work/logs/$name.log" 2>&1
  rc=$?
  case $rc in
    0) status=ok ;;
    124 | 137) status="timed out after ${max}s" ;;
    *) status="failed (exit $rc): $(tail -n 3 "$work/logs/$name.log" | tr '\n|' '  ' | cut -c1-200)" ;;
  esac
  log "$name: $status ($(($(date +%s) - t0))s)"
  stage_list+=("$name|$status|$(($(date +%s) - t0))")
  [[ $rc == 0 ]]
}

# --------------------------------------------------------------------------- setup
if ((dry)); then
  py=${PYTHON:-/usr/bin/python3}  # Debian's: torch 1.13, torchvision, numpy, scipy, PIL
  build=${BUILD_DIR:-$root/build}
  device=cpu
  results=${RESULTS:-$work/gan-gpu.md}
  gpu="the CPU ($(nproc) cores)"
  tiny=(--cbase 256 --cmax 16 --z-dim 32 --w-dim 32 --threads "$(nproc)")
  batch=4
  kimg=${KIMG:-0.008}
  tick=${TICK:-0.004}
else
  py=${PYTHON:-python3}
  build=${BUILD_DIR:-$root/build-gpu}
  device=cuda
  results=${RESULTS:-$root/tests/bench/results/gan-gpu.md}
  command -v nvidia-smi >/dev/null || { log "no nvidia-smi: not a CUDA machine (--dry-run runs on the CPU)"; exit 69; }
  gpu=$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | head -1)
  tiny=()
  batch=32
fi
[[ -d "$bundle/deps" ]] || { log "$bundle: no bundle (run scripts/gpu-bundle.sh here and carry build-gpu-bundle)"; exit 66; }
torch_version=$("$py" -c 'import torch; print(torch.__version__, "CUDA", torch.version.cuda)' 2>/dev/null || echo "none")
log "$gpu; python torch $torch_version; work in $work"
bin=$build/bin
export py build bundle root work  # for the stages that are shell functions

# ------------------------------------------- NVIDIA's code, patched; its plugins early
# Its two CUDA plugins compile at first use (a minute or two of nvcc): they compile in
# the background while the toolkit builds, into the cache its timed run then loads.
nv_src=$bundle/stylegan2-ada-pytorch
nv_repo=$work/nvidia-repo
nv_ready=0
plugins_pid=""
if [[ -d "$nv_src" ]] && stage nvidia-prepare 5 60 "$py" "$bench/nvidia_stylegan2.py" prepare "$nv_src" "$nv_repo"; then
  tail -n 1 "$work/logs/nvidia-prepare.log" >"$work/json/nvidia-prepare.json"
  nv_ready=1
  MAX_JOBS=$(nproc)
  export TORCH_EXTENSIONS_DIR=$work/torch-extensions MAX_JOBS PYTHONUNBUFFERED=1
  if ((!dry)); then
    arch=$("$py" -c 'import torch; c = torch.cuda.get_device_capability(); print(f"{c[0]}.{c[1]}")' 2>/dev/null) &&
      export TORCH_CUDA_ARCH_LIST=$arch
    (cd "$nv_repo" && timeout 400 "$py" -c 'from torch_utils.ops import bias_act, upfirdn2d
print("bias_act", bias_act._init(), "upfirdn2d", upfirdn2d._init())') >"$work/logs/nvidia-plugins.log" 2>&1 &
    plugins_pid=$!
  fi
fi

# ----------------------------------------------------------------------------- build
build_toolkit() {
  local prefix abi
  prefix=$("$py" -c 'import torch; print(torch.utils.cmake_prefix_path)') || return 69
  abi=$("$py" -c 'import torch; print(int(torch.compiled_with_cxx11_abi()))') || return 69
  local gen=() common=(-DCMAKE_BUILD_TYPE=Release -DCMAKE_POLICY_VERSION_MINIMUM=3.5)
  command -v ninja >/dev/null && gen=(-G Ninja)
  # googletest from the bundle's source, with the C++ ABI of the machine's LibTorch.
  cmake -S "$bundle/deps/src/googletest" -B "$build/gtest" "${gen[@]}" "${common[@]}" \
    -DBUILD_GMOCK=OFF -DINSTALL_GTEST=ON -DCMAKE_INSTALL_PREFIX="$build/gtest-install" \
    -DCMAKE_CXX_FLAGS="-D_GLIBCXX_USE_CXX11_ABI=$abi" -DCMAKE_POSITION_INDEPENDENT_CODE=ON || return 1
  cmake --build "$build/gtest" -j "$(nproc)" --target install || return 1
  local arch
  arch=$("$py" -c 'import torch; c = torch.cuda.get_device_capability(); print(f"{c[0]}.{c[1]}")' 2>/dev/null || echo "")
  cmake -S "$root" -B "$build" "${gen[@]}" "${common[@]}" \
    -DCMAKE_PREFIX_PATH="$prefix;$bundle/deps;$build/gtest-install" -DXR_BUILD_TESTS=ON -DXR_BUILD_BENCH=OFF \
    ${arch:+-DTORCH_CUDA_ARCH_LIST=$arch} ${CUDA_HOME:+-DCUDAToolkit_ROOT=$CUDA_HOME} || return 1
  cmake --build "$build" -j "$(nproc)" --target gan-train gan-sample fid-kid inc3-train xr-phantom xr-crop \
    test_gan_precision
}

if ((dry)); then
  # The device's configuration path: every dependency the bundle carries must be taken
  # from it (the prefix path comes before the system's), LibTorch being Debian's here.
  dry_configure() {
    local gen=()
    command -v ninja >/dev/null && gen=(-G Ninja)
    cmake -S "$bundle/deps/src/googletest" -B "$work/cfg/gtest" "${gen[@]}" -DBUILD_GMOCK=OFF -DINSTALL_GTEST=ON \
      -DCMAKE_INSTALL_PREFIX="$work/cfg/gtest-install" -DCMAKE_POSITION_INDEPENDENT_CODE=ON || return 1
    cmake --build "$work/cfg/gtest" -j "$(nproc)" --target install || return 1
    cmake -S "$root" -B "$work/cfg/xr" "${gen[@]}" -DCMAKE_PREFIX_PATH="$bundle/deps;$work/cfg/gtest-install" \
      -DXR_BUILD_TESTS=ON -DXR_BUILD_BENCH=OFF || return 1
    local key value bad=0
    for key in PNG_LIBRARY_RELEASE PNG_PNG_INCLUDE_DIR ZLIB_LIBRARY_RELEASE ZLIB_INCLUDE_DIR CLI11_DIR \
      nlohmann_json_DIR Eigen3_DIR GTest_DIR; do
      value=$(sed -n "s/^$key:[A-Z]*=//p" "$work/cfg/xr/CMakeCache.txt")
      echo "$key=$value"
      [[ "$value" == "$bundle"/* || "$value" == "$work/cfg/gtest-install"/* ]] || { echo "  not from the bundle"; bad=1; }
    done
    ((bad)) && return 1
    # One object each that needs libpng + zlib, CLI11 + nlohmann-json, Eigen, googletest.
    if [[ ${#gen[@]} -gt 0 ]]; then
      ninja -C "$work/cfg/xr" CMakeFiles/xr_core.dir/lib/core/image_io.cpp.o CMakeFiles/xr_core.dir/lib/core/tool_main.cpp.o \
        CMakeFiles/xr_metrics.dir/lib/metrics/fid.cpp.o CMakeFiles/test_image_io.dir/tests/unit/core/test_image_io.cpp.o
    fi
  }
  stage bundle-configure 60 400 dry_configure
  stage build 5 900 cmake --build "$build" -j 2 --target gan-train gan-sample fid-kid inc3-train xr-phantom xr-crop \
    test_gan_precision
else
  stage build 60 330 build_toolkit
fi

# ------------------------------------------------------------------------ unit tests
if [[ -x "$build/tests/test_gan_precision" ]]; then
  stage unit-tests 10 90 "$build/tests/test_gan_precision" --gtest_output="json:$work/test_gan_precision.json"
  [[ -f "$work/test_gan_precision.json" ]] &&
    "$py" "$bench/gan_gpu_report.py" gtest "$work/test_gan_precision.json" >"$work/json/unit-tests.json"
fi

# ------------------------------------------------------------------------------ data
data=${DATA:-}
if [[ -z "$data" && -d "$bundle/data128" ]]; then
  data=$bundle/data128
  source_note="$(cat "$bundle/data128/SOURCE" 2>/dev/null || echo "$data")"
elif [[ -z "$data" && -x "$bin/xr-phantom" ]]; then
  data=$work/data
  "$bin/xr-phantom" -q -n 640 --size 256 --classes COVID,Normal,"Viral Pneumonia" "$work/raw" >/dev/null &&
    "$bin/xr-crop" -q --size 128 "$work/raw" "$data" >/dev/null
  source_note="synthetic (xr-phantom -n 640, xr-crop --size 128)"
else
  source_note=${data:-none}
fi
if ((dry)) && [[ -n "$data" ]]; then  # a few images a class: the CPU is slow
  small=$work/data-small
  while IFS= read -r cls; do
    mkdir -p "$small/$cls"
    find "$data/$cls" -maxdepth 1 -name '*.png' | sort | head -4 | xargs -d '\n' -r cp -t "$small/$cls"
  done < <(cd "$data" && find . -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
  data=$small
  source_note="$source_note, 4 images a class"
fi

# ------------------------------------------------------------------------- gan-train
mem_sampler() {  # GPU memory in use every 0.5 s, into $1, until killed
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 500 >"$1" 2>/dev/null
}
time_gan_train() {
  local prec=$1 run=$work/run-$1 sampler=""
  [[ -x "$bin/gan-train" && -n "$data" ]] || return 0
  local cmd=("$bin/gan-train" -q --data "$data" --out "$run" --device "$device" --batch "$batch" --gamma 1.024
             --aug ada --kimg "$kimg" --tick "$tick" --snap 100000 --metric-features none --precision "$prec" --seed 0
             "${tiny[@]}")
  if ((!dry)); then
    mem_sampler "$work/gpu-mem-$prec.log" &
    sampler=$!
  fi
  if stage "gan-train-$prec" 30 120 "${cmd[@]}"; then
    "$py" "$bench/gan_gpu_report.py" gan-train "$run" "$work/gpu-mem-$prec.log" >"$work/json/gan-train-$prec.json"
    # The result must be usable: a grid from its best snapshot.
    stage "gan-sample-$prec" 10 30 "$bin/gan-sample" -q --model "$run/best.safetensors" --grid "$work/grid-$prec.png" \
      --device "$device"
  fi
  [[ -n "$sampler" ]] && kill "$sampler" 2>/dev/null
  return 0
}
read -r -a precision_list <<<"$precisions"
# The first precision (the default, fp16) before NVIDIA's run: the pair the ratio is of.
((${#precision_list[@]})) && time_gan_train "${precision_list[0]}"

# -------------------------------------------------------------------- NVIDIA official
if ((nv_ready)) && [[ -n "$data" ]] &&
  stage nvidia-dataset 5 60 "$py" "$bench/nvidia_stylegan2.py" dataset "$data" "$work/nvidia-data"; then
  if ((dry)); then
    stage nvidia-check 5 120 "$py" "$bench/nvidia_stylegan2.py" train "$nv_repo" "$work/nvidia-data" \
      "$work/nvidia-run" --check --stub-missing &&
      tail -n 1 "$work/logs/nvidia-check.log" >"$work/json/nvidia-check.json"
  else
    if [[ -n "$plugins_pid" ]]; then
      log "waiting for NVIDIA's plugins to compile"
      wait "$plugins_pid"
      log "plugins: $(tail -n 1 "$work/logs/nvidia-plugins.log")"
    fi
    mem_sampler "$work/gpu-mem-nvidia.log" &
    sampler=$!
    stage nvidia-train 60 300 "$py" "$bench/nvidia_stylegan2.py" train "$nv_repo" "$work/nvidia-data" \
      "$work/nvidia-run" --kimg "$nv_kimg" --tick "$nv_tick"
    kill "$sampler" 2>/dev/null
    [[ -f "$work/nvidia-run/stats.jsonl" ]] &&
      "$py" "$bench/nvidia_stylegan2.py" summary "$work/nvidia-run" "$work/gpu-mem-nvidia.log" \
        >"$work/json/nvidia-train.json"
  fi
fi

for prec in "${precision_list[@]:1}"; do time_gan_train "$prec"; done

# ------------------------------------------------ fid-kid and inc3-train against eager
# Whole-process wall seconds of COMMAND, as JSON with the work described, into json/NAME.json.
timed() {
  local name=$1 work_note=$2
  shift 2
  local t0 t1
  t0=$(date +%s.%N)
  stage "$name" 15 90 "$@" || return 1
  t1=$(date +%s.%N)
  "$py" -c "import json,sys; print(json.dumps({'wall_s': $t1 - $t0, 'work': sys.argv[1]}))" "$work_note" \
    >"$work/json/$name.json"
}
if [[ -n "$data" ]]; then
  size=299
  inc3_size=128
  epochs=3
  ((dry)) && size=75 inc3_size=75 epochs=1
  n_img=$(find "$data" -name '*.png' | wc -l)
  fk_note="$n_img real + $n_img generated images (the same folder twice), Inception-v3 random weights at ${size}x${size}, per-class FID and KID"
  [[ -x "$bin/fid-kid" ]] && timed fid-kid-toolkit "$fk_note" "$bin/fid-kid" -q --features random --input-size "$size" \
    --no-cache --no-pixel-metrics --device "$device" "$data" "$data"
  timed fid-kid-eager "$fk_note" "$py" "$bench/gpu_eager_baselines.py" fid-kid "$data" "$data" --size "$size" \
    --device "$device"
  in_note="whole Inception-v3 + head from random init, $n_img images at ${inc3_size}x${inc3_size}, batch 32, $epochs epochs, validation on the same images"
  [[ -x "$bin/inc3-train" ]] && timed inc3-train-toolkit "$in_note" "$bin/inc3-train" -q --train "$data" --val "$data" \
    -o "$work/inc3" --weights none --runs 1 --epochs "$epochs" --image-size "$inc3_size" --device "$device"
  timed inc3-train-eager "$in_note" "$py" "$bench/gpu_eager_baselines.py" inc3-train "$data" "$data" \
    --size "$inc3_size" --epochs "$epochs" --device "$device"
fi

# ----------------------------------------------------------------------------- table
"$py" - "$work/json/env.json" <<PY
import json, sys
json.dump({"gpu": """$gpu""", "dry": bool($dry), "torch": """$torch_version""", "data": """$source_note""",
           "date": "$(date -u +%Y-%m-%dT%H:%MZ)", "commit": "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)",
           "command": "scripts/bench-gan-gpu.sh$( ((dry)) && echo ' --dry-run') (KIMG=$kimg TICK=$tick NVIDIA_KIMG=$nv_kimg NVIDIA_TICK=$nv_tick)",
           "precisions": """$precisions""".split(),
           "gan_settings": "128x128x1, 3 classes, batch $batch, ADA target 0.6, gamma 1.024, cbase 16384, cmax 512, map 2, "
                           "mbstd 4, R1 every 16, path length every 4, fp16-res 4, conv clamp 256, TF32 off, "
                           "no metrics; $kimg kimg, ticks of $tick kimg" + (" -- dry run: ${tiny[*]}" if $dry else ""),
           "nvidia_settings": "train.py --cfg auto --cond 1 --batch 32 --gamma 1.024 --aug ada (target 0.6, bgc), "
                              "--metrics none, no snapshots; $nv_kimg kimg, ticks of $nv_tick kimg",
           "used_s": $(elapsed), "budget_s": $budget}, open(sys.argv[1], "w"))
PY
{
  printf '{'
  sep=""
  for s in "${stage_list[@]}"; do
    IFS='|' read -r name status secs <<<"$s"
    printf '%s"%s": {"status": %s, "seconds": %s}' "$sep" "$name" \
      "$("$py" -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$status")" "$secs"
    sep=", "
  done
  printf '}\n'
} >"$work/json/stages.json"
mkdir -p "$(dirname "$results")"
"$py" "$bench/gan_gpu_report.py" render "$work" >"$results.tmp" && mv "$results.tmp" "$results"
if ((!dry)); then
  "$py" "$bench/gan_gpu_report.py" benchmarks "$root/BENCHMARKS.md" "$results"
fi
cat "$results"
if [[ -n "${OUT:-}" ]]; then
  cp "$results" "$OUT/gan-gpu.md"
  ((dry)) || cp "$root/BENCHMARKS.md" "$OUT/BENCHMARKS.md"
  grids=()
  for g in "$work"/grid-*.png; do [[ -f "$g" ]] && grids+=("$(basename "$g")"); done
  tar -czf "$OUT/logs.tar.gz" -C "$work" logs json "${grids[@]}" 2>/dev/null
fi
log "done in $(elapsed)s; table in $results"
