// Speed of xr-augment's in-memory transform at the toolkit's 128 x 128, one thread:
// the target is 5x the scipy baseline (tests/bench/baseline_augment_scipy.py,
// about 2,000 images/s a core). Run both with tests/bench/run_augment_bench.sh.
#include <benchmark/benchmark.h>

#include <cstdint>

#include "augment/keras_transform.hpp"
#include "core/rng.hpp"

namespace {

xr::GrayImage test_image(int size) {
  // Texture and edges, like the baseline's images; the content does not change the
  // work done, only keeps the compiler from seeing a constant.
  xr::GrayImage img(size, size);
  xr::Rng rng(1);
  for (auto& p : img.pixels) p = static_cast<uint8_t>(rng.below(256));
  return img;
}

// The whole Keras-style step per image: draw the seven parameters, compose the
// matrix, one bilinear resampling with edge replication and brightness.
void BM_AugmentTransform(benchmark::State& state) {
  const int size = static_cast<int>(state.range(0));
  const xr::GrayImage in = test_image(size);
  xr::GrayImage out;
  xr::Rng rng(42);
  const xr::augment::AugmentRanges ranges;
  for (auto _ : state) {
    const xr::augment::AugmentParams p = xr::augment::draw_params(ranges, size, size, rng);
    xr::augment::warp_affine_bilinear(in, xr::augment::keras_affine(p, size, size), p.brightness, out);
    benchmark::DoNotOptimize(out.pixels.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AugmentTransform)->Arg(128)->Arg(299)->Unit(benchmark::kMicrosecond);

// The resampling alone, with one fixed map near the paper's largest parameters.
void BM_WarpOnly(benchmark::State& state) {
  const int size = static_cast<int>(state.range(0));
  const xr::GrayImage in = test_image(size);
  xr::GrayImage out;
  xr::augment::AugmentParams p;
  p.rotation_deg = 4.5;
  p.shift_rows = 0.04 * size;
  p.shift_cols = -0.03 * size;
  p.shear_deg = 2.5;
  p.zoom_rows = 0.88;
  p.zoom_cols = 1.12;
  const xr::augment::AffineMap map = xr::augment::keras_affine(p, size, size);
  for (auto _ : state) {
    xr::augment::warp_affine_bilinear(in, map, 1.2, out);
    benchmark::DoNotOptimize(out.pixels.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WarpOnly)->Arg(128)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
