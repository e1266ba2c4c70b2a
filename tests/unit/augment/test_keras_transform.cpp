// Keras-style parameters and matrix: the matrix against a NumPy transcription of
// keras-preprocessing's apply_affine_transform, the full transform against scipy,
// and the distributions of the drawn parameters.
#include "augment/keras_transform.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/errors.hpp"
#include "golden.hpp"

namespace {

xr::augment::AugmentParams params_of(const nlohmann::json& j) {
  xr::augment::AugmentParams p;
  p.rotation_deg = j.at("rotation_deg").get<double>();
  p.shift_rows = j.at("shift_rows").get<double>();
  p.shift_cols = j.at("shift_cols").get<double>();
  p.shear_deg = j.at("shear_deg").get<double>();
  p.zoom_rows = j.at("zoom_rows").get<double>();
  p.zoom_cols = j.at("zoom_cols").get<double>();
  p.brightness = j.at("brightness").get<double>();
  return p;
}

TEST(KerasTransform, MatrixMatchesKerasComposition) {
  int checked = 0;
  for (const auto& c : xr_test::load_golden()) {
    if (!c.has_params) continue;
    const xr::augment::AffineMap m = xr::augment::keras_affine(params_of(c.params), c.input.width, c.input.height);
    for (int i = 0; i < 2; ++i) {
      for (int j = 0; j < 2; ++j) EXPECT_NEAR(m.matrix[i][j], c.map.matrix[i][j], 1e-12) << c.name;
      EXPECT_NEAR(m.offset[i], c.map.offset[i], 1e-9) << c.name;
    }
    ++checked;
  }
  EXPECT_GE(checked, 4);
}

TEST(KerasTransform, AugmentedImageMatchesScipyWithinOneGreyLevel) {
  for (const auto& c : xr_test::load_golden()) {
    if (!c.has_params) continue;
    const xr::GrayImage out = xr::augment::augment_image(c.input, params_of(c.params));
    EXPECT_LE(xr_test::max_abs_error(out, c.expected), 1.0) << c.name;
  }
}

TEST(KerasTransform, NoParametersIsTheIdentity) {
  const xr::augment::AffineMap m = xr::augment::keras_affine(xr::augment::AugmentParams{}, 128, 96);
  EXPECT_DOUBLE_EQ(m.matrix[0][0], 1.0);
  EXPECT_DOUBLE_EQ(m.matrix[0][1], 0.0);
  EXPECT_DOUBLE_EQ(m.matrix[1][0], 0.0);
  EXPECT_DOUBLE_EQ(m.matrix[1][1], 1.0);
  EXPECT_DOUBLE_EQ(m.offset[0], 0.0);
  EXPECT_DOUBLE_EQ(m.offset[1], 0.0);
}

TEST(KerasTransform, ZoomPivotsOnThePixelCentre) {
  // Zoom about ((h-1)/2, (w-1)/2): that point maps onto itself.
  xr::augment::AugmentParams p;
  p.zoom_rows = 1.3;
  p.zoom_cols = 0.8;
  const xr::augment::AffineMap m = xr::augment::keras_affine(p, 10, 6);
  const double r = 2.5, c = 4.5;
  EXPECT_NEAR(m.matrix[0][0] * r + m.matrix[0][1] * c + m.offset[0], r, 1e-12);
  EXPECT_NEAR(m.matrix[1][0] * r + m.matrix[1][1] * c + m.offset[1], c, 1e-12);
  EXPECT_DOUBLE_EQ(m.matrix[0][0], 1.3);  // rows scaled by zoom_rows (Keras zx)
  EXPECT_DOUBLE_EQ(m.matrix[1][1], 0.8);
}

TEST(KerasTransform, ShearFactorMapsToAsinAngle) {
  EXPECT_NEAR(xr::augment::shear_degrees_for(0.05), 2.8659839825988, 1e-10);
  EXPECT_DOUBLE_EQ(xr::augment::shear_degrees_for(0.0), 0.0);
  // At the largest angle the row displacement per column is the factor itself.
  xr::augment::AugmentParams p;
  p.shear_deg = xr::augment::shear_degrees_for(0.05);
  EXPECT_NEAR(-xr::augment::keras_affine(p, 64, 64).matrix[0][1], 0.05, 1e-12);
}

struct Stats {
  double lo = 1e300, hi = -1e300, sum = 0;
  int n = 0;
  std::vector<int> bins = std::vector<int>(10, 0);
  void add(double v, double range_lo, double range_hi) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sum += v;
    ++n;
    const int b = std::min(9, static_cast<int>((v - range_lo) / (range_hi - range_lo) * 10));
    ++bins[std::max(0, b)];
  }
};

TEST(KerasTransform, DrawnParametersFollowTheirRanges) {
  const xr::augment::AugmentRanges r;  // the paper's
  const int w = 128, h = 100, n = 20000;
  const double shear_max = xr::augment::shear_degrees_for(0.05);
  Stats rot, sr, sc, sh, zr, zc, br;
  xr::Rng rng(12345);
  for (int i = 0; i < n; ++i) {
    const xr::augment::AugmentParams p = xr::augment::draw_params(r, w, h, rng);
    rot.add(p.rotation_deg, -5, 5);
    sr.add(p.shift_rows, -0.05 * h, 0.05 * h);
    sc.add(p.shift_cols, -0.05 * w, 0.05 * w);
    sh.add(p.shear_deg, -shear_max, shear_max);
    zr.add(p.zoom_rows, 0.85, 1.15);
    zc.add(p.zoom_cols, 0.85, 1.15);
    br.add(p.brightness, 0.6, 1.4);
  }
  auto check = [&](const Stats& s, double lo, double hi, const char* what) {
    EXPECT_GE(s.lo, lo) << what;
    EXPECT_LT(s.hi, hi) << what;
    // Uniform: the extremes come near the ends, the mean near the middle, and each
    // tenth of the range holds about n/10 draws (sd ~ 42; 6 sd allowed).
    EXPECT_LT(s.lo, lo + 0.001 * (hi - lo)) << what;
    EXPECT_GT(s.hi, hi - 0.001 * (hi - lo)) << what;
    EXPECT_NEAR(s.sum / s.n, (lo + hi) / 2, 0.01 * (hi - lo)) << what;
    for (int b : s.bins) EXPECT_NEAR(b, n / 10, 250) << what;
  };
  check(rot, -5, 5, "rotation");
  check(sr, -5, 5, "row shift (5% of 100 rows)");
  check(sc, -6.4, 6.4, "column shift (5% of 128 columns)");
  check(sh, -shear_max, shear_max, "shear");
  check(zr, 0.85, 1.15, "row zoom");
  check(zc, 0.85, 1.15, "column zoom");
  check(br, 0.6, 1.4, "brightness");
}

TEST(KerasTransform, ZoomAxesAreDrawnIndependently) {
  xr::Rng rng(7);
  double sxy = 0, sx = 0, sy = 0, sxx = 0, syy = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const auto p = xr::augment::draw_params(xr::augment::AugmentRanges{}, 64, 64, rng);
    sx += p.zoom_rows;
    sy += p.zoom_cols;
    sxy += p.zoom_rows * p.zoom_cols;
    sxx += p.zoom_rows * p.zoom_rows;
    syy += p.zoom_cols * p.zoom_cols;
  }
  const double cov = sxy / n - sx / n * sy / n;
  const double corr = cov / std::sqrt((sxx / n - sx * sx / n / n) * (syy / n - sy * sy / n / n));
  EXPECT_LT(std::abs(corr), 0.05);
}

TEST(KerasTransform, SeededDrawsRepeatAndDiffer) {
  auto draw = [](uint64_t seed) {
    xr::Rng rng(seed);
    return xr::augment::draw_params(xr::augment::AugmentRanges{}, 128, 128, rng);
  };
  const auto a = draw(42), b = draw(42), c = draw(43);
  EXPECT_EQ(a.rotation_deg, b.rotation_deg);
  EXPECT_EQ(a.shift_cols, b.shift_cols);
  EXPECT_EQ(a.brightness, b.brightness);
  EXPECT_NE(a.rotation_deg, c.rotation_deg);
  EXPECT_NE(a.zoom_rows, c.zoom_rows);
}

TEST(KerasTransform, PinnedRangesGiveFixedValuesAndLeaveTheOthers) {
  xr::augment::AugmentRanges pinned;
  pinned.rotation_deg = 0;
  pinned.shear = 0;
  pinned.zoom_lo = pinned.zoom_hi = 1.25;
  xr::Rng r1(99), r2(99);
  const auto p = xr::augment::draw_params(pinned, 64, 64, r1);
  const auto q = xr::augment::draw_params(xr::augment::AugmentRanges{}, 64, 64, r2);
  EXPECT_EQ(p.rotation_deg, 0.0);
  EXPECT_FALSE(std::signbit(p.rotation_deg));
  EXPECT_EQ(p.shear_deg, 0.0);
  EXPECT_EQ(p.zoom_rows, 1.25);
  EXPECT_EQ(p.zoom_cols, 1.25);
  // Every draw is still consumed, so the unpinned parameters are those of the default.
  EXPECT_EQ(p.shift_rows, q.shift_rows);
  EXPECT_EQ(p.shift_cols, q.shift_cols);
  EXPECT_EQ(p.brightness, q.brightness);
}

TEST(KerasTransform, ValidateRejectsOutOfDomainRanges) {
  EXPECT_NO_THROW(xr::augment::validate_ranges(xr::augment::AugmentRanges{}));
  auto code = [](xr::augment::AugmentRanges r) {
    try {
      xr::augment::validate_ranges(r);
    } catch (const xr::Error& e) {
      return static_cast<int>(e.code());
    }
    return 0;
  };
  xr::augment::AugmentRanges r;
  r.zoom_lo = 1.2;
  r.zoom_hi = 1.1;
  EXPECT_EQ(code(r), 64);
  r = {};
  r.zoom_lo = 0;
  EXPECT_EQ(code(r), 64);
  r = {};
  r.shear = 1.0;
  EXPECT_EQ(code(r), 64);
  r = {};
  r.brightness_lo = -0.1;
  EXPECT_EQ(code(r), 64);
  r = {};
  r.width_shift = 1.5;
  EXPECT_EQ(code(r), 64);
}

}  // namespace
