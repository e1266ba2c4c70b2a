// KID against the numpy reference of tests/golden/metrics/make_goldens.py.
#include "metrics/kid.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.hpp"
#include "golden.hpp"

namespace {

using xr_test::load_feature_sets;
using Sets = xr_test::FeatureSets;

at::Tensor rows(const at::Tensor& t, const nlohmann::json& idx) {
  return t.index_select(0, at::tensor(idx.get<std::vector<int64_t>>(), at::kLong));
}

TEST(Kid, OneSubsetMatchesTheReferenceFormula) {
  const Sets s = load_feature_sets();
  for (const auto& sub : s.g["kid_subsets"]) {
    const double got = xr::metrics::mmd2_unbiased(rows(s.fake, sub["fake"]), rows(s.real, sub["real"]));
    EXPECT_NEAR(got, sub["mmd2"].get<double>(), 1e-12 + 1e-9 * std::abs(sub["mmd2"].get<double>()));
  }
}

TEST(Kid, MeanAndStdOverSubsetsAsTheReferences) {
  // The reference's mean and (ddof 0) std over the golden's three subsets.
  const Sets s = load_feature_sets();
  std::vector<double> v;
  for (const auto& sub : s.g["kid_subsets"]) {
    v.push_back(xr::metrics::mmd2_unbiased(rows(s.fake, sub["fake"]), rows(s.real, sub["real"])));
  }
  const double mean = (v[0] + v[1] + v[2]) / 3;
  double sq = 0;
  for (double x : v) sq += (x - mean) * (x - mean);
  EXPECT_NEAR(mean, s.g["kid_subsets_mean"].get<double>(), 1e-10);
  EXPECT_NEAR(std::sqrt(sq / 3), s.g["kid_subsets_std"].get<double>(), 1e-10);
}

TEST(Kid, SubsetOfWholeSetsIsTheFullEstimateWithZeroSpread) {
  // Equal sets of 40 and a subset size >= 40: every subset is the whole of both sets.
  const Sets s = load_feature_sets();
  const auto r = xr::metrics::kid(s.real.slice(0, 0, 40), s.fake, 5, 1000, 3);
  EXPECT_NEAR(r.mean, s.g["kid_full_40"].get<double>(), 1e-10);
  EXPECT_NEAR(r.std, 0.0, 1e-10);
  EXPECT_EQ(r.subset_size, 40);
  EXPECT_EQ(r.subsets, 5);
  EXPECT_TRUE(r.subset_shrunk);
}

TEST(Kid, RandomSubsetsAverageToTheExpectedValue) {
  // The subset estimate is unbiased for the all-pairs value the golden gives: the
  // mean over many seeded subsets lies within a few standard errors of it.
  const Sets s = load_feature_sets();
  const int subsets = 4000;
  const auto r = xr::metrics::kid(s.real, s.fake, subsets, 25, 11);
  EXPECT_EQ(r.subset_size, 25);
  EXPECT_FALSE(r.subset_shrunk);
  EXPECT_GT(r.std, 0.0);
  EXPECT_NEAR(r.mean, s.g["kid_expected"].get<double>(), 5 * r.std / std::sqrt(double(subsets)));
}

TEST(Kid, BothEvaluationPathsAgreeSubsetBySubset) {
  const Sets s = load_feature_sets();
  using xr::metrics::KidMethod;
  const auto a = xr::metrics::kid_subset_values(s.real, s.fake, 6, 20, 5, KidMethod::kPerSubset);
  const auto b = xr::metrics::kid_subset_values(s.real, s.fake, 6, 20, 5, KidMethod::kWholeMatrices);
  ASSERT_EQ(a.size(), 6u);
  ASSERT_EQ(b.size(), 6u);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-11) << "subset " << i;
  EXPECT_NE(a[0], a[1]);  // the subsets do differ
}

TEST(Kid, SameSeedSameNumbersOtherSeedOthers) {
  const Sets s = load_feature_sets();
  const auto a = xr::metrics::kid(s.real, s.fake, 10, 20, 1);
  const auto b = xr::metrics::kid(s.real, s.fake, 10, 20, 1);
  const auto c = xr::metrics::kid(s.real, s.fake, 10, 20, 2);
  EXPECT_EQ(a.mean, b.mean);
  EXPECT_EQ(a.std, b.std);
  EXPECT_NE(a.mean, c.mean);
}

TEST(Kid, SubsetShrinksToTheSmallerSet) {
  const Sets s = load_feature_sets();
  const auto r = xr::metrics::kid(s.real, s.fake.slice(0, 0, 7), 4, 1000, 0);
  EXPECT_EQ(r.subset_size, 7);
  EXPECT_TRUE(r.subset_shrunk);
}

TEST(Kid, FurtherDistributionsScoreHigher) {
  // KID grows with the shift between the sets (whole sets, so no subset noise).
  const Sets s = load_feature_sets();
  const auto near = xr::metrics::kid(s.real.slice(0, 0, 40), s.real.slice(0, 10, 50) + 0.05, 1, 1000, 0);
  const auto far = xr::metrics::kid(s.real.slice(0, 0, 40), s.real.slice(0, 10, 50) + 0.5, 1, 1000, 0);
  EXPECT_LT(near.mean, far.mean);
  EXPECT_GT(far.mean, 0.1);
}

TEST(Kid, UndefinedAndBadArgumentsAreErrors) {
  const Sets s = load_feature_sets();
  try {
    xr::metrics::kid(s.real, s.fake.slice(0, 0, 1));
    FAIL() << "one fake image accepted";
  } catch (const xr::Error& e) {
    EXPECT_EQ(e.code(), xr::Exit::kDataErr);
    EXPECT_NE(std::string(e.what()).find("fewer than 2"), std::string::npos);
  }
  EXPECT_THROW(xr::metrics::kid(s.real, s.fake.slice(1, 0, 10)), xr::Error);
  EXPECT_THROW(xr::metrics::kid(s.real, s.fake, 0), xr::Error);
  EXPECT_THROW(xr::metrics::kid(s.real, s.fake, 10, 1), xr::Error);
}

}  // namespace
