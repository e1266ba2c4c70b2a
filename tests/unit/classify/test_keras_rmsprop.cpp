// KerasRmsprop against hand-computed steps of Keras' rule
// (rms = rho*rms + (1-rho)*g^2; w -= lr*g/(sqrt(rms) + eps), eps outside the root).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "classify/keras_rmsprop.hpp"

using xr::classify::KerasRmsprop;

TEST(KerasRmsprop, TwoHandComputedSteps) {
  auto w = torch::tensor({1.0, -2.0}, torch::kDouble).requires_grad_(true);
  KerasRmsprop opt({w}, {0.01, 0.9, 1e-7});
  // loss = sum(w^2 * [1, 3]) -> g = [2 w0, 6 w1] = [2, -12]
  auto step = [&] {
    opt.zero_grad();
    (w * w * torch::tensor({1.0, 3.0}, torch::kDouble)).sum().backward();
    opt.step();
  };
  step();
  // rms = 0.1 * g^2 = [0.4, 14.4]; w -= 0.01 * g / (sqrt(rms) + 1e-7)
  double w0 = 1.0 - 0.01 * 2.0 / (std::sqrt(0.4) + 1e-7);
  double w1 = -2.0 + 0.01 * 12.0 / (std::sqrt(14.4) + 1e-7);
  EXPECT_NEAR(w[0].item<double>(), w0, 1e-15);
  EXPECT_NEAR(w[1].item<double>(), w1, 1e-15);
  step();
  const double g0 = 2 * w0, g1 = 6 * w1;
  const double r0 = 0.9 * 0.4 + 0.1 * g0 * g0, r1 = 0.9 * 14.4 + 0.1 * g1 * g1;
  w0 -= 0.01 * g0 / (std::sqrt(r0) + 1e-7);
  w1 -= 0.01 * g1 / (std::sqrt(r1) + 1e-7);
  EXPECT_NEAR(w[0].item<double>(), w0, 1e-15);
  EXPECT_NEAR(w[1].item<double>(), w1, 1e-15);
  EXPECT_NEAR(opt.rms()[0][0].item<double>(), r0, 1e-15);
}

TEST(KerasRmsprop, EpsilonSitsOutsideTheSquareRoot) {
  // With a tiny gradient the two placements differ by orders of magnitude:
  // g = 1e-6, rms = 0.1 g^2 = 1e-13: eps outside -> step lr * 1e-6 / (3.16e-7 + 1e-7)
  // = 2.4e-3; eps inside -> lr * 1e-6 / sqrt(1e-13 + 1e-7) = 3.2e-6.
  auto w = torch::zeros({1}, torch::kDouble).requires_grad_(true);
  KerasRmsprop opt({w});
  opt.zero_grad();
  (w * 1e-6).sum().backward();
  opt.step();
  const double outside = -1e-3 * 1e-6 / (std::sqrt(0.1 * 1e-12) + 1e-7);
  const double inside = -1e-3 * 1e-6 / std::sqrt(0.1 * 1e-12 + 1e-7);
  EXPECT_NEAR(w.item<double>(), outside, 1e-18);
  EXPECT_GT(std::abs(w.item<double>() - inside), 1e-7);
}

TEST(KerasRmsprop, ParametersWithoutGradientStay) {
  auto a = torch::ones({2}).requires_grad_(true);
  auto b = torch::ones({2}).requires_grad_(true);
  KerasRmsprop opt({a, b});
  opt.zero_grad();
  (a * 2).sum().backward();
  opt.step();
  EXPECT_TRUE(torch::equal(b, torch::ones({2})));
  EXPECT_FALSE(torch::equal(a, torch::ones({2})));
}
