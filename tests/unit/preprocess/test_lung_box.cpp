// Lung box rules on hand-made masks: the box of the thresholded mask, the mask
// resized to the image first, the aspect rule and the empty-mask rule.
#include <gtest/gtest.h>

#include "preprocess/lung_box.hpp"

namespace {

xr::GrayImage mask_with_rect(int w, int h, xr::Box r, uint8_t value = 255) {
  xr::GrayImage m(w, h, 0);
  for (int y = r.y0; y < r.y1; ++y)
    for (int x = r.x0; x < r.x1; ++x) m.at(x, y) = value;
  return m;
}

void expect_box(const xr::Box& b, int x0, int y0, int x1, int y1) {
  EXPECT_EQ(b.x0, x0);
  EXPECT_EQ(b.y0, y0);
  EXPECT_EQ(b.x1, x1);
  EXPECT_EQ(b.y1, y1);
}

TEST(ThresholdBox, SingleRectangleIsHalfOpen) {
  int64_t n = 0;
  const xr::Box b = xr::preprocess::threshold_box(mask_with_rect(10, 8, {2, 3, 7, 5}), 128, &n);
  expect_box(b, 2, 3, 7, 5);
  EXPECT_EQ(n, 5 * 2);
}

TEST(ThresholdBox, TwoLungsGiveTheBoxAroundBoth) {
  xr::GrayImage m = mask_with_rect(20, 12, {2, 2, 8, 10});
  for (int y = 1; y < 9; ++y)
    for (int x = 12; x < 18; ++x) m.at(x, y) = 255;
  int64_t n = 0;
  expect_box(xr::preprocess::threshold_box(m, 128, &n), 2, 1, 18, 10);
  EXPECT_EQ(n, 6 * 8 + 6 * 8);
}

TEST(ThresholdBox, ThresholdIsInclusive) {
  xr::GrayImage m(5, 5, 0);
  m.at(1, 1) = 127;
  m.at(3, 2) = 128;
  int64_t n = 0;
  expect_box(xr::preprocess::threshold_box(m, 128, &n), 3, 2, 4, 3);
  EXPECT_EQ(n, 1);
  expect_box(xr::preprocess::threshold_box(m, 127, &n), 1, 1, 4, 3);
  EXPECT_EQ(n, 2);
}

TEST(ThresholdBox, EmptyMaskGivesEmptyBox) {
  int64_t n = -1;
  EXPECT_TRUE(xr::preprocess::threshold_box(xr::GrayImage(6, 4, 100), 128, &n).empty());
  EXPECT_EQ(n, 0);
}

TEST(ThresholdBox, PixelsAtTheBorders) {
  xr::GrayImage m(7, 5, 0);
  m.at(0, 4) = 255;
  m.at(6, 0) = 255;
  expect_box(xr::preprocess::threshold_box(m, 128), 0, 0, 7, 5);
}

TEST(AspectDifference, SymmetricAndZeroForSameRatio) {
  EXPECT_DOUBLE_EQ(xr::preprocess::aspect_difference(256, 256, 299, 299), 0.0);
  EXPECT_DOUBLE_EQ(xr::preprocess::aspect_difference(200, 100, 400, 200), 0.0);
  EXPECT_NEAR(xr::preprocess::aspect_difference(256, 256, 299, 224), 299.0 / 224.0 - 1.0, 1e-12);
  EXPECT_NEAR(xr::preprocess::aspect_difference(299, 224, 256, 256), 299.0 / 224.0 - 1.0, 1e-12);
  EXPECT_NEAR(xr::preprocess::aspect_difference(100, 101, 101, 100), 101.0 * 101.0 / (100.0 * 100.0) - 1.0, 1e-12);
}

// A 256x256 mask on a 299x299 image (the real dataset's sizes): the mask is
// enlarged first, so the box is the mask's box scaled by 299/256 (up to the
// rounding of the bilinear edge at the threshold).
TEST(LungBox, MaskIsResizedToTheImageFirst) {
  const xr::GrayImage mask = mask_with_rect(256, 256, {64, 32, 192, 224});
  const xr::preprocess::LungBox lb = xr::preprocess::lung_box(mask, 299, 299, xr::preprocess::MaskRules{});
  ASSERT_EQ(lb.verdict, xr::preprocess::MaskVerdict::kOk);
  const double s = 299.0 / 256.0;
  EXPECT_NEAR(lb.box.x0, 64 * s, 1.0);
  EXPECT_NEAR(lb.box.y0, 32 * s, 1.0);
  EXPECT_NEAR(lb.box.x1, 192 * s, 1.0);
  EXPECT_NEAR(lb.box.y1, 224 * s, 1.0);
  EXPECT_NEAR(lb.area_fraction, (128.0 * 192.0) / (256.0 * 256.0), 0.01);
}

// Exact values on a small case computed by hand: a 4x4 mask whose right half is
// lung, enlarged to 8x8 with bilinear (centres at half-integers). Output column x
// samples input coordinate (x + 0.5) / 2 - 0.5: columns 0..2 read 0 (x=3 reads
// 1.25 -> weight 0.75 of column 1 and 0.25 of column 2: 63.75 < 128), x=4 reads
// 1.75 -> 0.25*0 + 0.75*255 = 191.25 >= 128. So the box starts at column 4.
TEST(LungBox, HandComputedEnlargement) {
  const xr::GrayImage mask = mask_with_rect(4, 4, {2, 0, 4, 4});
  const xr::preprocess::LungBox lb = xr::preprocess::lung_box(mask, 8, 8, xr::preprocess::MaskRules{});
  ASSERT_EQ(lb.verdict, xr::preprocess::MaskVerdict::kOk);
  expect_box(lb.box, 4, 0, 8, 8);
  EXPECT_DOUBLE_EQ(lb.area_fraction, 0.5);
}

// Shrinking uses area averaging: a 2x2 lung block on a 4x4 mask halved gives one
// full pixel; a block covering half of each 2x2 cell gives 127.5 -> 128 (round
// half up in xr::resize), at the threshold.
TEST(LungBox, ShrunkMaskUsesAreaAverage) {
  const xr::preprocess::LungBox lb = xr::preprocess::lung_box(mask_with_rect(4, 4, {2, 2, 4, 4}), 2, 2, xr::preprocess::MaskRules{});
  expect_box(lb.box, 1, 1, 2, 2);
  const xr::preprocess::LungBox edge = xr::preprocess::lung_box(mask_with_rect(4, 4, {0, 0, 1, 4}), 2, 2, xr::preprocess::MaskRules{});
  expect_box(edge.box, 0, 0, 1, 2);
  xr::preprocess::MaskRules strict_threshold;
  strict_threshold.threshold = 200;
  const xr::preprocess::LungBox half = xr::preprocess::lung_box(mask_with_rect(4, 4, {0, 0, 1, 4}), 2, 2, strict_threshold);
  EXPECT_EQ(half.verdict, xr::preprocess::MaskVerdict::kEmpty);
}

TEST(LungBox, AspectRule) {
  const xr::GrayImage mask = mask_with_rect(256, 256, {64, 64, 192, 192});
  xr::preprocess::MaskRules rules;
  rules.aspect_tolerance = 0.02;
  EXPECT_EQ(xr::preprocess::lung_box(mask, 299, 299, rules).verdict, xr::preprocess::MaskVerdict::kOk);
  EXPECT_EQ(xr::preprocess::lung_box(mask, 300, 297, rules).verdict, xr::preprocess::MaskVerdict::kOk);  // 1% off
  const xr::preprocess::LungBox off = xr::preprocess::lung_box(mask, 299, 224, rules);  // 33% off
  EXPECT_EQ(off.verdict, xr::preprocess::MaskVerdict::kAspectMismatch);
  EXPECT_TRUE(off.box.empty());
  rules.aspect_tolerance = 0.5;
  EXPECT_EQ(xr::preprocess::lung_box(mask, 299, 224, rules).verdict, xr::preprocess::MaskVerdict::kOk);
}

TEST(LungBox, EmptyAndNearlyEmptyMasks) {
  xr::preprocess::MaskRules rules;
  rules.min_area = 0.02;
  const xr::preprocess::LungBox empty = xr::preprocess::lung_box(xr::GrayImage(50, 50, 0), 50, 50, rules);
  EXPECT_EQ(empty.verdict, xr::preprocess::MaskVerdict::kEmpty);
  EXPECT_TRUE(empty.box.empty());
  EXPECT_EQ(empty.area_fraction, 0.0);
  // 7x7 = 49 of 2500 pixels: 1.96% < 2%.
  const xr::preprocess::LungBox speck = xr::preprocess::lung_box(mask_with_rect(50, 50, {10, 10, 17, 17}), 50, 50, rules);
  EXPECT_EQ(speck.verdict, xr::preprocess::MaskVerdict::kEmpty);
  expect_box(speck.box, 10, 10, 17, 17);
  // 10x5 = 50 of 2500: exactly 2%, accepted.
  EXPECT_EQ(xr::preprocess::lung_box(mask_with_rect(50, 50, {10, 10, 20, 15}), 50, 50, rules).verdict, xr::preprocess::MaskVerdict::kOk);
  // min_area 0 still refuses a mask with no lung pixel at all.
  rules.min_area = 0.0;
  EXPECT_EQ(xr::preprocess::lung_box(xr::GrayImage(50, 50, 0), 50, 50, rules).verdict, xr::preprocess::MaskVerdict::kEmpty);
}

TEST(LungBox, MaskValuesBelowThresholdAreNotLung) {
  // A 0/1 mask (another dataset's convention) reads as empty at the default threshold.
  EXPECT_EQ(xr::preprocess::lung_box(mask_with_rect(20, 20, {0, 0, 20, 20}, 1), 20, 20, xr::preprocess::MaskRules{}).verdict,
            xr::preprocess::MaskVerdict::kEmpty);
}

}  // namespace

namespace {

// The one-pass box equals thresholding xr::resize's output, pixel count included,
// on random masks (binary blobs and arbitrary grey levels) enlarged, shrunk, mixed
// and kept, at several thresholds.
TEST(ResizedThresholdBox, SameAsResizeThenThreshold) {
  uint32_t state = 99;
  auto next = [&] {
    state = state * 1664525u + 1013904223u;
    return state >> 8;
  };
  const std::pair<int, int> sizes[][2] = {{{256, 256}, {299, 299}}, {{256, 256}, {224, 224}}, {{40, 30}, {97, 13}},
                                          {{17, 23}, {17, 23}},     {{9, 9}, {64, 5}},        {{100, 80}, {33, 160}}};
  int cases = 0;
  for (const auto& s : sizes) {
    for (int variant = 0; variant < 6; ++variant) {
      xr::GrayImage m(s[0].first, s[0].second, 0);
      if (variant % 2 == 0) {  // blobs of 255 on zero, with empty rows
        const int blobs = 1 + variant / 2;
        for (int b = 0; b < blobs; ++b) {
          const int x0 = next() % m.width, y0 = next() % m.height;
          const int x1 = std::min(m.width, x0 + 1 + static_cast<int>(next() % (m.width / 2 + 1)));
          const int y1 = std::min(m.height, y0 + 1 + static_cast<int>(next() % (m.height / 2 + 1)));
          for (int y = y0; y < y1; ++y)
            for (int x = x0; x < x1; ++x) m.at(x, y) = 255;
        }
      } else {  // arbitrary grey levels in a band
        for (int y = m.height / 4; y < m.height; ++y)
          for (int x = 0; x < m.width; ++x) m.at(x, y) = static_cast<uint8_t>(next() & 255);
      }
      const int out_w = s[1].first, out_h = s[1].second;
      const xr::GrayImage resized = xr::resize(m, out_w, out_h);
      for (int threshold : {1, 64, 128, 200, 255}) {
        int64_t n_ref = -1, n = -2;
        const xr::Box ref = xr::preprocess::threshold_box(resized, threshold, &n_ref);
        const xr::Box got = xr::preprocess::resized_threshold_box(m, out_w, out_h, threshold, &n);
        ASSERT_EQ(n, n_ref) << m.width << "x" << m.height << " -> " << out_w << "x" << out_h << " t=" << threshold;
        expect_box(got, ref.x0, ref.y0, ref.x1, ref.y1);
        ++cases;
      }
    }
  }
  EXPECT_EQ(cases, 6 * 6 * 5);
}

}  // namespace
