// GrayImage geometry: crop by hand, and resize against references from
// tests/golden/core, made by tests/golden/core/make_resize_golden.py: PIL's
// Image.BOX when shrinking by integer ratios, exact area averaging in numpy for
// fractional ratios (where PIL's BOX is not area averaging), PIL's Image.BILINEAR
// when enlarging. PIL rounds to 8 bits between its two passes, the toolkit does
// not: 1 grey level is allowed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>

#include "core/csv.hpp"
#include "core/image.hpp"
#include "core/image_io.hpp"

namespace fs = std::filesystem;

namespace {

fs::path golden_dir() {
  const char* env = std::getenv("XR_SOURCE_DIR");
  const fs::path src = env && *env ? fs::path(env) : fs::path(__FILE__).parent_path().parent_path().parent_path().parent_path();
  return src / "tests" / "golden" / "core";
}

xr::GrayImage ramp(int w, int h) {
  xr::GrayImage img(w, h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) img.at(x, y) = static_cast<uint8_t>(10 * y + x);
  }
  return img;
}

}  // namespace

TEST(Image, CropCopiesTheBox) {
  const xr::GrayImage img = ramp(6, 5);
  const xr::GrayImage c = xr::crop(img, {1, 2, 4, 5});
  ASSERT_EQ(c.width, 3);
  ASSERT_EQ(c.height, 3);
  EXPECT_EQ(c.pixels, (std::vector<uint8_t>{21, 22, 23, 31, 32, 33, 41, 42, 43}));
  EXPECT_EQ(xr::crop(img, {0, 0, 6, 5}).pixels, img.pixels);
  EXPECT_EQ(xr::crop(img, {5, 4, 6, 5}).pixels, std::vector<uint8_t>{45});
}

TEST(Image, CropOutsideOrEmptyThrows) {
  const xr::GrayImage img = ramp(6, 5);
  EXPECT_THROW(xr::crop(img, {0, 0, 7, 5}), std::invalid_argument);
  EXPECT_THROW(xr::crop(img, {-1, 0, 3, 3}), std::invalid_argument);
  EXPECT_THROW(xr::crop(img, {2, 2, 2, 4}), std::invalid_argument);
  EXPECT_THROW(xr::crop(img, {3, 3, 2, 4}), std::invalid_argument);
}

TEST(Image, BoxEmpty) {
  EXPECT_TRUE((xr::Box{1, 1, 1, 5}).empty());
  EXPECT_FALSE((xr::Box{1, 1, 2, 5}).empty());
  EXPECT_EQ((xr::Box{1, 2, 4, 7}).width(), 3);
  EXPECT_EQ((xr::Box{1, 2, 4, 7}).height(), 5);
}

// Hand-computed: 4x2 -> 2x1 averages 2x2 blocks; 3 -> 2 is area-weighted
// (out0 = (a + b/2) / 1.5, out1 = (b/2 + c) / 1.5).
TEST(Image, ResizeShrinkByHand) {
  xr::GrayImage img(4, 2);
  img.pixels = {0, 10, 100, 200, 20, 30, 50, 51};
  EXPECT_EQ(xr::resize(img, 2, 1).pixels, (std::vector<uint8_t>{15, 100}));  // 60/4, 401/4 = 100.25
  xr::GrayImage row(3, 1);
  row.pixels = {0, 90, 180};
  EXPECT_EQ(xr::resize(row, 2, 1).pixels, (std::vector<uint8_t>{30, 150}));
}

// Hand-computed: 2 -> 4 samples at input positions -0.25, 0.25, 0.75, 1.25, clamped
// at the edges: a, 0.75a + 0.25b, 0.25a + 0.75b, b.
TEST(Image, ResizeEnlargeByHand) {
  xr::GrayImage img(2, 1);
  img.pixels = {0, 100};
  EXPECT_EQ(xr::resize(img, 4, 1).pixels, (std::vector<uint8_t>{0, 25, 75, 100}));
}

TEST(Image, ResizeKeepsFlatImagesFlatAndSameSizeIsIdentity) {
  const xr::GrayImage flat(37, 23, 177);
  for (auto [w, h] : {std::pair{5, 3}, std::pair{128, 128}, std::pair{36, 80}, std::pair{1, 1}}) {
    EXPECT_EQ(xr::resize(flat, w, h).pixels, std::vector<uint8_t>(static_cast<size_t>(w) * h, 177));
  }
  const xr::GrayImage img = ramp(7, 9);
  EXPECT_EQ(xr::resize(img, 7, 9).pixels, img.pixels);
}

TEST(Image, ResizeRejectsEmpty) {
  EXPECT_THROW(xr::resize(xr::GrayImage(), 4, 4), std::invalid_argument);
  EXPECT_THROW(xr::resize(ramp(4, 4), 0, 4), std::invalid_argument);
  EXPECT_THROW(xr::resize(ramp(4, 4), 4, -1), std::invalid_argument);
}

TEST(Image, ResizeMatchesPil) {
  const fs::path dir = golden_dir();
  ASSERT_TRUE(fs::exists(dir / "resize_cases.csv")) << dir;
  const xr::CsvTable cases = xr::read_csv((dir / "resize_cases.csv").string());
  ASSERT_EQ(cases.rows.size(), 14u);
  std::map<std::string, int> per_reference;
  for (const auto& row : cases.rows) {
    SCOPED_TRACE(row[1]);
    ++per_reference[row[4]];
    const xr::GrayImage in = xr::read_gray8((dir / row[0]).string());
    const xr::GrayImage expected = xr::read_gray8((dir / row[1]).string());
    const xr::GrayImage got = xr::resize(in, std::stoi(row[2]), std::stoi(row[3]));
    ASSERT_EQ(got.width, expected.width);
    ASSERT_EQ(got.height, expected.height);
    int worst = 0, differ = 0;
    for (size_t i = 0; i < got.pixels.size(); ++i) {
      const int d = std::abs(got.pixels[i] - expected.pixels[i]);
      worst = std::max(worst, d);
      differ += d > 0;
    }
    EXPECT_LE(worst, 1);
    // Rounding differences only: most pixels agree exactly.
    EXPECT_LT(differ, static_cast<int>(got.pixels.size()) / 4);
  }
  EXPECT_EQ(per_reference["pil_box"], 4);
  EXPECT_EQ(per_reference["pil_bilinear"], 5);
  EXPECT_EQ(per_reference["numpy_area"], 5);
}
