// FID against pytorch-fid's formula with scipy.linalg.sqrtm (tests/golden/metrics).
#include "metrics/fid.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.hpp"
#include "golden.hpp"

namespace {

using xr_test::load_feature_sets;
using Sets = xr_test::FeatureSets;

TEST(Fid, MatchesScipySqrtmOnFullRankCovariances) {
  const Sets s = load_feature_sets();
  const auto r = xr::metrics::fid(s.real.slice(1, 0, 32), s.fake.slice(1, 0, 32));
  EXPECT_FALSE(r.singular);
  const double want = s.g["fid_32"];
  EXPECT_NEAR(r.fid, want, 1e-9 * want);
}

TEST(Fid, SingularCovariancesAreFlaggedAndStillExact) {
  const Sets s = load_feature_sets();
  const auto r = xr::metrics::fid(s.real, s.fake);  // 50 and 40 images, 64 features
  EXPECT_TRUE(r.singular);
  const double want = s.g["fid_singular"];
  EXPECT_NEAR(r.fid, want, 1e-7 * want);
  const auto r2 = xr::metrics::fid(s.real.slice(0, 0, 30), s.fake.slice(0, 0, 20));
  EXPECT_TRUE(r2.singular);
  const double want2 = s.g["fid_singular_30_20"];
  EXPECT_NEAR(r2.fid, want2, 1e-7 * want2);
}

TEST(Fid, BothRoutesAgreeOnSingularCovariances) {
  // fid(tensors) takes the n x n route here; fid(stats) the D x D LDLT route.
  const Sets s = load_feature_sets();
  const auto low_rank = xr::metrics::fid(s.real, s.fake);
  const auto full = xr::metrics::fid(xr::metrics::feature_stats(s.real), xr::metrics::feature_stats(s.fake));
  EXPECT_TRUE(full.singular);
  EXPECT_NEAR(full.fid, s.g["fid_singular"].get<double>(), 1e-6 * low_rank.fid);
  EXPECT_NEAR(full.fid, low_rank.fid, 1e-6 * low_rank.fid);
}

TEST(Fid, LdltRouteMatchesTheEigendecompositionRoute) {
  at::manual_seed(7);
  for (int64_t rank : {40, 12}) {  // full rank and rank-deficient A
    const at::Tensor x = at::randn({rank, 40}, at::kDouble), y = at::randn({60, 40}, at::kDouble);
    const auto sa = xr::metrics::feature_stats(x), sb = xr::metrics::feature_stats(y);
    const double fast = xr::metrics::trace_sqrt_product(sa.cov, sb.cov);
    const double eig = xr::metrics::trace_sqrt_product_eig(sa.cov, sb.cov);
    EXPECT_NEAR(fast, eig, 1e-8 * eig) << "rank " << rank;
  }
}

TEST(Fid, SymmetricInOrderAndZeroForTheSameSet) {
  const Sets s = load_feature_sets();
  const auto ab = xr::metrics::fid(s.real.slice(1, 0, 32), s.fake.slice(1, 0, 32));
  const auto ba = xr::metrics::fid(s.fake.slice(1, 0, 32), s.real.slice(1, 0, 32));
  EXPECT_NEAR(ab.fid, ba.fid, 1e-9 * ab.fid);
  const auto same = xr::metrics::fid(s.real.slice(1, 0, 32), s.real.slice(1, 0, 32));
  EXPECT_NEAR(same.fid, 0.0, 1e-8);
}

TEST(Fid, HandComputedOneDimensionalCase) {
  // 1-D: FID = (mu1 - mu2)^2 + (s1 - s2)^2 with s the standard deviations (ddof 1).
  const at::Tensor a = at::tensor({1.0, 2.0, 3.0}, at::kDouble).reshape({3, 1});  // mean 2, var 1
  const at::Tensor b = at::tensor({2.0, 6.0}, at::kDouble).reshape({2, 1});       // mean 4, var 8
  const auto r = xr::metrics::fid(a, b);
  EXPECT_NEAR(r.fid, 4.0 + (1.0 - std::sqrt(8.0)) * (1.0 - std::sqrt(8.0)), 1e-12);
}

TEST(Fid, OneImageIsUndefined) {
  const Sets s = load_feature_sets();
  try {
    xr::metrics::fid(s.real.slice(0, 0, 1), s.fake);
    FAIL() << "FID of one image accepted";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kDataErr);
    EXPECT_NE(std::string(e.what()).find("undefined"), std::string::npos);
  }
  EXPECT_THROW(xr::metrics::fid(s.real, s.fake.slice(1, 0, 5)), xr::Error);
}

}  // namespace
