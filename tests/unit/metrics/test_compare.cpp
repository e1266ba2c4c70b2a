// compare_folders, the logic behind fid-kid, with a cheap stand-in feature extractor:
// class matching and skipping, the errors, and the pixel scores' pairing.
#include "metrics/compare.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "../temp_dir.hpp"
#include "core/errors.hpp"
#include "core/image_io.hpp"
#include "core/image_batch.hpp"
#include "metrics/fid.hpp"
#include "metrics/floor.hpp"
#include "metrics/kid.hpp"

namespace fs = std::filesystem;

namespace {

// Features: a few pixel statistics, enough to tell the test images apart.
class StatsExtractor : public xr::metrics::FeatureExtractor {
 public:
  at::Tensor extract(const at::Tensor& px) override {
    const at::Tensor f = px.to(at::kFloat).reshape({px.size(0), -1});
    return at::stack({f.mean(1), f.std(1), f.amax(1), f.amin(1)}, 1).contiguous();
  }
  std::string id() const override { return "stats"; }
  std::string description() const override { return "pixel statistics"; }
  bool comparable_with_published() const override { return false; }
};

class CompareTest : public ::testing::Test {
 protected:
  // An image with grey `value` and a brighter square at (x, x) so images differ in shape.
  void image(const std::string& rel, int value, int x, int side = 16) {
    const fs::path p = root_ / rel;
    fs::create_directories(p.parent_path());
    xr::GrayImage g(side, side, static_cast<uint8_t>(value));
    for (int dy = 0; dy < 3; ++dy)
      for (int dx = 0; dx < 3; ++dx) g.at(x + dx, x + dy) = static_cast<uint8_t>(value + 50);
    xr::write_png_gray8(p.string(), g);
  }
  xr::ImageFolder folder(const std::string& name) { return xr::scan_image_folder((root_ / name).string()); }
  const xr_test::TempDir tmp_{"xr-metrics-compare"};
  const fs::path root_{tmp_.path()};
};

TEST_F(CompareTest, PerClassNumbersAreThoseOfTheLibraryFunctions) {
  for (int i = 0; i < 5; ++i) {
    image("real/A/r" + std::to_string(i) + ".png", 20 * i, i);
    image("fake/A/f" + std::to_string(i) + ".png", 20 * i + 4, i + 1);
    image("real/B/r" + std::to_string(i) + ".png", 30 + 10 * i, 2 * i);
  }
  image("fake/B/f0.png", 31, 0);
  image("fake/B/f1.png", 72, 8);  // 2 grey levels from r4: distance 32
  image("real/Solo/x.png", 1, 1);
  StatsExtractor fx;
  xr::metrics::CompareOptions o;
  o.kid_subsets = 7;
  o.seed = 9;
  const auto cmp = xr::metrics::compare_folders(fx, folder("real"), folder("fake"), o);
  const auto& r = cmp.results;
  ASSERT_EQ(r["class_order"], nlohmann::json({"A", "B"}));
  EXPECT_EQ(r["skipped_classes"][0]["class"], "Solo");
  // Class A: FID and KID equal the direct calls on the same rows.
  const at::Tensor ra = cmp.real_features.slice(0, 0, 5), fa = cmp.fake_features.slice(0, 0, 5);
  EXPECT_DOUBLE_EQ(r["classes"]["A"]["fid"].get<double>(), xr::metrics::fid(ra, fa).fid);
  const auto k = xr::metrics::kid(ra, fa, 7, 1000, 9);
  EXPECT_DOUBLE_EQ(r["classes"]["A"]["kid_mean"].get<double>(), k.mean);
  EXPECT_EQ(r["classes"]["A"]["kid_subset_size"], 5);
  EXPECT_EQ(r["classes"]["B"]["kid_subset_size"], 2);
  EXPECT_EQ(r["classes"]["B"]["n_fake"], 2);
  // Class B's first fake image differs from real r0 by 1 grey level everywhere.
  const auto& b = r["classes"]["B"];
  EXPECT_DOUBLE_EQ(b["nn_distance_min"].get<double>(), 16.0);  // sqrt(256 * 1)
  EXPECT_EQ(b["nn_closest"]["fake"], "B/f0.png");
  EXPECT_EQ(b["nn_closest"]["real"], "B/r0.png");
  EXPECT_EQ(b["nn_exact_copies"], 0);
  EXPECT_NEAR(r["mean"]["fid"].get<double>(),
              (r["classes"]["A"]["fid"].get<double>() + b["fid"].get<double>()) / 2, 1e-12);
  EXPECT_FALSE(r["features"]["comparable_with_published"].get<bool>());
  EXPECT_EQ(r["image_size"], nlohmann::json({16, 16}));
}

TEST_F(CompareTest, ErrorsNameTheProblem) {
  StatsExtractor fx;
  xr::metrics::CompareOptions o;
  auto expect_data_error = [&](const std::string& real, const std::string& fake, const std::string& text) {
    try {
      xr::metrics::compare_folders(fx, folder(real), folder(fake), o);
      ADD_FAILURE() << "no error for " << real << " vs " << fake;
    } catch (const xr::Error& e) {
      EXPECT_EQ(e.code(), xr::Exit::kDataErr);
      EXPECT_NE((e.path() + ": " + e.what()).find(text), std::string::npos) << e.path() << ": " << e.what();
    }
  };
  image("real/A/r0.png", 10, 0);
  image("real/A/r1.png", 20, 1);
  image("one/A/x.png", 10, 0);
  expect_data_error("real", "one", "class 'A' has 1 image");
  fs::create_directories(root_ / "empty" / "A");
  expect_data_error("real", "empty", "no images in any class folder");
  image("other/B/x.png", 10, 0);
  image("other/B/y.png", 10, 0);
  expect_data_error("real", "other", "no class has images in both folders");
  image("big/A/x.png", 10, 0, 20);
  image("big/A/y.png", 10, 0, 16);
  expect_data_error("real", "big", "image size 20x20 differs from 16x16");
  o.resize_to = 16;
  EXPECT_NO_THROW(xr::metrics::compare_folders(fx, folder("real"), folder("big"), o));
}

TEST_F(CompareTest, TinyImagesGetNoSsimButTheRest) {
  for (int i = 0; i < 3; ++i) {
    image("real/A/r" + std::to_string(i) + ".png", 10 * i, 0, 8);
    image("fake/A/f" + std::to_string(i) + ".png", 10 * i, 0, 8);
  }
  StatsExtractor fx;
  const auto cmp = xr::metrics::compare_folders(fx, folder("real"), folder("fake"), {});
  const auto& a = cmp.results["classes"]["A"];
  EXPECT_TRUE(a["ssim"].is_null());
  EXPECT_EQ(a["nn_exact_copies"], 3);
  EXPECT_TRUE(a["sre_db"].is_null());
  EXPECT_EQ(a["sre_infinite"], 3);
  EXPECT_FALSE(cmp.results["warnings"].empty());
}

TEST_F(CompareTest, FloorsSitBesideEveryValueOnTheClaimedSets) {
  for (int i = 0; i < 6; ++i) image("real/A/r" + std::to_string(i) + ".png", 10 + 25 * i, i % 4);
  for (int i = 0; i < 3; ++i) image("real/B/r" + std::to_string(i) + ".png", 40 + 30 * i, i);
  for (int i = 0; i < 4; ++i) {
    image("fake/A/f" + std::to_string(i) + ".png", 14 + 20 * i, i + 1);
    image("fake/B/f" + std::to_string(i) + ".png", 44 + 25 * i, i + 2);
  }
  for (int i = 0; i < 4; ++i) image("val/A/v" + std::to_string(i) + ".png", 17 + 30 * i, i);
  image("val/B/v0.png", 60, 1);  // one image: no validation floor for B
  StatsExtractor fx;
  xr::metrics::CompareOptions o;
  o.kid_subsets = 6;
  o.seed = 3;
  o.floor_val_dir = (root_ / "val").string();
  const auto cmp = xr::metrics::compare_folders(fx, folder("real"), folder("fake"), o);
  const auto& r = cmp.results;
  // Class A's halves: the real folder's rows 0, 2, 4 against 1, 3, 5 (folder order).
  auto rows = [&](std::vector<int64_t> idx) {
    return cmp.real_features.index_select(0, at::tensor(idx, at::TensorOptions().dtype(at::kLong)));
  };
  const auto want = xr::metrics::real_floor(rows({0, 2, 4}), rows({1, 3, 5}), 6, 1000, 3);
  const auto& h = r["classes"]["A"]["floor"]["halves"];
  EXPECT_DOUBLE_EQ(h["kid_mean"].get<double>(), want.kid.mean);
  EXPECT_DOUBLE_EQ(h["fid"].get<double>(), want.fid.fid);
  EXPECT_EQ(h["n_reference"], 3);
  EXPECT_NE(h["kid_mean"].get<double>(), xr::metrics::real_floor(rows({0, 1, 2}), rows({3, 4, 5}), 6, 1000, 3).kid.mean);
  // Class A's validation floor: all its real rows as the reference, the validation images in the fakes' place.
  const xr::ImageBatch val_px = xr::load_image_folder(folder("val"));
  const at::Tensor val_a = fx.extract(val_px.pixels).slice(0, 0, 4);
  const auto want_val = xr::metrics::real_floor(cmp.real_features.slice(0, 0, 6), val_a, 6, 1000, 3);
  EXPECT_DOUBLE_EQ(r["classes"]["A"]["floor"]["val"]["kid_mean"].get<double>(), want_val.kid.mean);
  EXPECT_EQ(r["classes"]["A"]["floor"]["val"]["n_other"], 4);
  // Class B: 3 real images (no halves) and 1 validation image (no val floor): nulls,
  // warnings, and no mean floor; the rest of B is measured as before.
  EXPECT_TRUE(r["classes"]["B"]["floor"]["halves"].is_null());
  EXPECT_TRUE(r["classes"]["B"]["floor"]["val"].is_null());
  EXPECT_TRUE(r["mean"]["floor"]["halves"].is_null());
  EXPECT_TRUE(r["mean"]["floor"]["val"].is_null());
  EXPECT_TRUE(r["classes"]["B"]["kid_mean"].is_number());
  int floor_warnings = 0;
  for (const auto& w : r["warnings"]) floor_warnings += w.get<std::string>().find("floor") != std::string::npos;
  EXPECT_EQ(floor_warnings, 2);
  EXPECT_EQ(r["floor"]["n_val"], 5);
  EXPECT_EQ(r["floor"]["halves_rule"], xr::metrics::kHalvesRule);

  // Without class B the mean floors are class A's; without floors there is no "floor".
  fs::remove_all(root_ / "real" / "B");
  fs::remove_all(root_ / "fake" / "B");
  const auto only_a = xr::metrics::compare_folders(fx, folder("real"), folder("fake"), o).results;
  EXPECT_DOUBLE_EQ(only_a["mean"]["floor"]["halves"]["kid_mean"].get<double>(), want.kid.mean);
  EXPECT_DOUBLE_EQ(only_a["mean"]["floor"]["val"]["fid"].get<double>(), want_val.fid.fid);
  o.floor_halves = false;
  o.floor_val_dir.clear();
  const auto none = xr::metrics::compare_folders(fx, folder("real"), folder("fake"), o).results;
  EXPECT_FALSE(none.contains("floor"));
  EXPECT_FALSE(none["classes"]["A"].contains("floor"));
  EXPECT_FALSE(none["mean"].contains("floor"));
}

}  // namespace
