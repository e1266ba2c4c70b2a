// TorchScriptFeatures on a tiny scripted module with the call signature of NVIDIA's
// inception-2015-12-05.pt (tests/golden/nn/tiny_detector.pt, made by
// make_inception_golden.py): features must equal what Python computed.
#include "nn/torchscript_inception.hpp"

#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "det_weights.hpp"
#include "nn/safetensors.hpp"

namespace {

using namespace xr::nn;

std::string golden(const std::string& name) {
  return xr::nn::testing::source_dir() + "/tests/golden/nn/" + name;
}

TEST(TorchScriptFeatures, MatchesPythonOnUint8AndFloatInput) {
  TorchScriptFeatures det(golden("tiny_detector.pt"));
  auto g = read_safetensors(golden("tiny_detector_golden.safetensors")).tensors;
  const auto& images = g.at("images");
  ASSERT_EQ(images.scalar_type(), torch::kByte);
  auto f = det.features(images);
  ASSERT_EQ(f.sizes().vec(), (std::vector<int64_t>{2, 2048}));
  EXPECT_LT(xr::nn::testing::rel_error(f, g.at("features")), 1e-5);
  // uint8-range float gives the same.
  EXPECT_LT(xr::nn::testing::rel_error(det.features(images.to(torch::kFloat)), g.at("features")),
            1e-5);
}

TEST(TorchScriptFeatures, GrayImagesAreRepeatedToThreeChannels) {
  TorchScriptFeatures det(golden("tiny_detector.pt"));
  auto gray = xr::nn::testing::det_pixels("gray", {1, 1, 30, 30});
  auto a = det.features(gray);
  auto b = det.features(gray.repeat({1, 3, 1, 1}));
  EXPECT_TRUE(torch::allclose(a, b));
}

TEST(TorchScriptFeatures, Errors) {
  try {
    TorchScriptFeatures det("/nonexistent/inception-2015-12-05.pt");
    FAIL();
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kNoInput);
  }
  try {
    TorchScriptFeatures det(golden("inception_golden.safetensors"));
    FAIL();
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kDataErr);
    EXPECT_NE(std::string(e.what()).find("not a loadable TorchScript archive"), std::string::npos);
  }
  TorchScriptFeatures det(golden("tiny_detector.pt"));
  EXPECT_THROW(det.features(torch::zeros({2, 30, 30})), xr::Error);
  EXPECT_THROW(det.features(torch::zeros({1, 2, 30, 30})), xr::Error);
}

}  // namespace
