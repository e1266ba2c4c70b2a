// Inception-v3 against torchvision 0.14, pytorch-fid's FID variant and Keras'
// InceptionV3: names and shapes of the state dict, pool features and logits on
// deterministic weights and inputs (tests/golden/nn/make_inception_golden.py), to a
// relative error below 1e-4; and each variant's reference initialisation.
#include "nn/inception_v3.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "../exit_code.hpp"
#include "det_weights.hpp"
#include "nn/safetensors.hpp"

namespace {

using namespace xr::nn;
using xr::nn::testing::det_fill;
using xr::nn::testing::det_input;
using xr::nn::testing::det_pixels;
using xr::nn::testing::rel_error;

std::string golden(const std::string& name) {
  return xr::nn::testing::source_dir() + "/tests/golden/nn/" + name;
}

const Safetensors& goldens() {
  static const Safetensors g = read_safetensors(golden("inception_golden.safetensors"));
  return g;
}

InceptionV3 filled(InceptionArch arch) {
  InceptionV3Options o;
  o.arch = arch;
  InceptionV3 m(o);
  det_fill(*m);
  if (arch == InceptionArch::kKeras) {  // no BatchNorm scale: gamma is 1
    torch::NoGradGuard no_grad;
    for (auto& p : m->named_parameters()) {
      if (p.key().size() > 10 && p.key().compare(p.key().size() - 10, 10, ".bn.weight") == 0) p.value().fill_(1);
    }
  }
  m->eval();
  return m;
}

InceptionV3 filled(bool fid) { return filled(fid ? InceptionArch::kFid : InceptionArch::kTorchvision); }

TEST(InceptionV3, StateDictNamesAndShapesEqualTorchvision) {
  std::ifstream in(golden("inception_state_names.json"));
  ASSERT_TRUE(in) << golden("inception_state_names.json");
  auto names = nlohmann::json::parse(in);
  for (const auto& [key, fid, aux] : {std::tuple{"torchvision_aux", false, true},
                                      std::tuple{"fid", true, false}}) {
    InceptionV3Options o;
    o.arch = fid ? InceptionArch::kFid : InceptionArch::kTorchvision;
    o.aux_logits = aux;
    InceptionV3 m(o);
    auto state = module_state(*m);
    ASSERT_EQ(state.size(), names[key].size()) << key;
    for (const auto& entry : names[key]) {
      const auto name = entry[0].get<std::string>();
      auto it = state.find(name);
      ASSERT_NE(it, state.end()) << key << ": " << name << " missing";
      EXPECT_EQ(it->second.sizes().vec(), entry[1].get<std::vector<int64_t>>()) << name;
    }
  }
}

TEST(InceptionV3, DefaultHasNoAuxHeadAndEps0001) {
  InceptionV3 m;
  auto state = module_state(*m);
  EXPECT_EQ(state.count("AuxLogits.fc.weight"), 0u);
  EXPECT_EQ(state.at("fc.weight").sizes().vec(), (std::vector<int64_t>{1000, 2048}));
  EXPECT_EQ(m->options().num_classes, 1000);
  for (auto& mod : m->modules(false)) {
    if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(mod.get())) {
      EXPECT_DOUBLE_EQ(bn->options.eps(), 0.001);
    }
  }
  InceptionV3Options o;
  o.arch = InceptionArch::kFid;
  EXPECT_EQ(InceptionV3(o)->options().num_classes, 1008);
}

void expect_matches(InceptionV3& m, const torch::Tensor& x, const std::string& key) {
  torch::NoGradGuard no_grad;
  const auto& g = goldens().tensors;
  auto feats = m->features(x);
  auto logits = m->forward(x);
  ASSERT_EQ(feats.sizes(), g.at(key + ".features").sizes());
  ASSERT_EQ(logits.sizes(), g.at(key + ".logits").sizes());
  std::printf("%s: relative error features %.2e, logits %.2e\n", key.c_str(),
              rel_error(feats, g.at(key + ".features")), rel_error(logits, g.at(key + ".logits")));
  EXPECT_LT(rel_error(feats, g.at(key + ".features")), 1e-4) << key;
  EXPECT_LT(rel_error(logits, g.at(key + ".logits")), 1e-4) << key;
}

TEST(InceptionV3, TorchvisionFeaturesAndLogitsMatchPython) {
  auto m = filled(false);
  expect_matches(m, det_input("input_96", {2, 3, 96, 96}), "tv96");
  expect_matches(m, det_input("input_75", {1, 3, 75, 75}), "tv75");
}

TEST(InceptionV3, FidVariantMatchesPytorchFidThroughPrepareInput) {
  auto m = filled(true);
  auto x = prepare_input(det_pixels("pixels_128", {1, 1, 128, 128}), InputStyle::kFid, 0);
  ASSERT_EQ(x.sizes().vec(), (std::vector<int64_t>{1, 3, 299, 299}));
  expect_matches(m, x, "fid299");
  expect_matches(m, det_input("input_96", {2, 3, 96, 96}), "fid96");
}

TEST(InceptionV3, KerasVariantMatchesKerasInceptionV3) {
  torch::NoGradGuard no_grad;
  auto m = filled(InceptionArch::kKeras);
  // 128x128: the last maps are 2x2, every pooled position a border one.
  const auto map = m->feature_map(det_input("input_128", {2, 3, 128, 128}));
  const auto& want = goldens().tensors.at("keras128.map");
  ASSERT_EQ(map.sizes(), want.sizes());
  EXPECT_LT(rel_error(map, want), 1e-4);
  expect_matches(m, det_input("input_96", {2, 3, 96, 96}), "keras96");
  // The pooling rule is what tells Keras from torchvision on the same weights.
  auto tv = filled(InceptionArch::kTorchvision);
  {
    torch::NoGradGuard ng;
    for (auto& p : tv->named_parameters()) {
      if (p.key().size() > 10 && p.key().compare(p.key().size() - 10, 10, ".bn.weight") == 0) p.value().fill_(1);
    }
  }
  EXPECT_GT(rel_error(tv->feature_map(det_input("input_128", {2, 3, 128, 128})), want), 1e-2);
}

TEST(InceptionV3, KerasBatchNormHasNoTrainedScaleAndMomentum099) {
  InceptionV3Options o;
  o.arch = InceptionArch::kKeras;
  InceptionV3 keras(o);
  InceptionV3 tv;
  int bns = 0;
  for (auto& mod : keras->modules(false)) {
    if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(mod.get())) {
      ++bns;
      EXPECT_FALSE(bn->weight.requires_grad());
      EXPECT_TRUE(bn->bias.requires_grad());
      EXPECT_DOUBLE_EQ(bn->options.momentum().value(), 0.01);  // Keras 0.99
      EXPECT_DOUBLE_EQ(bn->options.eps(), 0.001);
    }
  }
  EXPECT_EQ(bns, 94);  // Keras' batch_normalization_1 .. _94
  for (auto& mod : tv->modules(false)) {
    if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(mod.get())) {
      EXPECT_TRUE(bn->weight.requires_grad());
      EXPECT_DOUBLE_EQ(bn->options.momentum().value(), 0.1);
    }
  }
  EXPECT_EQ(parse_arch("keras"), InceptionArch::kKeras);
  EXPECT_STREQ(arch_name(InceptionArch::kTorchvision), "torchvision");
  EXPECT_EQ(xr_test::code_of([] { parse_arch("tensorflow"); }), xr::Exit::kUsage);
}

TEST(InceptionV3, TorchvisionInitialisationDrawsTorchvisionsNumbers) {
  std::ifstream in(golden("inception_init_torchvision.json"));
  ASSERT_TRUE(in);
  const auto j = nlohmann::json::parse(in);
  torch::manual_seed(j.at("seed").get<uint64_t>());
  InceptionV3 m;
  m->initialise();
  const auto state = module_state(*m);
  int checked = 0;
  for (const auto& [name, stats] : j.at("tensors").items()) {
    auto it = state.find(name);
    ASSERT_NE(it, state.end()) << name;
    const auto d = it->second.to(torch::kDouble).flatten();
    const double sum = stats[0].get<double>(), sq = stats[1].get<double>();
    EXPECT_NEAR(d.sum().item<double>(), sum, 1e-9 * std::max(1.0, std::abs(sq))) << name;
    EXPECT_NEAR((d * d).sum().item<double>(), sq, 1e-9 * std::max(1.0, sq)) << name;
    for (size_t i = 0; i < stats[2].size(); ++i) {
      EXPECT_EQ(d[static_cast<int64_t>(i)].item<double>(), stats[2][i].get<double>()) << name << "[" << i << "]";
    }
    ++checked;
  }
  EXPECT_GT(checked, 400);
}

// The sample mean and standard deviation of every initialised weight against the
// distribution its source names, within 4 standard errors for large tensors.
TEST(InceptionV3, InitialWeightStatisticsFollowTheReferenceFormulas) {
  for (const auto arch : {InceptionArch::kTorchvision, InceptionArch::kKeras}) {
    SCOPED_TRACE(arch_name(arch));
    torch::manual_seed(11);
    InceptionV3Options o;
    o.arch = arch;
    InceptionV3 m(o);
    m->initialise();
    int convs = 0;
    for (auto& mod : m->modules(false)) {
      torch::Tensor w;
      if (auto* c = dynamic_cast<torch::nn::Conv2dImpl*>(mod.get())) w = c->weight;
      if (auto* l = dynamic_cast<torch::nn::LinearImpl*>(mod.get())) w = l->weight;
      if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(mod.get())) {
        EXPECT_TRUE(bn->weight.eq(1).all().item<bool>());
        EXPECT_TRUE(bn->bias.eq(0).all().item<bool>());
        EXPECT_TRUE(bn->running_mean.eq(0).all().item<bool>());
        EXPECT_TRUE(bn->running_var.eq(1).all().item<bool>());
        continue;
      }
      if (!w.defined()) continue;
      ++convs;
      const double n = static_cast<double>(w.numel());
      const int64_t receptive = w.dim() == 4 ? w.size(2) * w.size(3) : 1;
      const double fan_in = static_cast<double>(w.size(1) * receptive), fan_out = static_cast<double>(w.size(0) * receptive);
      // torchvision: normal(0, 0.1) truncated at +-2 (20 sigma: a plain normal);
      // Keras: Glorot uniform on +-limit, std limit / sqrt(3).
      const double limit = std::sqrt(6.0 / (fan_in + fan_out));
      const double sd = arch == InceptionArch::kKeras ? limit / std::sqrt(3.0) : 0.1;
      const double mean = w.mean().item<double>(), std = w.std().item<double>();
      EXPECT_LT(std::abs(mean), 4 * sd / std::sqrt(n)) << w.sizes();
      EXPECT_NEAR(std, sd, 4 * sd / std::sqrt(2 * n) + 1e-6) << w.sizes();
      if (arch == InceptionArch::kKeras) {
        EXPECT_LE(w.abs().max().item<double>(), limit) << w.sizes();
      } else {
        EXPECT_LE(w.abs().max().item<double>(), 2.0);
      }
    }
    EXPECT_EQ(convs, 95);  // 94 convolutions and fc
  }
}

TEST(InceptionV3, VariantsDifferOnTheSameWeights) {
  // The FID blocks' pools must matter, or the test above would not tell them apart.
  torch::NoGradGuard no_grad;
  auto tv = filled(false);
  auto x = det_input("input_96", {2, 3, 96, 96});
  EXPECT_GT(rel_error(tv->features(x), goldens().tensors.at("fid96.features")), 1e-2);
}

TEST(InceptionV3, FoldedBatchNormGivesTheSameOutputs) {
  auto m = filled(false);
  m->fold_batch_norm();
  EXPECT_TRUE(m->batch_norm_folded());
  expect_matches(m, det_input("input_96", {2, 3, 96, 96}), "tv96");
  auto f = filled(true);
  f->fold_batch_norm();
  expect_matches(f, det_input("input_96", {2, 3, 96, 96}), "fid96");
  m->set_channels_last(true);
  expect_matches(m, det_input("input_96", {2, 3, 96, 96}), "tv96");
  m->unfold_batch_norm();
  expect_matches(m, det_input("input_96", {2, 3, 96, 96}), "tv96");  // plain, channels-last
  m->fold_batch_norm();
  m->train();
  EXPECT_FALSE(m->batch_norm_folded());
}

TEST(InceptionV3, FeatureMapAndPooling) {
  torch::NoGradGuard no_grad;
  auto m = filled(false);
  auto x = det_input("input_128", {2, 3, 128, 128});
  auto fm = m->feature_map(x);
  EXPECT_EQ(fm.sizes().vec(), (std::vector<int64_t>{2, 2048, 2, 2}));
  EXPECT_TRUE(torch::allclose(m->features(x), fm.mean({2, 3})));
  EXPECT_EQ(m->forward(x).sizes().vec(), (std::vector<int64_t>{2, 1000}));
}

TEST(InceptionV3, RejectsSmallOrWrongInput) {
  auto m = filled(false);
  torch::NoGradGuard no_grad;
  for (auto shape : {std::vector<int64_t>{1, 3, 74, 96}, std::vector<int64_t>{1, 1, 96, 96},
                     std::vector<int64_t>{3, 96, 96}}) {
    try {
      m->features(torch::zeros(shape));
      ADD_FAILURE() << "accepted " << c10::str(shape);
    } catch (const xr::Error& e) {
      EXPECT_EQ(e.code(), xr::Exit::kDataErr);
      EXPECT_NE(std::string(e.what()).find("H, W >= 75"), std::string::npos) << e.what();
    }
  }
}

TEST(InceptionV3, EvalIsDeterministic) {
  auto m = filled(false);
  auto x = det_input("input_96", {1, 3, 96, 96});
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::equal(m->forward(x), m->forward(x)));
}

TEST(PrepareInput, KerasScalesToMinusOneOne) {
  auto px = torch::tensor({0, 255, 51}, torch::kByte).view({1, 1, 1, 3});
  auto x = prepare_input(px, InputStyle::kKeras, 0);
  ASSERT_EQ(x.sizes().vec(), (std::vector<int64_t>{1, 3, 1, 3}));
  for (int c = 0; c < 3; ++c) {
    EXPECT_FLOAT_EQ(x[0][c][0][0].item<float>(), -1.0f);
    EXPECT_FLOAT_EQ(x[0][c][0][1].item<float>(), 1.0f);
    EXPECT_NEAR(x[0][c][0][2].item<float>(), 51 / 127.5 - 1, 1e-6);
  }
}

TEST(PrepareInput, TorchvisionNormalisesPerChannel) {
  auto px = torch::full({1, 1, 2, 2}, 255, torch::kByte);
  auto x = prepare_input(px, InputStyle::kTorchvision, 0);
  const double mean[3] = {0.485, 0.456, 0.406}, sd[3] = {0.229, 0.224, 0.225};
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(x[0][c][1][1].item<float>(), (1.0 - mean[c]) / sd[c], 1e-5);
  }
  auto r = prepare_input(px, InputStyle::kTorchvision, 80);
  EXPECT_EQ(r.sizes().vec(), (std::vector<int64_t>{1, 3, 80, 80}));
}

TEST(PrepareInput, FidResizesTo299AndKeepsConstants) {
  auto px = torch::full({2, 1, 128, 128}, 51, torch::kByte);
  auto x = prepare_input(px, InputStyle::kFid, 128);  // the size is ignored: always 299
  ASSERT_EQ(x.sizes().vec(), (std::vector<int64_t>{2, 3, 299, 299}));
  EXPECT_NEAR(x.min().item<float>(), 51 / 127.5 - 1, 1e-6);
  EXPECT_NEAR(x.max().item<float>(), 51 / 127.5 - 1, 1e-6);
  // Bilinear, align_corners=false: 2 pixels [0, 255] widened to 4 give
  // 0, 0.25, 0.75, 1 of the range (hand-computed).
  auto two = torch::tensor({0, 255}, torch::kByte).view({1, 1, 1, 2});
  auto k = prepare_input(two, InputStyle::kKeras, 4);
  EXPECT_NEAR(k[0][0][0][1].item<float>(), -0.5f, 1e-6);
  EXPECT_NEAR(k[0][0][0][2].item<float>(), 0.5f, 1e-6);
}

TEST(PrepareInput, RejectsWrongChannels) {
  EXPECT_THROW(prepare_input(torch::zeros({1, 2, 8, 8}, torch::kByte), InputStyle::kFid, 0),
               xr::Error);
}

}  // namespace
