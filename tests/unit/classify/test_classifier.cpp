// The classifier model: Keras' 2x2x2048 -> 8192 head input at 128x128, the model
// file round trip and its metadata contract, base weights with or without the
// "base." prefix, and the feature cache.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

#include "../temp_dir.hpp"
#include "classify/classifier.hpp"
#include "classify/evaluate.hpp"
#include "classify/features.hpp"
#include "core/errors.hpp"
#include "../exit_code.hpp"

namespace fs = std::filesystem;
using namespace xr::classify;

namespace {

using xr_test::code_of;

}  // namespace

TEST(Classifier, KerasFlattenSizeAt128And75) {
  torch::manual_seed(0);
  Inc3Classifier m128(3, 128);
  EXPECT_EQ(m128->head->in_features, 2 * 2 * 2048);  // Keras: InceptionV3(include_top=False) at 128 -> 2x2x2048
  Inc3Classifier m75(4, 75);
  EXPECT_EQ(m75->head->in_features, 2048);
  m75->eval();
  torch::NoGradGuard no_grad;
  EXPECT_EQ(m75->forward(torch::zeros({2, 3, 75, 75})).sizes(), (std::vector<int64_t>{2, 4}));
}

TEST(Classifier, ModelFileRoundTripAndMetadata) {
  for (const auto arch : {xr::nn::InceptionArch::kKeras, xr::nn::InceptionArch::kTorchvision}) {
  SCOPED_TRACE(xr::nn::arch_name(arch));
  const xr_test::TempDir tmp("xr-classifier-roundtrip");
  const std::string dir = tmp.path();
  torch::manual_seed(1);
  Inc3Classifier m(3, 75, arch);
  m->initialise();
  m->eval();
  ModelInfo info = training_model_info({"A", "B", "C c"}, 75, arch, "none", true);
  info.head = describe_head(*m->head);
  const std::string path = dir + "/model.safetensors";
  save_model(path, *m, info);

  const auto file = xr::nn::read_safetensors(path);
  EXPECT_EQ(file.metadata.at("format"), "xr-inc3-classifier");
  EXPECT_EQ(file.metadata.at("arch"), xr::nn::arch_name(arch));
  EXPECT_EQ(file.metadata.at("init").rfind(std::string("base: ") + xr::nn::arch_name(arch), 0), 0u)
      << file.metadata.at("init");
  EXPECT_EQ(file.metadata.at("classes"), "[\"A\",\"B\",\"C c\"]");
  EXPECT_EQ(file.metadata.at("input_size"), "75");
  EXPECT_EQ(file.metadata.at("input_style"), "keras");
  EXPECT_EQ(file.metadata.at("fine_tuned"), "true");
  for (const auto& [name, t] : file.tensors) {
    EXPECT_TRUE(name.rfind("base.", 0) == 0 || name.rfind("head.", 0) == 0) << name;
  }
  EXPECT_TRUE(file.tensors.count("base.Mixed_7c.branch_pool.conv.weight"));

  LoadedModel back = load_model(path);
  EXPECT_EQ(back.info.classes, (std::vector<std::string>{"A", "B", "C c"}));
  EXPECT_EQ(back.info.arch, arch);
  EXPECT_EQ(back.model->base->options().arch, arch);
  torch::NoGradGuard no_grad;
  const auto x = torch::rand({2, 3, 75, 75}) * 2 - 1;
  EXPECT_TRUE(torch::allclose(m->forward(x), back.model->forward(x), 1e-5, 1e-6));
  fs::remove_all(dir);
  }
}

TEST(Classifier, FilesWithoutArchAreTorchvisionsAndOtherArchsAreRefused) {
  auto meta = model_metadata(training_model_info({"A", "B"}, 128, xr::nn::InceptionArch::kKeras, "w.st", false));
  EXPECT_EQ(parse_model_metadata(meta, "m").arch, xr::nn::InceptionArch::kKeras);
  meta.erase("arch");  // written before the architecture was recorded: torchvision's was the only one
  EXPECT_EQ(parse_model_metadata(meta, "m").arch, xr::nn::InceptionArch::kTorchvision);
  meta["arch"] = "fid";
  EXPECT_EQ(code_of([&] { parse_model_metadata(meta, "m"); }), xr::Exit::kDataErr);
}

TEST(Classifier, BaseWeightsOfAnotherArchitectureAreRefused) {
  torch::manual_seed(4);
  Inc3Classifier tv(3, 75, xr::nn::InceptionArch::kTorchvision);
  tv->initialise();
  xr::nn::Safetensors file;
  for (const auto& [name, t] : xr::nn::module_state(*tv->base)) file.tensors[name] = t;
  // Declared: a converter's "variant" or a model's "arch".
  file.metadata["variant"] = "torchvision";
  Inc3Classifier keras(3, 75, xr::nn::InceptionArch::kKeras);
  EXPECT_EQ(code_of([&] { load_base_weights(*keras->base, file, "w"); }), xr::Exit::kUsage);
  EXPECT_EQ(code_of([&] { load_base_weights(*tv->base, file, "w"); }), xr::Exit::kOk);
  file.metadata["variant"] = "fid";
  EXPECT_EQ(code_of([&] { load_base_weights(*tv->base, file, "w"); }), xr::Exit::kUsage);
  // Undeclared: Keras' base takes no BatchNorm scale other than 1.
  file.metadata.clear();
  {
    torch::NoGradGuard no_grad;
    file.tensors.at("Mixed_5b.branch1x1.bn.weight").fill_(1.5);
  }
  try {
    load_base_weights(*keras->base, file, "w");
    FAIL() << "scaled BatchNorm accepted into the Keras base";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kUsage);
    EXPECT_NE(std::string(e.what()).find("Mixed_5b.branch1x1.bn.weight"), std::string::npos) << e.what();
  }
  EXPECT_EQ(code_of([&] { load_base_weights(*tv->base, file, "w"); }), xr::Exit::kOk);
}

TEST(Classifier, MetadataErrorsAreDataErrors) {
  std::map<std::string, std::string> meta =
      model_metadata(training_model_info({"A", "B"}, 128, xr::nn::InceptionArch::kKeras, "w.st", false));
  EXPECT_EQ(parse_model_metadata(meta, "m").input_size, 128);
  auto bad = meta;
  bad["format"] = "other";
  EXPECT_EQ(code_of([&] { parse_model_metadata(bad, "m"); }), xr::Exit::kDataErr);
  bad = meta;
  bad["classes"] = "A,B";
  EXPECT_EQ(code_of([&] { parse_model_metadata(bad, "m"); }), xr::Exit::kDataErr);
  bad = meta;
  bad["input_size"] = "12";
  EXPECT_EQ(code_of([&] { parse_model_metadata(bad, "m"); }), xr::Exit::kDataErr);
  bad = meta;
  bad.erase("head");
  EXPECT_EQ(code_of([&] { parse_model_metadata(bad, "m"); }), xr::Exit::kDataErr);
}

TEST(Classifier, BaseWeightsWithOrWithoutPrefix) {
  torch::manual_seed(2);
  Inc3Classifier source(3, 75);
  xr::nn::Safetensors prefixed, plain;
  for (const auto& [name, t] : xr::nn::module_state(*source)) prefixed.tensors[name] = t;
  for (const auto& [name, t] : xr::nn::module_state(*source->base)) plain.tensors[name] = t;
  plain.tensors["AuxLogits.fc.weight"] = torch::zeros({1000, 768});  // torchvision extra: ignored
  for (auto* file : {&prefixed, &plain}) {
    torch::manual_seed(9);
    Inc3Classifier target(3, 75);
    load_base_weights(*target->base, *file, "w");
    EXPECT_TRUE(torch::equal(target->base->named_parameters()["Conv2d_1a_3x3.conv.weight"],
                             source->base->named_parameters()["Conv2d_1a_3x3.conv.weight"]));
  }
  plain.tensors.erase("Mixed_6b.branch7x7_2.conv.weight");
  Inc3Classifier target(3, 75);
  EXPECT_EQ(code_of([&] { load_base_weights(*target->base, plain, "w"); }), xr::Exit::kDataErr);
}

TEST(Features, CacheReturnsTheSameFeaturesAndIsKeyedByWeights) {
  const xr_test::TempDir tmp("xr-classifier-cache");
  const std::string dir = tmp.path();
  torch::manual_seed(3);
  Inc3Classifier m(2, 75);
  const auto pixels = (torch::rand({3, 1, 75, 75}) * 255).to(torch::kByte);
  const std::vector<std::string> rel = {"A/a.png", "A/b.png", "B/c.png"};
  const auto a = cached_base_features(*m->base, pixels, rel, 75, "w1", dir, torch::kCPU, 2, "t");
  EXPECT_EQ(a.sizes(), (std::vector<int64_t>{3, 2048}));
  ASSERT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  const auto b = cached_base_features(*m->base, pixels, rel, 75, "w1", dir, torch::kCPU, 2, "t");
  EXPECT_TRUE(torch::equal(a, b));
  cached_base_features(*m->base, pixels, rel, 75, "w2", dir, torch::kCPU, 2, "t");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 2);
  // The features are the eval-mode flattened map of the Keras-scaled input.
  m->eval();
  torch::NoGradGuard no_grad;
  const auto direct =
      m->base_features(xr::nn::prepare_input(pixels, xr::nn::InputStyle::kKeras, 75));
  EXPECT_TRUE(torch::allclose(a, direct, 1e-4, 1e-4));
  fs::remove_all(dir);
}

TEST(Evaluate, ClassesMatchedByName) {
  xr::ImageFolder test;
  test.root = "t";
  test.classes = {"B", "A"};
  EXPECT_EQ(match_classes({"A", "B"}, test, "m"), (std::vector<int>{1, 0}));
  test.classes = {"A", "B", "D"};
  EXPECT_EQ(code_of([&] { match_classes({"A", "B"}, test, "m"); }), xr::Exit::kDataErr);
  test.classes = {"A"};
  EXPECT_EQ(code_of([&] { match_classes({"A", "B"}, test, "m"); }), xr::Exit::kDataErr);
}
