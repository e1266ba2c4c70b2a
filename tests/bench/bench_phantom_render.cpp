// Images per second of xr-phantom's renderer at the tool's sizes, with and without
// the PNG encoding that the tool adds, and the encoding alone as the floor.
#include <benchmark/benchmark.h>

#include "core/image_io.hpp"
#include "core/rng.hpp"
#include "phantom/phantom.hpp"

namespace {

using namespace xr::phantom;

RenderOptions opts(int size) {
  RenderOptions o;
  o.size = size;
  return o;
}

// Renders the four classes in turn, each image from its own seed, with its mask.
void BM_Render(benchmark::State& state) {
  const RenderOptions o = opts(static_cast<int>(state.range(0)));
  int64_t i = 0;
  for (auto _ : state) {
    const Phantom p = render_phantom(static_cast<Finding>(i % 4), image_seed(1, static_cast<int>(i % 4), i), o);
    benchmark::DoNotOptimize(p.image.pixels.data());
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Render)->Arg(128)->Arg(256)->Arg(299)->Unit(benchmark::kMillisecond);

// What the tool does per image apart from the file system: render, encode image and mask.
void BM_RenderEncode(benchmark::State& state) {
  const RenderOptions o = opts(static_cast<int>(state.range(0)));
  int64_t i = 0;
  for (auto _ : state) {
    const Phantom p = render_phantom(static_cast<Finding>(i % 4), image_seed(1, static_cast<int>(i % 4), i), o);
    benchmark::DoNotOptimize(xr::encode_png_gray8(p.image).size());
    benchmark::DoNotOptimize(xr::encode_png_gray8(p.mask).size());
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RenderEncode)->Arg(256)->Unit(benchmark::kMillisecond);

// Baseline measured side by side: PNG-encoding an already rendered image and mask,
// the part of the work the renderer cannot change.
void BM_EncodeOnly(benchmark::State& state) {
  const RenderOptions o = opts(static_cast<int>(state.range(0)));
  const Phantom p = render_phantom(Finding::kNormal, 1, o);
  for (auto _ : state) {
    benchmark::DoNotOptimize(xr::encode_png_gray8(p.image).size());
    benchmark::DoNotOptimize(xr::encode_png_gray8(p.mask).size());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeOnly)->Arg(256)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
