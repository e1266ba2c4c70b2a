#!/usr/bin/env bash
# Packs, on this Debian 12 machine, what scripts/bench-gan-gpu.sh needs on a GPU
# machine that can fetch nothing, into build-gpu-bundle/ (ignored by git, ~40 MB):
#
#   deps/                   what the device image lacks to build the toolkit: CLI11,
#                           nlohmann-json and Eigen (headers + CMake configs), libpng and
#                           zlib (headers + shared libraries), googletest's source (built
#                           there against the device's C++ ABI)
#   stylegan2-ada-pytorch/  NVIDIA's official code as published (a git archive of the
#                           snapshot, docs/ left out); the bench patches a copy of it
#   data128/                the real sample cropped to 128x128x1 with xr-crop
#                           --ignore-masks (when $XR_SHARED_DIR/data/covid-radiography-sample
#                           exists; else the bench makes synthetic data with xr-phantom)
#
#   scripts/gpu-bundle.sh [NVIDIA_GIT_DIR]
#
# NVIDIA_GIT_DIR is a git directory of github.com/NVlabs/stylegan2-ada-pytorch (the
# session's fetch tool puts one at /work/.mirror/NVlabs+stylegan2-ada-pytorch/repo,
# the default). Needs a built toolkit (BUILD_DIR, default build/) for xr-crop. Then,
# on the device: scripts/bench-gan-gpu.sh, with build-gpu-bundle carried along.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
nvidia_git=${1:-/work/.mirror/NVlabs+stylegan2-ada-pytorch/repo}
bundle=${BUNDLE:-$root/build-gpu-bundle}
build=${BUILD_DIR:-$root/build}
shared=${XR_SHARED_DIR:-$root/../shared}
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
libdir=/usr/lib/$multiarch

fail() { echo "gpu-bundle: error: $*" >&2; exit 66; }
[[ -d "$nvidia_git" ]] || fail "$nvidia_git: no git directory of NVlabs/stylegan2-ada-pytorch (fetch it first)"
for f in /usr/include/CLI/CLI.hpp /usr/include/nlohmann/json.hpp /usr/include/eigen3/Eigen/Core /usr/include/png.h \
  /usr/include/zlib.h /usr/src/googletest/CMakeLists.txt /usr/share/cmake/CLI11/CLI11Config.cmake \
  /usr/share/cmake/nlohmann_json/nlohmann_jsonConfig.cmake /usr/share/eigen3/cmake/Eigen3Config.cmake; do
  [[ -e "$f" ]] || fail "$f: missing (scripts/install-deps installs the Debian packages)"
done

tmp=$(mktemp -d "$root/build-gpu-bundle.tmp-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
deps=$tmp/deps
mkdir -p "$deps/include" "$deps/lib" "$deps/share/cmake" "$deps/share/eigen3" "$deps/src"
cp -a /usr/include/CLI /usr/include/nlohmann /usr/include/eigen3 "$deps/include/"
cp -a /usr/share/cmake/CLI11 /usr/share/cmake/nlohmann_json "$deps/share/cmake/"
cp -a /usr/share/eigen3/cmake "$deps/share/eigen3/"
cp -a /usr/include/png.h /usr/include/pngconf.h /usr/include/pnglibconf.h /usr/include/libpng16 \
  /usr/include/zlib.h /usr/include/zconf.h "$deps/include/"
# The shared libraries with their links (libpng.so -> libpng16.so -> libpng16.so.16.x).
cp -a "$libdir"/libpng16.so* "$libdir"/libpng.so "$deps/lib/"
zlib=$(readlink -f "$libdir/libz.so")
cp "$zlib" "$deps/lib/"
ln -s "$(basename "$zlib")" "$deps/lib/libz.so.1"
ln -s "$(basename "$zlib")" "$deps/lib/libz.so"
# Every link must stay inside the bundle: a link travels to the device as a link.
if find "$tmp" -type l -lname '/*' | grep -q .; then fail "absolute links in the bundle: $(find "$tmp" -type l -lname '/*')"; fi
cp -a /usr/src/googletest "$deps/src/"

git --git-dir="$nvidia_git" archive --prefix=stylegan2-ada-pytorch/ HEAD -- . ':!docs' | tar -x -C "$tmp"
git --git-dir="$nvidia_git" rev-parse HEAD >"$tmp/stylegan2-ada-pytorch/COMMIT"

sample=$shared/data/covid-radiography-sample
if [[ -d "$sample" ]]; then
  [[ -x "$build/bin/xr-crop" ]] || fail "$build/bin/xr-crop: build the toolkit first (make build)"
  "$build/bin/xr-crop" -q --ignore-masks --size 128 "$sample" "$tmp/data128" >/dev/null
  echo "real sample ($sample, xr-crop --ignore-masks --size 128)" >"$tmp/data128/SOURCE"
else
  echo "gpu-bundle: $sample absent: the bench will train on synthetic data" >&2
fi

rm -rf "$bundle"
mv "$tmp" "$bundle"
trap - EXIT
echo "gpu-bundle: $(du -sh "$bundle" | cut -f1) in $bundle (NVIDIA commit $(cat "$bundle/stylegan2-ada-pytorch/COMMIT"))" >&2
