// The feature extractors behind --features: the seeded random network, weights files
// for torchvision and the FID network, an inc3-train classifier, and their errors.
#include "metrics/feature_extractor.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

#include "../temp_dir.hpp"
#include "classify/classifier.hpp"
#include "core/errors.hpp"
#include "../exit_code.hpp"
#include "nn/inception_v3.hpp"
#include "nn/safetensors.hpp"

namespace fs = std::filesystem;
using xr::metrics::make_feature_extractor;

namespace {

using xr_test::code_of;

at::Tensor pixels(int64_t n, int64_t side, uint64_t seed) {
  torch::manual_seed(seed);
  return torch::randint(0, 256, {n, 1, side, side}, torch::kByte);
}

class ExtractorFiles : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  const xr_test::TempDir tmp_{"xr-metrics-fx"};
  const fs::path dir_{tmp_.path()};
};

TEST(RandomExtractor, SeededDeterministicAndInformative) {
  const at::Tensor px = pixels(3, 80, 1);
  auto a = make_feature_extractor("random", "", torch::kCPU, 5, 2, 75);
  auto b = make_feature_extractor("random", "", torch::kCPU, 5, 2, 75);
  auto c = make_feature_extractor("random", "", torch::kCPU, 6, 2, 75);
  const at::Tensor fa = a->extract(px), fb = b->extract(px), fc = c->extract(px);
  ASSERT_EQ(fa.sizes(), (at::IntArrayRef{3, 2048}));
  EXPECT_EQ(fa.scalar_type(), at::kFloat);
  EXPECT_TRUE(at::equal(fa, fb));
  EXPECT_FALSE(at::equal(fa, fc));
  EXPECT_TRUE(at::isfinite(fa).all().item<bool>());
  // Neither vanishing nor exploding: unit-scale features that tell images apart.
  const double mean_abs = fa.abs().mean().item<double>();
  EXPECT_GT(mean_abs, 1e-3);
  EXPECT_LT(mean_abs, 1e3);
  EXPECT_GT((fa[0] - fa[1]).abs().max().item<double>(), 1e-4 * mean_abs);
  EXPECT_FALSE(a->comparable_with_published());
  EXPECT_NE(a->id(), c->id());
  EXPECT_NE(a->id().find("size=75"), std::string::npos);
  EXPECT_NE(a->description().find("NOT comparable"), std::string::npos);
}

TEST(RandomExtractor, BatchSizeDoesNotChangeTheFeatures) {
  const at::Tensor px = pixels(3, 75, 2);
  const at::Tensor one = make_feature_extractor("random", "", torch::kCPU, 1, 1, 75)->extract(px);
  const at::Tensor all = make_feature_extractor("random", "", torch::kCPU, 1, 8, 75)->extract(px);
  EXPECT_TRUE(at::allclose(one, all, 1e-4, 1e-5));
}

TEST_F(ExtractorFiles, TorchvisionWeightsGiveTheModulesPoolFeatures) {
  torch::manual_seed(3);
  xr::nn::InceptionV3 net{xr::nn::InceptionV3Options{}};
  net->eval();
  xr::nn::write_safetensors(path("tv.safetensors"), xr::nn::module_state(*net), {{"variant", "torchvision"}});
  auto fx = make_feature_extractor("torchvision", path("tv.safetensors"), torch::kCPU, 0, 4, 80);
  const at::Tensor px = pixels(2, 90, 4);
  at::Tensor want;
  {
    torch::NoGradGuard ng;
    want = net->features(xr::nn::prepare_input(px, xr::nn::InputStyle::kTorchvision, 80));
  }
  const at::Tensor got = fx->extract(px);
  EXPECT_TRUE(at::allclose(got, want, 1e-3, 1e-4)) << (got - want).abs().max().item<double>();
  EXPECT_FALSE(fx->comparable_with_published());
  EXPECT_EQ(code_of([&] { make_feature_extractor("inception", path("tv.safetensors"), torch::kCPU, 0, 4); }),
            xr::Exit::kDataErr);
}

TEST_F(ExtractorFiles, FidNetworkWeightsAreComparable) {
  xr::nn::InceptionV3Options o;
  o.arch = xr::nn::InceptionArch::kFid;
  o.num_classes = 1008;
  xr::nn::InceptionV3 net(o);
  xr::nn::write_safetensors(path("fid.safetensors"), xr::nn::module_state(*net), {{"variant", "fid"}});
  auto fx = make_feature_extractor("inception", path("fid.safetensors"), torch::kCPU, 0, 4);
  EXPECT_TRUE(fx->comparable_with_published());
  EXPECT_EQ(fx->extract(pixels(1, 64, 5)).sizes(), (at::IntArrayRef{1, 2048}));
  EXPECT_EQ(code_of([&] { make_feature_extractor("torchvision", path("fid.safetensors"), torch::kCPU, 0, 4); }),
            xr::Exit::kDataErr);
}

TEST_F(ExtractorFiles, ClassifierBaseAtTheModelsInputSizeAndArchitecture) {
  for (const auto arch : {xr::nn::InceptionArch::kKeras, xr::nn::InceptionArch::kTorchvision}) {
    SCOPED_TRACE(xr::nn::arch_name(arch));
    torch::manual_seed(6);
    xr::classify::Inc3Classifier model(2, 96, arch);
    model->initialise();
    const auto info = xr::classify::training_model_info({"A", "B"}, 96, arch, "none", true);
    fs::create_directories(dir_ / "model");
    xr::classify::save_model(path("model/model.safetensors"), *model, info);
    auto fx = make_feature_extractor(path("model"), "", torch::kCPU, 0, 4);
    EXPECT_NE(fx->id().find("size=96"), std::string::npos);
    EXPECT_NE(fx->description().find(xr::nn::arch_name(arch)), std::string::npos);
    const at::Tensor px = pixels(2, 100, 7);
    at::Tensor want;
    {
      torch::NoGradGuard ng;
      model->eval();
      want = model->base->features(xr::nn::prepare_input(px, xr::nn::InputStyle::kKeras, 96));
    }
    // Freshly initialised, eval-mode BatchNorm is the identity and the features grow
    // large (about 1e8 here): the extractor's folded BatchNorm agrees to float rounding.
    const at::Tensor got = fx->extract(px);
    EXPECT_LT((got - want).abs().max().item<double>() / want.abs().max().item<double>(), 1e-5);
  }

  auto tensors = xr::nn::read_safetensors(path("model/model.safetensors"));
  tensors.tensors.erase("base.Mixed_6b.branch1x1.conv.weight");
  xr::nn::write_safetensors(path("bad.safetensors"), tensors.tensors, tensors.metadata);
  try {
    make_feature_extractor(path("bad.safetensors"), "", torch::kCPU, 0, 4);
    FAIL() << "incomplete classifier accepted";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kDataErr);
    EXPECT_NE(std::string(e.what()).find("base.Mixed_6b.branch1x1.conv.weight"), std::string::npos) << e.what();
  }
  xr::nn::write_safetensors(path("other.safetensors"), {{"x", torch::zeros({1})}}, {});
  EXPECT_EQ(code_of([&] { make_feature_extractor(path("other.safetensors"), "", torch::kCPU, 0, 4); }),
            xr::Exit::kDataErr);
}

TEST(Extractors, MissingWeightsUnknownSpecAndBadSizes) {
  EXPECT_EQ(code_of([] { make_feature_extractor("inception", "", torch::kCPU, 0, 4); }), xr::Exit::kNoInput);
  EXPECT_EQ(code_of([] { make_feature_extractor("torchvision", "", torch::kCPU, 0, 4); }), xr::Exit::kNoInput);
  EXPECT_EQ(code_of([] { make_feature_extractor("inception", "/nonexistent.pt", torch::kCPU, 0, 4); }),
            xr::Exit::kNoInput);
  EXPECT_EQ(code_of([] { make_feature_extractor("/nonexistent/model", "", torch::kCPU, 0, 4); }),
            xr::Exit::kNoInput);
  EXPECT_EQ(code_of([] { make_feature_extractor("imagenet", "", torch::kCPU, 0, 4); }), xr::Exit::kUsage);
  EXPECT_EQ(code_of([] { make_feature_extractor("random", "", torch::kCPU, 0, 4, 50); }), xr::Exit::kUsage);
  EXPECT_EQ(code_of([] { make_feature_extractor("random", "", torch::kCPU, 0, 0); }), xr::Exit::kUsage);
}

}  // namespace
