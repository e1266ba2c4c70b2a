// The real-vs-real floor: the halves rule (alternate positions), that a floor is the
// metric on exactly those halves, that two halves of one distribution give a KID
// around 0 (unbiased: the mean over independent data sets is within its standard
// error of 0) and an FID far below that of a shifted distribution.
#include "metrics/floor.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/errors.hpp"

namespace {

using xr::metrics::Floor;
using xr::metrics::halves_floor;
using xr::metrics::real_floor;
using xr::metrics::split_halves;

at::Tensor gaussian(int64_t n, int64_t d, uint64_t seed, double shift = 0) {
  at::Generator g = at::detail::createCPUGenerator(seed);
  return at::randn({n, d}, g, at::TensorOptions().dtype(at::kDouble)) + shift;
}

at::Tensor rows(const at::Tensor& t, const std::vector<int64_t>& r) {
  return t.index_select(0, at::tensor(r, at::TensorOptions().dtype(at::kLong)));
}

TEST(Floor, HalvesAlternateByPositionAndAGetsTheOddOneOut) {
  const auto h = split_halves({10, 11, 12, 13, 14});
  EXPECT_EQ(h.a, (std::vector<int64_t>{10, 12, 14}));
  EXPECT_EQ(h.b, (std::vector<int64_t>{11, 13}));
  const auto empty = split_halves({});
  EXPECT_TRUE(empty.a.empty() && empty.b.empty());
}

TEST(Floor, HalvesFloorIsTheMetricOnExactlyTheAlternateRows) {
  const at::Tensor f = gaussian(9, 6, 3);
  // A trend along the rows, so that another split (first/second half) gives other numbers.
  const at::Tensor trend = at::arange(9, at::TensorOptions().dtype(at::kDouble)).unsqueeze(1) * 0.3;
  const at::Tensor x = f + trend;
  const Floor got = halves_floor(x, 7, 1000, 5);
  const Floor want = real_floor(rows(x, {0, 2, 4, 6, 8}), rows(x, {1, 3, 5, 7}), 7, 1000, 5);
  EXPECT_EQ(got.n_reference, 5);
  EXPECT_EQ(got.n_other, 4);
  EXPECT_DOUBLE_EQ(got.fid.fid, want.fid.fid);
  EXPECT_DOUBLE_EQ(got.kid.mean, want.kid.mean);
  EXPECT_DOUBLE_EQ(got.kid.std, want.kid.std);
  EXPECT_EQ(got.kid.subset_size, 4);
  EXPECT_DOUBLE_EQ(want.kid.mean, xr::metrics::kid(rows(x, {0, 2, 4, 6, 8}), rows(x, {1, 3, 5, 7}), 7, 1000, 5).mean);
  const Floor other = real_floor(rows(x, {0, 1, 2, 3, 4}), rows(x, {5, 6, 7, 8}), 7, 1000, 5);
  EXPECT_NE(got.fid.fid, other.fid.fid);
  EXPECT_NE(got.kid.mean, other.kid.mean);
}

TEST(Floor, TwoHalvesOfOneDistributionAreNearZero) {
  const int kSets = 24;
  const int64_t n = 200, d = 16;
  double sum = 0, sq = 0, max_fid = 0;
  for (int s = 0; s < kSets; ++s) {
    const Floor f = halves_floor(gaussian(n, d, 100 + s), 10, 50, s);
    sum += f.kid.mean;
    sq += f.kid.mean * f.kid.mean;
    max_fid = std::max(max_fid, f.fid.fid);
    EXPECT_FALSE(f.fid.singular);
  }
  const double mean = sum / kSets;
  const double se = std::sqrt((sq / kSets - mean * mean) / (kSets - 1));
  EXPECT_LT(std::abs(mean), 3 * se) << "KID floor mean " << mean << ", standard error " << se;
  // The same sizes, one half shifted by a quarter of a standard deviation in every dimension.
  const at::Tensor a = gaussian(n / 2, d, 7), b = gaussian(n / 2, d, 8, 0.25);
  const Floor shifted = real_floor(a, b, 10, 50, 0);
  EXPECT_GT(shifted.kid.mean, 10 * std::abs(mean) + 10 * se);
  EXPECT_GT(shifted.fid.fid, 1.2 * max_fid);
  // FID between two samples of 100 is biased above 0 (about D(D+1)/(2n) terms), yet small.
  EXPECT_LT(max_fid, 0.2 * d);
}

TEST(Floor, FewerThanFourImagesIsADataError) {
  try {
    halves_floor(gaussian(3, 4, 1), 5, 10, 0);
    FAIL() << "3 images accepted";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kDataErr);
    EXPECT_NE(std::string(e.what()).find("at least 4"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(halves_floor(gaussian(4, 4, 1), 5, 10, 0));
}

TEST(Floor, JsonNamesEveryField) {
  const Floor f = halves_floor(gaussian(6, 3, 2), 5, 10, 0);
  const auto j = xr::metrics::floor_json(f);
  EXPECT_EQ(j["n_reference"], 3);
  EXPECT_EQ(j["n_other"], 3);
  EXPECT_DOUBLE_EQ(j["fid"].get<double>(), f.fid.fid);
  EXPECT_DOUBLE_EQ(j["kid_mean"].get<double>(), f.kid.mean);
  EXPECT_EQ(j["kid_subset_size"], 3);
  EXPECT_TRUE(j.contains("fid_singular") && j.contains("kid_std"));
}

}  // namespace
