// Feature extraction throughput (images/s) of xr::nn::InceptionV3 on the CPU:
// pool features of a batch at 299x299 and 128x128, eval mode, under each
// optimisation. The PyTorch baseline is tests/bench/bench_nn_torchvision.py; run both
// side by side with tests/bench/bench_nn_inception.sh.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "nn/inception_v3.hpp"

namespace {

enum Mode { kNoGrad = 0, kInference = 1, kFolded = 2, kFoldedChannelsLast = 3 };
const char* kModeNames[] = {"nograd", "inference_mode", "folded", "folded_channels_last"};

void BM_InceptionFeatures(benchmark::State& state) {
  const int64_t size = state.range(0), batch = state.range(1);
  const auto mode = static_cast<Mode>(state.range(2));
  torch::manual_seed(0);
  xr::nn::InceptionV3 net;
  net->eval();
  if (mode >= kFolded) net->fold_batch_norm();
  if (mode == kFoldedChannelsLast) net->set_channels_last(true);
  auto x = torch::rand({batch, 3, size, size}) * 2 - 1;
  auto run = [&] {
    if (mode == kNoGrad) {
      torch::NoGradGuard g;
      return net->features(x);
    }
    c10::InferenceMode g;
    return net->features(x);
  };
  run();  // warm-up: oneDNN picks its kernels on the first call
  for (auto _ : state) {
    auto f = run();
    benchmark::DoNotOptimize(f.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * batch);
  state.SetLabel(kModeNames[mode]);
}

void args(benchmark::internal::Benchmark* b) {
  for (int64_t size : {299, 128}) {
    for (int mode = 0; mode < 4; ++mode) b->Args({size, 8, mode});
  }
}
BENCHMARK(BM_InceptionFeatures)->Apply(args)->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  // Same thread count as the Python baseline (XR_BENCH_THREADS, default: all cores).
  if (const char* t = std::getenv("XR_BENCH_THREADS")) torch::set_num_threads(std::atoi(t));
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
