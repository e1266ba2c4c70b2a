// The StyleGAN2 operators against independent references: FIR resampling against a
// direct loop convolution, the fast convolution paths against the generic ones,
// modulated convolution against a per-sample unfused computation, the bilinear
// sampler against LibTorch's grid_sample and its first and second derivatives
// against finite differences.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "gan/augment.hpp"
#include "gan/networks.hpp"
#include "gan/ops.hpp"

using namespace xr::gan;

namespace {

// upfirdn2d by its definition, with loops: zero insertion, pad/crop, true
// convolution with f (2-D), decimation.
torch::Tensor naive_upfirdn(const torch::Tensor& x, const torch::Tensor& f2d, int up, int down, int px0, int px1,
                            int py0, int py1, double gain) {
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), k = f2d.size(0);
  const int64_t uh = h * up, uw = w * up;
  const int64_t ph = uh + py0 + py1, pw = uw + px0 + px1;
  auto xa = x.accessor<double, 4>();
  auto fa = f2d.accessor<double, 2>();
  auto padded = [&](int64_t b, int64_t ch, int64_t y, int64_t xx) -> double {
    const int64_t uy = y - py0, ux = xx - px0;  // position in the up-sampled image
    if (uy < 0 || ux < 0 || uy >= uh || ux >= uw) return 0.0;
    if (uy % up || ux % up) return 0.0;
    return xa[b][ch][uy / up][ux / up];
  };
  const int64_t oh = ph - k + 1, ow = pw - k + 1;
  torch::Tensor out = torch::zeros({n, c, (oh + down - 1) / down, (ow + down - 1) / down}, torch::kFloat64);
  auto oa = out.accessor<double, 4>();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t y = 0; y < oh; y += down)
        for (int64_t xx = 0; xx < ow; xx += down) {
          double s = 0;
          // out(y) = sum_i p(y + i) * f(k - 1 - i): convolution with f.
          for (int64_t i = 0; i < k; ++i)
            for (int64_t j = 0; j < k; ++j) s += padded(b, ch, y + i, xx + j) * fa[k - 1 - i][k - 1 - j];
          oa[b][ch][y / down][xx / down] = s * gain;
        }
  return out;
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

torch::Tensor filter_f64() { return default_resample_filter().to(torch::kFloat64); }

}  // namespace

TEST(Filter, SetupNormalisesAndKeepsLongFiltersSeparable) {
  const auto f = setup_filter({1, 3, 3, 1});
  ASSERT_EQ(f.dim(), 2);
  EXPECT_NEAR(f.sum().item<double>(), 1.0, 1e-6);
  EXPECT_NEAR(f[1][2].item<double>(), 9.0 / 64.0, 1e-7);
  const auto hz = setup_filter(sym6_taps());
  ASSERT_EQ(hz.dim(), 1);
  EXPECT_EQ(hz.size(0), 12);
  EXPECT_NEAR(hz.sum().item<double>(), 1.0, 1e-6);
}

TEST(Upfirdn, MatchesLoopDefinitionUpDownAndCrop) {
  torch::manual_seed(1);
  const auto x = torch::randn({2, 3, 5, 6}, torch::kFloat64);
  const auto f = filter_f64();
  EXPECT_LT(max_abs_diff(upfirdn2d(x, f, 2, 1, {2, 1, 2, 1}, false, 4.0), naive_upfirdn(x, f, 2, 1, 2, 1, 2, 1, 4.0)),
            1e-12);
  EXPECT_LT(max_abs_diff(upfirdn2d(x, f, 1, 2, {1, 1, 1, 1}), naive_upfirdn(x, f, 1, 2, 1, 1, 1, 1, 1.0)), 1e-12);
  EXPECT_LT(max_abs_diff(upfirdn2d(x, f, 1, 1, {3, 2, 1, 0}), naive_upfirdn(x, f, 1, 1, 3, 2, 1, 0, 1.0)), 1e-12);
  // Negative padding crops.
  const auto big = upfirdn2d(x, f, 1, 1, {3, 3, 3, 3});
  const auto cropped = upfirdn2d(x, f, 1, 1, {2, 1, 3, 2});
  EXPECT_LT(max_abs_diff(cropped, big.slice(2, 0, big.size(2) - 1).slice(3, 1, big.size(3) - 2)), 1e-12);
  // A separable (1-D) filter equals its 2-D outer product.
  const auto taps = torch::tensor(sym6_taps(), torch::kFloat64);
  const auto f2 = torch::outer(taps, taps);
  EXPECT_LT(max_abs_diff(upfirdn2d(x, taps, 2, 1, {6, 5, 6, 5}, true, 4.0),
                         upfirdn2d(x, f2, 2, 1, {6, 5, 6, 5}, true, 4.0)),
            1e-12);
}

TEST(Upfirdn, ResamplingKeepsConstantsAndSizes) {
  const auto x = torch::full({1, 1, 8, 8}, 0.7, torch::kFloat64);
  const auto up = upsample2d(x, filter_f64());
  ASSERT_EQ(up.size(2), 16);
  // Interior (away from the zero padding) stays constant: the gain is right.
  EXPECT_NEAR(up.slice(2, 2, 14).slice(3, 2, 14).min().item<double>(), 0.7, 1e-12);
  EXPECT_NEAR(up.slice(2, 2, 14).slice(3, 2, 14).max().item<double>(), 0.7, 1e-12);
  const auto down = downsample2d(x, filter_f64());
  ASSERT_EQ(down.size(2), 4);
  EXPECT_NEAR(down[0][0][2][2].item<double>(), 0.7, 1e-12);
}

TEST(ConvResample, FastPathsEqualGenericForms) {
  torch::manual_seed(2);
  const auto f = filter_f64();
  const auto x = torch::randn({2, 3, 8, 8}, torch::kFloat64);
  const auto w3 = torch::randn({4, 3, 3, 3}, torch::kFloat64);
  const auto w1 = torch::randn({4, 3, 1, 1}, torch::kFloat64);
  // Up: transposed convolution == zero insertion + FIR, then convolution (flipped w).
  const auto up_generic = torch::conv2d(upfirdn2d(x, f, 2, 1, {3, 2, 3, 2}, false, 4.0), w3.flip({2, 3}));
  EXPECT_LT(max_abs_diff(conv2d_resample(x, w3, f, 2, 1, 1), up_generic), 1e-10);
  // Down, 3x3: FIR + strided conv == padded conv, FIR, decimation.
  const auto down_generic = upfirdn2d(torch::conv2d(torch::constant_pad_nd(x, {2, 2, 2, 2}), w3), f, 1, 2);
  EXPECT_LT(max_abs_diff(conv2d_resample(x, w3, f, 1, 2, 1), down_generic), 1e-10);
  // Down, 1x1.
  const auto down1_generic = upfirdn2d(torch::conv2d(torch::constant_pad_nd(x, {1, 1, 1, 1}), w1), f, 1, 2);
  EXPECT_LT(max_abs_diff(conv2d_resample(x, w1, f, 1, 2, 0), down1_generic), 1e-10);
  // Grouped transposed path: groups of the batch trick.
  const auto xg = x.reshape({1, 6, 8, 8});
  const auto wg = torch::randn({8, 3, 3, 3}, torch::kFloat64);
  const auto yg = conv2d_resample(xg, wg, f, 2, 1, 1, 2);
  for (int g = 0; g < 2; ++g) {
    const auto ref = conv2d_resample(x.narrow(0, g, 1), wg.narrow(0, 4 * g, 4), f, 2, 1, 1);
    EXPECT_LT(max_abs_diff(yg.narrow(1, 4 * g, 4), ref), 1e-10);
  }
}

TEST(ModulatedConv, FusedAndUnfusedEqualPerSampleReference) {
  torch::manual_seed(3);
  const auto f = filter_f64();
  for (int up : {1, 2}) {
    for (bool demod : {true, false}) {
      const auto x = torch::randn({3, 4, 6, 6}, torch::kFloat64);
      const auto weight = torch::randn({5, 4, 3, 3}, torch::kFloat64);
      const auto styles = torch::randn({3, 4}, torch::kFloat64);
      const int res = 6 * up;
      const auto noise = torch::randn({3, 1, res, res}, torch::kFloat64);
      std::vector<torch::Tensor> ref;
      for (int i = 0; i < 3; ++i) {
        auto wi = weight * styles[i].reshape({1, -1, 1, 1});
        if (demod) wi = wi / (wi.square().sum({1, 2, 3}, true) + 1e-8).sqrt();
        ref.push_back(conv2d_resample(x.narrow(0, i, 1), wi, f, up, 1, 1) + noise.narrow(0, i, 1));
      }
      const auto expected = torch::cat(ref, 0);
      EXPECT_LT(max_abs_diff(modulated_conv2d(x, weight, styles, noise, up, 1, f, demod, true), expected), 1e-10)
          << "fused up " << up << " demod " << demod;
      EXPECT_LT(max_abs_diff(modulated_conv2d(x, weight, styles, noise, up, 1, f, demod, false), expected), 1e-10)
          << "unfused up " << up << " demod " << demod;
    }
  }
}

TEST(BiasAct, LeakyReluGainAndClamp) {
  const auto x = torch::tensor({-10.0, -1.0, 0.5, 300.0}, torch::kFloat64).reshape({1, 4});
  const auto b = torch::tensor({0.0, 0.0, 0.5, 0.0}, torch::kFloat64);
  const auto y = bias_act(x, b, Act::kLrelu, -1, 256);
  const double g = std::sqrt(2.0);
  EXPECT_NEAR(y[0][0].item<double>(), -2.0 * g, 1e-12);
  EXPECT_NEAR(y[0][1].item<double>(), -0.2 * g, 1e-12);
  EXPECT_NEAR(y[0][2].item<double>(), 1.0 * g, 1e-12);
  EXPECT_NEAR(y[0][3].item<double>(), 256.0, 1e-12);
}

TEST(MinibatchStd, MatchesHandComputation) {
  torch::manual_seed(4);
  const auto x = torch::randn({4, 2, 3, 3}, torch::kFloat64);
  const auto y = minibatch_std(x, 2, 1);
  ASSERT_EQ(y.size(1), 3);
  // Groups are samples {0, 2} and {1, 3} (the reference's reshape [G, n, ...]).
  auto stddev = [&](int a, int b) {
    auto d = x[a] - x[b];
    return ((d / 2).square() + 1e-8).sqrt().mean().item<double>();  // population std of 2 values = |a-b|/2
  };
  EXPECT_NEAR(y[0][2][0][0].item<double>(), stddev(0, 2), 1e-9);
  EXPECT_NEAR(y[2][2][1][1].item<double>(), stddev(0, 2), 1e-9);
  EXPECT_NEAR(y[1][2][0][0].item<double>(), stddev(1, 3), 1e-9);
}

TEST(BilinearSample, EqualsGridSampleForward) {
  torch::manual_seed(5);
  const auto x = torch::randn({2, 3, 7, 9}, torch::kFloat64);
  const auto grid = torch::rand({2, 5, 4, 2}, torch::kFloat64) * 2.4 - 1.2;  // some points outside
  const auto ref = at::grid_sampler(x, grid, 0, 0, false);
  EXPECT_LT(max_abs_diff(bilinear_sample(x, grid), ref), 1e-12);
}

TEST(BilinearSample, FirstAndSecondDerivativesMatchFiniteDifferences) {
  torch::manual_seed(6);
  const auto x0 = torch::randn({1, 2, 5, 5}, torch::kFloat64);
  const auto grid0 = torch::rand({1, 4, 4, 2}, torch::kFloat64) * 1.6 - 0.8;
  const auto r = torch::randn({1, 2, 4, 4}, torch::kFloat64);
  // h = || d/dx sum(r * tanh(sample(x, grid))) ||^2: its gradient needs the sampler's
  // double derivative, as R1 through the augmentation does.
  auto h = [&](const torch::Tensor& x, const torch::Tensor& grid, bool create) {
    auto xv = x.detach().requires_grad_(true);
    auto out = (r * torch::tanh(bilinear_sample(xv, grid))).sum();
    auto g = torch::autograd::grad({out}, {xv}, {}, true, create)[0];
    return g.square().sum();
  };
  // First derivative in x and grid.
  {
    auto xv = x0.clone().requires_grad_(true);
    auto gv = grid0.clone().requires_grad_(true);
    auto out = (r * torch::tanh(bilinear_sample(xv, gv))).sum();
    auto grads = torch::autograd::grad({out}, {xv, gv});
    const double eps = 1e-6;
    for (int k = 0; k < 12; ++k) {
      const int64_t i = (k * 7) % x0.numel();
      auto xp = x0.clone(), xm = x0.clone();
      xp.view(-1)[i] += eps;
      xm.view(-1)[i] -= eps;
      const double fd = ((r * torch::tanh(bilinear_sample(xp, grid0))).sum().item<double>() -
                         (r * torch::tanh(bilinear_sample(xm, grid0))).sum().item<double>()) /
                        (2 * eps);
      EXPECT_NEAR(grads[0].view(-1)[i].item<double>(), fd, 1e-6);
      const int64_t j = (k * 5) % grid0.numel();
      auto gp = grid0.clone(), gm = grid0.clone();
      gp.view(-1)[j] += eps;
      gm.view(-1)[j] -= eps;
      const double fdg = ((r * torch::tanh(bilinear_sample(x0, gp))).sum().item<double>() -
                          (r * torch::tanh(bilinear_sample(x0, gm))).sum().item<double>()) /
                         (2 * eps);
      EXPECT_NEAR(grads[1].view(-1)[j].item<double>(), fdg, 1e-5);
    }
  }
  // Second derivative: gradient of h in x.
  {
    auto xv = x0.clone().requires_grad_(true);
    auto hv = h(xv, grid0, true);
    // h's graph runs through xv only via the inner requires_grad copy: rebuild with xv.
    auto out = (r * torch::tanh(bilinear_sample(xv, grid0))).sum();
    auto g = torch::autograd::grad({out}, {xv}, {}, true, true)[0];
    auto hh = g.square().sum();
    auto dh = torch::autograd::grad({hh}, {xv})[0];
    EXPECT_NEAR(hv.item<double>(), hh.item<double>(), 1e-12);
    const double eps = 1e-5;
    for (int k = 0; k < 12; ++k) {
      const int64_t i = (k * 11) % x0.numel();
      auto xp = x0.clone(), xm = x0.clone();
      xp.view(-1)[i] += eps;
      xm.view(-1)[i] -= eps;
      const double fd = (h(xp, grid0, false).item<double>() - h(xm, grid0, false).item<double>()) / (2 * eps);
      EXPECT_NEAR(dh.view(-1)[i].item<double>(), fd, 1e-5 * std::max(1.0, std::abs(fd)));
    }
  }
}

TEST(Augment, ColourTransformsAreExactAndGeometryNearIdentityAtPZero) {
  torch::manual_seed(7);
  // A smooth image: the wavelet resampling is nearly exact on it.
  auto yy = torch::linspace(-1, 1, 16).reshape({16, 1});
  auto xx = torch::linspace(-1, 1, 16).reshape({1, 16});
  const auto img = (0.5 * torch::sin(2 * xx) * torch::cos(1.5 * yy)).reshape({1, 1, 16, 16}).repeat({4, 1, 1, 1});
  const auto p0 = torch::zeros({});
  const auto same = augment(img, p0);
  EXPECT_LT((same - img).slice(2, 2, 14).slice(3, 2, 14).abs().max().item<double>(), 0.02);

  AugmentSpec luma;
  luma.xflip = luma.rotate90 = luma.xint = luma.scale = luma.rotate = luma.aniso = luma.xfrac = 0;
  luma.brightness = luma.contrast = 0;
  const auto flipped = augment(img, torch::ones({}), luma);
  for (int i = 0; i < 4; ++i) {
    const double plus = (flipped[i] - img[i]).abs().max().item<double>();
    const double minus = (flipped[i] + img[i]).abs().max().item<double>();
    EXPECT_LT(std::min(plus, minus), 1e-7);
  }
  AugmentSpec bright = luma;
  bright.lumaflip = 0;
  bright.brightness = 1;
  const auto shifted = augment(img, torch::ones({}), bright);
  for (int i = 0; i < 4; ++i) {
    const auto d = shifted[i] - img[i];
    EXPECT_LT((d - d.mean()).abs().max().item<double>(), 1e-6);
  }
  AugmentSpec flip = luma;
  flip.lumaflip = 0;
  flip.xflip = 1;
  const auto mirrored = augment(img, torch::ones({}), flip);
  for (int i = 0; i < 4; ++i) {
    const double as_is = (mirrored[i] - img[i]).slice(1, 2, 14).slice(2, 2, 14).abs().max().item<double>();
    const double as_flip =
        (mirrored[i] - img[i].flip({2})).slice(1, 2, 14).slice(2, 2, 14).abs().max().item<double>();
    EXPECT_LT(std::min(as_is, as_flip), 0.02);
  }
}

TEST(Augment, R1GradientThroughFullPipelineMatchesFiniteDifferences) {
  // h(x) = || d/dx sum(r * tanh(aug(x))) ||^2 with the augmentation's random draws
  // fixed by reseeding: d h / d x needs every op's double derivative.
  torch::manual_seed(8);
  const auto x0 = torch::randn({2, 1, 8, 8}, torch::kFloat64).to(torch::kFloat32).to(torch::kFloat64);
  const auto r = torch::randn({2, 1, 8, 8}, torch::kFloat64);
  const auto p = torch::full({}, 0.8);
  auto h = [&](const torch::Tensor& x, bool create, torch::Tensor* grad_out) {
    torch::manual_seed(99);
    auto xv = x.detach().to(torch::kFloat64).requires_grad_(true);
    auto out = (r * torch::tanh(augment(xv, p))).sum();
    auto g = torch::autograd::grad({out}, {xv}, {}, true, create)[0];
    auto hv = g.square().sum();
    if (grad_out) *grad_out = torch::autograd::grad({hv}, {xv})[0];
    return hv.item<double>();
  };
  torch::Tensor dh;
  h(x0, true, &dh);
  const double eps = 1e-5;
  for (int k = 0; k < 8; ++k) {
    const int64_t i = (k * 17 + 3) % x0.numel();
    auto xp = x0.clone(), xm = x0.clone();
    xp.view(-1)[i] += eps;
    xm.view(-1)[i] -= eps;
    const double fd = (h(xp, false, nullptr) - h(xm, false, nullptr)) / (2 * eps);
    EXPECT_NEAR(dh.view(-1)[i].item<double>(), fd, 1e-4 * std::max(1.0, std::abs(fd)));
  }
}

TEST(Networks, ReferenceNamesAndChannelCounts) {
  NetConfig cfg;  // the paper's settings at 128x128, 3 classes
  cfg.c_dim = 3;
  EXPECT_EQ(cfg.channels(4), 512);
  EXPECT_EQ(cfg.channels(64), 256);
  EXPECT_EQ(cfg.channels(128), 128);
  torch::manual_seed(0);
  Generator g(cfg);
  auto params = g->named_parameters();
  ASSERT_TRUE(params.contains("mapping.embed.weight"));
  EXPECT_EQ(params["mapping.embed.weight"].sizes(), (std::vector<int64_t>{512, 3}));
  EXPECT_EQ(params["mapping.fc0.weight"].sizes(), (std::vector<int64_t>{512, 1024}));
  EXPECT_FALSE(params.contains("mapping.fc2.weight"));
  EXPECT_EQ(params["synthesis.b4.const"].sizes(), (std::vector<int64_t>{512, 4, 4}));
  EXPECT_EQ(params["synthesis.b128.conv0.weight"].sizes(), (std::vector<int64_t>{128, 256, 3, 3}));
  EXPECT_EQ(params["synthesis.b128.torgb.weight"].sizes(), (std::vector<int64_t>{1, 128, 1, 1}));
  EXPECT_EQ(g->synthesis->num_ws(), 12);
  Discriminator d(cfg);
  auto dp = d->named_parameters();
  EXPECT_EQ(dp["b128.fromrgb.weight"].sizes(), (std::vector<int64_t>{128, 1, 1, 1}));
  EXPECT_EQ(dp["b128.conv1.weight"].sizes(), (std::vector<int64_t>{256, 128, 3, 3}));
  EXPECT_EQ(dp["b4.fc.weight"].sizes(), (std::vector<int64_t>{512, 512 * 16}));
  EXPECT_EQ(dp["b4.out.weight"].sizes(), (std::vector<int64_t>{512, 512}));
  EXPECT_TRUE(dp.contains("mapping.fc7.weight"));
  EXPECT_EQ(dp["b4.conv.weight"].sizes(), (std::vector<int64_t>{512, 513, 3, 3}));
}

TEST(Networks, TinyForwardShapesAndTruncation) {
  NetConfig cfg;
  cfg.resolution = 16;
  cfg.c_dim = 2;
  cfg.z_dim = cfg.w_dim = 16;
  cfg.cbase = 128;
  cfg.cmax = 16;
  torch::manual_seed(0);
  Generator g(cfg);
  Discriminator d(cfg);
  const auto z = torch::randn({4, 16});
  const auto c = torch::eye(2).repeat({2, 1});
  const auto img = g->forward(z, c, 1.0, NoiseMode::kConst, true);
  EXPECT_EQ(img.sizes(), (std::vector<int64_t>{4, 1, 16, 16}));
  // Fused and unfused modulated convolutions give the same generator.
  EXPECT_LT((img - g->forward(z, c, 1.0, NoiseMode::kConst, false)).abs().max().item<double>(), 1e-4);
  EXPECT_EQ(d->forward(img, c).sizes(), (std::vector<int64_t>{4, 1}));
  // psi = 0 puts every sample at w_avg: all images of a class are equal.
  const auto t = g->forward(z, c, 0.0, NoiseMode::kConst, true);
  EXPECT_LT((t[0] - t[2]).abs().max().item<double>(), 1e-5);
}
