// The head and the training loop on synthetic cached features: a linearly
// separable set must be learnt, the best validation epoch kept, a non-finite loss
// stopped, and the flatten order must be Keras' channels-last one.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "classify/fit.hpp"
#include "classify/head.hpp"
#include "core/errors.hpp"
#include "core/rng.hpp"

using namespace xr::classify;

namespace {

struct Synthetic {
  torch::Tensor x;
  std::vector<int64_t> y;
};

// Three Gaussian clouds around well separated centres in 16 dimensions.
Synthetic clouds(int per_class, uint64_t seed) {
  xr::Rng rng(seed);
  Synthetic s;
  std::vector<float> v;
  for (int c = 0; c < 3; ++c) {
    for (int i = 0; i < per_class; ++i) {
      for (int d = 0; d < 16; ++d) v.push_back(static_cast<float>((d % 3 == c ? 3.0 : 0.0) + 0.5 * rng.normal()));
      s.y.push_back(c);
    }
  }
  s.x = torch::tensor(v).reshape({3 * per_class, 16});
  return s;
}

torch::Tensor rows(const torch::Tensor& x, const std::vector<int64_t>& idx) {
  return x.index_select(0, torch::tensor(idx, torch::kLong));
}

}  // namespace

TEST(Head, FlattenIsChannelsLast) {
  // [1, C=2, H=2, W=2]: value = 100*c + 10*h + w.
  auto fm = torch::zeros({1, 2, 2, 2});
  for (int c = 0; c < 2; ++c)
    for (int h = 0; h < 2; ++h)
      for (int w = 0; w < 2; ++w) fm[0][c][h][w] = 100 * c + 10 * h + w;
  const auto flat = flatten_channels_last(fm);
  ASSERT_EQ(flat.sizes(), (std::vector<int64_t>{1, 8}));
  const std::vector<float> expect = {0, 100, 1, 101, 10, 110, 11, 111};  // (h, w, c) order
  for (int i = 0; i < 8; ++i) EXPECT_EQ(flat[0][i].item<float>(), expect[i]) << i;
}

TEST(Head, ShapesNamesAndKerasInit) {
  torch::manual_seed(1);
  ClassifierHead head(8192, 3);
  EXPECT_EQ(head->forward(torch::zeros({5, 8192})).sizes(), (std::vector<int64_t>{5, 3}));
  EXPECT_EQ(describe_head(*head), "Flatten(8192) -> Dense 10 ELU -> Dense 20 ELU -> Dense 3 softmax");
  std::vector<std::string> names;
  for (const auto& p : head->named_parameters()) names.push_back(p.key());
  EXPECT_EQ(names, (std::vector<std::string>{"dense1.weight", "dense1.bias", "dense2.weight", "dense2.bias",
                                              "logits.weight", "logits.bias"}));
  // Glorot uniform: |w| <= sqrt(6 / (fan_in + fan_out)); zero biases.
  EXPECT_LE(head->dense1->weight.abs().max().item<double>(), std::sqrt(6.0 / (8192 + 10)) + 1e-7);
  EXPECT_GT(head->dense1->weight.abs().max().item<double>(), 0.9 * std::sqrt(6.0 / (8192 + 10)));
  EXPECT_EQ(head->dense2->bias.abs().sum().item<double>(), 0.0);
}

TEST(Fit, LearnsALinearlySeparableSet) {
  const Synthetic train = clouds(40, 1), val = clouds(20, 2);
  torch::manual_seed(3);
  ClassifierHead head(16, 3);
  FitOptions o;
  o.epochs = 8;
  o.seed = 5;
  int epochs_seen = 0;
  const FitResult r = fit(
      *head,
      [&](bool is_val, const std::vector<int64_t>& idx) {
        return head->forward(rows(is_val ? val.x : train.x, idx));
      },
      train.y, val.y, o, [&](const EpochStats&) { ++epochs_seen; });
  EXPECT_EQ(epochs_seen, 8);
  ASSERT_EQ(r.history.size(), 8u);
  EXPECT_GE(r.best_val_accuracy, 0.95);
  EXPECT_LT(r.history.back().train_loss, r.history.front().train_loss);
  // The kept weights are the best epoch's: evaluating them gives its accuracy.
  torch::NoGradGuard no_grad;
  const auto pred = head->forward(val.x).argmax(1);
  const double acc = pred.eq(torch::tensor(val.y)).to(torch::kDouble).mean().item<double>();
  EXPECT_DOUBLE_EQ(acc, r.best_val_accuracy);
  EXPECT_EQ(r.kept_epoch, r.best_epoch);
}

TEST(Fit, SameSeedSameHistory) {
  const Synthetic train = clouds(20, 1), val = clouds(10, 2);
  auto once = [&] {
    torch::manual_seed(3);
    ClassifierHead head(16, 3);
    FitOptions o;
    o.epochs = 2;
    o.seed = 9;
    return fit(
        *head, [&](bool v, const std::vector<int64_t>& idx) { return head->forward(rows(v ? val.x : train.x, idx)); },
        train.y, val.y, o);
  };
  const FitResult a = once(), b = once();
  EXPECT_EQ(a.history.back().train_loss, b.history.back().train_loss);
  EXPECT_EQ(a.history.back().val_loss, b.history.back().val_loss);
}

TEST(Fit, NonFiniteLossStopsWithInternalError) {
  const Synthetic train = clouds(4, 1), val = clouds(4, 2);
  ClassifierHead head(16, 3);
  FitOptions o;
  o.label = "run 1";
  try {
    fit(*head,
        [&](bool, const std::vector<int64_t>& idx) {
          return head->forward(rows(train.x, idx)) * std::numeric_limits<float>::quiet_NaN();
        },
        train.y, val.y, o);
    FAIL() << "no error";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kSoftware);
    EXPECT_NE(std::string(e.what()).find("run 1 epoch 1: training loss is not finite"), std::string::npos);
  }
}

TEST(Fit, BalancedClassWeightsAsSklearn) {
  // compute_class_weight("balanced", classes=[0,1,2], y=[0,0,1,1,1,1,1,1,2]) = n / (k * count)
  const auto w = balanced_class_weights({0, 0, 1, 1, 1, 1, 1, 1, 2}, 3);
  EXPECT_DOUBLE_EQ(w[0], 9.0 / 6);
  EXPECT_DOUBLE_EQ(w[1], 9.0 / 18);
  EXPECT_DOUBLE_EQ(w[2], 9.0 / 3);
}
