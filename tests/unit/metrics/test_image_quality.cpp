// SSIM, RMSE and SRE against skimage / numpy (tests/golden/metrics/images.json), and
// the nearest-neighbour pairing on hand-made cases.
#include "metrics/image_quality.hpp"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.hpp"
#include "golden.hpp"

namespace {

TEST(ImageQuality, MatchesSkimageAndNumpy) {
  const auto g = xr_test::load_golden("images.json");
  ASSERT_GE(g["pairs"].size(), 4u);
  for (const auto& p : g["pairs"]) {
    const int w = p["width"], h = p["height"];
    const auto x = xr_test::gray(p["x"], w, h), y = xr_test::gray(p["y"], w, h);
    SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h));
    EXPECT_NEAR(xr::metrics::ssim(x, y), p["ssim"].get<double>(), 1e-9);
    EXPECT_NEAR(xr::metrics::rmse(x, y), p["rmse"].get<double>(), 1e-9);
    EXPECT_NEAR(xr::metrics::sre_db(x, y), p["sre_db"].get<double>(), 1e-9);
  }
}

TEST(ImageQuality, IdenticalImages) {
  const auto g = xr_test::load_golden("images.json");
  const auto& p = g["pairs"][0];
  const auto x = xr_test::gray(p["x"], p["width"], p["height"]);
  EXPECT_NEAR(xr::metrics::ssim(x, x), 1.0, 1e-12);
  EXPECT_EQ(xr::metrics::rmse(x, x), 0.0);
  EXPECT_TRUE(std::isinf(xr::metrics::sre_db(x, x)) && xr::metrics::sre_db(x, x) > 0);
}

TEST(ImageQuality, HandComputedRmseAndSre) {
  xr::GrayImage x(2, 2, 100), y(2, 2, 100);
  y.pixels = {100, 100, 100, 120};  // one error of 20: mse 100, rmse 10
  EXPECT_DOUBLE_EQ(xr::metrics::rmse(x, y), 10.0);
  EXPECT_NEAR(xr::metrics::sre_db(x, y), 10 * std::log10(100.0 * 100.0 / 100.0), 1e-12);  // 20 dB
}

TEST(ImageQuality, SizeErrors) {
  xr::GrayImage a(12, 12, 1), b(12, 13, 1), tiny(10, 10, 1);
  EXPECT_THROW(xr::metrics::ssim(a, b), xr::Error);
  EXPECT_THROW(xr::metrics::rmse(a, b), xr::Error);
  try {
    xr::metrics::ssim(tiny, tiny);
    FAIL();
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kDataErr);
    EXPECT_NE(std::string(e.what()).find("11x11"), std::string::npos);
  }
}

TEST(ImageQuality, NearestNeighboursExactDistances) {
  // References: flat 0, flat 10, flat 200 (2x2); queries 9 (-> 10), 200 (-> exact copy), 0.
  at::Tensor refs = at::empty({3, 1, 2, 2}, at::kByte);
  refs[0].fill_(0);
  refs[1].fill_(10);
  refs[2].fill_(200);
  at::Tensor q = at::empty({3, 1, 2, 2}, at::kByte);
  q[0].fill_(9);
  q[1].fill_(200);
  q[2].fill_(0);
  q[2][0][0][0] = 3;  // distance 3 from flat 0
  const auto m = xr::metrics::nearest_neighbours(q, refs);
  ASSERT_EQ(m.index.size(), 3u);
  EXPECT_EQ(m.index[0], 1);
  EXPECT_DOUBLE_EQ(m.distance[0], 2.0);  // sqrt(4 * 1^2)
  EXPECT_EQ(m.index[1], 2);
  EXPECT_EQ(m.distance[1], 0.0);
  EXPECT_EQ(m.index[2], 0);
  EXPECT_DOUBLE_EQ(m.distance[2], 3.0);
}

TEST(ImageQuality, NearestNeighboursOnManyRandomImagesAgreesWithBruteForce) {
  at::manual_seed(3);
  const at::Tensor refs = at::randint(0, 256, {40, 1, 9, 7}, at::kByte);
  const at::Tensor q = at::randint(0, 256, {300, 1, 9, 7}, at::kByte);  // more than one chunk
  const auto m = xr::metrics::nearest_neighbours(q, refs);
  const at::Tensor qd = q.reshape({300, -1}).to(at::kLong), rd = refs.reshape({40, -1}).to(at::kLong);
  for (int64_t i = 0; i < 300; i += 17) {
    const at::Tensor d2 = (rd - qd[i]).pow(2).sum(1);
    const int64_t best = d2.argmin().item<int64_t>();
    EXPECT_EQ(m.index[i], best);
    EXPECT_DOUBLE_EQ(m.distance[i], std::sqrt(double(d2[best].item<int64_t>())));
  }
}

}  // namespace
