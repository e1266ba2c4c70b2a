// The bilinear affine resampler against scipy.ndimage.affine_transform (order=1,
// mode='nearest') and hand-computed cases.
#include "augment/affine_warp.hpp"

#include <gtest/gtest.h>

#include "golden.hpp"

namespace {

xr::augment::AffineMap shift_map(double rows, double cols) {
  xr::augment::AffineMap m;
  m.offset[0] = rows;
  m.offset[1] = cols;
  return m;
}

TEST(AffineWarp, MatchesScipyWithinOneGreyLevel) {
  const auto cases = xr_test::load_golden();
  ASSERT_GE(cases.size(), 5u);
  for (const auto& c : cases) {
    const xr::GrayImage out = xr::augment::warp_affine_bilinear(c.input, c.map, c.brightness);
    ASSERT_EQ(out.width, c.input.width);
    ASSERT_EQ(out.height, c.input.height);
    const double err = xr_test::max_abs_error(out, c.expected);
    // The criterion is one grey level; the design (one rounding of a
    // single-precision bilinear value) promises half a level plus float error.
    EXPECT_LE(err, 1.0) << c.name;
    EXPECT_LE(err, 0.51) << c.name;
  }
}

TEST(AffineWarp, HalfPixelMisalignmentIsCaughtByTheGolden) {
  // The golden comparison must be able to fail: the same maps moved by half a pixel
  // (the classic centre-convention slip) are off by far more than one grey level.
  for (const auto& c : xr_test::load_golden()) {
    xr::augment::AffineMap moved = c.map;
    moved.offset[0] += 0.5;
    EXPECT_GT(xr_test::max_abs_error(xr::augment::warp_affine_bilinear(c.input, moved, c.brightness), c.expected), 5.0)
        << c.name;
    xr::augment::AffineMap swapped = c.map;  // (x, y) where (row, col) is meant
    std::swap(swapped.offset[0], swapped.offset[1]);
    if (c.map.offset[0] != c.map.offset[1]) {
      EXPECT_GT(xr_test::max_abs_error(xr::augment::warp_affine_bilinear(c.input, swapped, c.brightness), c.expected), 5.0)
          << c.name;
    }
  }
}

TEST(AffineWarp, IdentityIsExact) {
  xr::GrayImage img(7, 5);
  for (size_t i = 0; i < img.pixels.size(); ++i) img.pixels[i] = static_cast<uint8_t>(i * 37 % 256);
  EXPECT_EQ(xr::augment::warp_affine_bilinear(img, xr::augment::AffineMap{}).pixels, img.pixels);
}

TEST(AffineWarp, IntegerShiftRepeatsTheEdge) {
  // out(r, c) = in(r, c + 2): columns move left, the last column fills the right.
  xr::GrayImage img(5, 2);
  const uint8_t row[5] = {10, 20, 30, 40, 50};
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 5; ++x) img.at(x, y) = static_cast<uint8_t>(row[x] + y);
  const xr::GrayImage out = xr::augment::warp_affine_bilinear(img, shift_map(0, 2));
  const std::vector<uint8_t> want = {30, 40, 50, 50, 50, 31, 41, 51, 51, 51};
  EXPECT_EQ(out.pixels, want);
  const xr::GrayImage left = xr::augment::warp_affine_bilinear(img, shift_map(0, -3));
  const std::vector<uint8_t> want_left = {10, 10, 10, 10, 20, 11, 11, 11, 11, 21};
  EXPECT_EQ(left.pixels, want_left);
}

TEST(AffineWarp, HalfPixelIsTheMeanOfNeighboursRoundedHalfUp) {
  xr::GrayImage img(2, 2);
  img.at(0, 0) = 10;
  img.at(1, 0) = 21;  // mean 15.5 -> 16
  img.at(0, 1) = 100;
  img.at(1, 1) = 200;
  const xr::GrayImage out = xr::augment::warp_affine_bilinear(img, shift_map(0, 0.5));
  EXPECT_EQ(out.at(0, 0), 16);
  EXPECT_EQ(out.at(1, 0), 21);  // 1.5 clamps to the last column
  EXPECT_EQ(out.at(0, 1), 150);
  // Both axes: the mean of the four.
  EXPECT_EQ(xr::augment::warp_affine_bilinear(img, shift_map(0.5, 0.5)).at(0, 0), 83);  // 82.75
}

TEST(AffineWarp, GainScalesRoundsAndClips) {
  xr::GrayImage img(3, 1);
  img.at(0, 0) = 100;
  img.at(1, 0) = 200;
  img.at(2, 0) = 3;
  const xr::GrayImage out = xr::augment::warp_affine_bilinear(img, xr::augment::AffineMap{}, 1.4);
  EXPECT_EQ(out.at(0, 0), 140);
  EXPECT_EQ(out.at(1, 0), 255);  // 280 clipped
  EXPECT_EQ(out.at(2, 0), 4);    // 4.2
  EXPECT_EQ(xr::augment::warp_affine_bilinear(img, xr::augment::AffineMap{}, 0.5).at(2, 0), 2);  // 1.5 -> 2
  EXPECT_EQ(xr::augment::warp_affine_bilinear(img, xr::augment::AffineMap{}, 0.0).at(1, 0), 0);
}

TEST(AffineWarp, FarOutsideGivesTheNearestCorner) {
  xr::GrayImage img(4, 4, 0);
  img.at(3, 3) = 99;
  const xr::GrayImage out = xr::augment::warp_affine_bilinear(img, shift_map(1e4, 1e4));
  for (uint8_t v : out.pixels) EXPECT_EQ(v, 99);
}

TEST(AffineWarp, TinyAndDegenerateImages) {
  xr::GrayImage one(1, 1, 77);
  xr::augment::AffineMap m;
  m.matrix[0][1] = 0.3;
  m.offset[0] = -2.5;
  EXPECT_EQ(xr::augment::warp_affine_bilinear(one, m).pixels, one.pixels);
  xr::GrayImage line(6, 1, 5);
  EXPECT_EQ(xr::augment::warp_affine_bilinear(line, m).pixels, line.pixels);
  EXPECT_TRUE(xr::augment::warp_affine_bilinear(xr::GrayImage{}, m).empty());
}

TEST(AffineWarp, ReusesTheOutputBuffer) {
  xr::GrayImage img(16, 8, 40), out(3, 3);
  xr::augment::warp_affine_bilinear(img, xr::augment::AffineMap{}, 2.0, out);
  EXPECT_EQ(out.width, 16);
  EXPECT_EQ(out.height, 8);
  for (uint8_t v : out.pixels) EXPECT_EQ(v, 80);
}

}  // namespace

namespace {

TEST(AffineWarp, WidestImagesTakeTheScalarPathWithTheSameResult) {
  // 2^15 columns (the reader's limit) cannot use the 16-bit index arithmetic of the
  // vector loop; one column less can. Both must give the hand-computed half-pixel
  // means, rounded half up, with the last column repeated.
  for (int w : {32767, 32768}) {
    xr::GrayImage img(w, 2);
    for (int y = 0; y < 2; ++y)
      for (int x = 0; x < w; ++x) img.at(x, y) = static_cast<uint8_t>((x * 7 + y * 50) % 256);
    const xr::GrayImage out = xr::augment::warp_affine_bilinear(img, shift_map(0, 0.5));
    int bad = 0;
    for (int y = 0; y < 2; ++y) {
      for (int x = 0; x < w; ++x) {
        const int a = img.at(x, y), b = img.at(std::min(x + 1, w - 1), y);
        bad += out.at(x, y) != (a + b + 1) / 2;
      }
    }
    EXPECT_EQ(bad, 0) << "width " << w;
  }
}

}  // namespace
