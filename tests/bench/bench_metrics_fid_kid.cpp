// Speed of the metric code itself on Inception-sized features (D = 2048): KID with
// the defaults (100 subsets of 1000) on 5000 real and 5000 generated images and on
// 1000 a class (the GAN trainer's case), FID on 5000 and on 1000 images, SSIM and
// the nearest-neighbour search at 128x128. The reference implementations (numpy
// / scipy) are timed side by side by tests/bench/bench_metrics_reference.py.
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include "metrics/fid.hpp"
#include "metrics/image_quality.hpp"
#include "metrics/kid.hpp"

namespace {

// Pool-feature-like data: non-negative, correlated, a few units wide.
at::Tensor features(int64_t n, uint64_t seed) {
  at::manual_seed(seed);
  const at::Tensor mix = at::randn({64, 2048}) / 8.0;
  return at::relu(at::matmul(at::randn({n, 64}), mix) + at::randn({n, 2048}) * 0.1 + 0.2).contiguous();
}

void BM_Kid(benchmark::State& state) {
  const int64_t n = state.range(0);
  const at::Tensor real = features(n, 1), fake = features(n, 2) * 1.05;
  for (auto _ : state) benchmark::DoNotOptimize(xr::metrics::kid(real, fake, 100, 1000, 0).mean);
}
BENCHMARK(BM_Kid)->Arg(1000)->Arg(5000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

void BM_KidPerSubset(benchmark::State& state) {  // the references' algorithm, for the ratio
  const int64_t n = state.range(0);
  const at::Tensor real = features(n, 1), fake = features(n, 2) * 1.05;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        xr::metrics::kid_subset_values(real, fake, 100, 1000, 0, xr::metrics::KidMethod::kPerSubset));
  }
}
BENCHMARK(BM_KidPerSubset)->Arg(1000)->Arg(5000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

void BM_Fid(benchmark::State& state) {
  const int64_t n = state.range(0);
  const at::Tensor real = features(n, 1), fake = features(n, 2) * 1.05;
  for (auto _ : state) benchmark::DoNotOptimize(xr::metrics::fid(real, fake).fid);
}
BENCHMARK(BM_Fid)->Arg(1000)->Arg(5000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

void BM_FidEigRoute(benchmark::State& state) {  // A^1/2 by a full eigendecomposition
  const auto a = xr::metrics::feature_stats(features(5000, 1));
  const auto b = xr::metrics::feature_stats(features(5000, 2) * 1.05);
  for (auto _ : state) benchmark::DoNotOptimize(xr::metrics::trace_sqrt_product_eig(a.cov, b.cov));
}
BENCHMARK(BM_FidEigRoute)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

void BM_Ssim128(benchmark::State& state) {
  at::manual_seed(3);
  const at::Tensor px = at::randint(0, 256, {2, 128, 128}, at::kByte);
  xr::GrayImage x(128, 128), y(128, 128);
  std::memcpy(x.pixels.data(), px[0].data_ptr<uint8_t>(), 128 * 128);
  std::memcpy(y.pixels.data(), px[1].data_ptr<uint8_t>(), 128 * 128);
  for (auto _ : state) benchmark::DoNotOptimize(xr::metrics::ssim(x, y));
}
BENCHMARK(BM_Ssim128)->Unit(benchmark::kMicrosecond);

void BM_NearestNeighbours1000(benchmark::State& state) {
  at::manual_seed(4);
  const at::Tensor real = at::randint(0, 256, {1000, 1, 128, 128}, at::kByte);
  const at::Tensor fake = at::randint(0, 256, {1000, 1, 128, 128}, at::kByte);
  for (auto _ : state) benchmark::DoNotOptimize(xr::metrics::nearest_neighbours(fake, real).index.data());
}
BENCHMARK(BM_NearestNeighbours1000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
