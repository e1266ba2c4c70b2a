// Inception-v3 against torchvision 0.14 and pytorch-fid's FID variant: names and
// shapes of the state dict, and pool features and logits on deterministic weights and
// inputs (tests/golden/nn/make_inception_golden.py), to a relative error below 1e-4.
#include "nn/inception_v3.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/errors.hpp"
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

InceptionV3 filled(bool fid) {
  InceptionV3Options o;
  o.fid_variant = fid;
  InceptionV3 m(o);
  det_fill(*m);
  m->eval();
  return m;
}

TEST(InceptionV3, StateDictNamesAndShapesEqualTorchvision) {
  std::ifstream in(golden("inception_state_names.json"));
  ASSERT_TRUE(in) << golden("inception_state_names.json");
  auto names = nlohmann::json::parse(in);
  for (const auto& [key, fid, aux] : {std::tuple{"torchvision_aux", false, true},
                                      std::tuple{"fid", true, false}}) {
    InceptionV3Options o;
    o.fid_variant = fid;
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
  o.fid_variant = true;
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
