// inc3-train's two costs on the CPU: the frozen base's one feature pass
// (Inception-v3 at 128x128, eval, batch norm folded, batch 32) and one epoch of the
// head on cached 8192-value features (the paper's 8,000 training images, batch
// 32, plus validation on 5,446). tests/bench/classify_bench.sh runs this beside the
// PyTorch baseline and extrapolates a whole --runs 5 training.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "classify/classifier.hpp"
#include "classify/features.hpp"
#include "classify/fit.hpp"
#include "core/log.hpp"

namespace cls = xr::classify;

static void BM_FeaturePass128(benchmark::State& state) {
  xr::log::set_level(xr::log::Level::kQuiet);
  torch::manual_seed(0);
  cls::Inc3Classifier model(3, 128);
  const int64_t n = state.range(0);
  const auto pixels = (torch::rand({n, 1, 128, 128}) * 255).to(torch::kByte);
  for (auto _ : state) {
    auto f = cls::compute_base_features(*model->base, pixels, 128, torch::kCPU, 32, "bench");
    benchmark::DoNotOptimize(f.data_ptr<float>());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_FeaturePass128)->Arg(64)->Unit(benchmark::kSecond)->UseRealTime();

static void BM_HeadEpoch(benchmark::State& state) {
  xr::log::set_level(xr::log::Level::kQuiet);
  torch::manual_seed(0);
  const int64_t n_train = state.range(0), n_val = state.range(1);
  const auto train = torch::randn({n_train, 8192});
  const auto val = torch::randn({n_val, 8192});
  std::vector<int64_t> yt(n_train), yv(n_val);
  for (int64_t i = 0; i < n_train; ++i) yt[i] = i % 3;
  for (int64_t i = 0; i < n_val; ++i) yv[i] = i % 3;
  cls::ClassifierHead head(8192, 3);
  cls::FitOptions o;
  o.epochs = 1;
  for (auto _ : state) {
    auto r = cls::fit(
        *head,
        [&](bool is_val, const std::vector<int64_t>& idx) {
          return head->forward((is_val ? val : train).index_select(0, torch::tensor(idx, torch::kLong)));
        },
        yt, yv, o);
    benchmark::DoNotOptimize(r.best_epoch);
  }
  state.SetItemsProcessed(state.iterations() * n_train);
}
BENCHMARK(BM_HeadEpoch)->Args({8000, 5446})->Unit(benchmark::kSecond)->UseRealTime();

BENCHMARK_MAIN();
