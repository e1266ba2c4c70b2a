// Metrics against scikit-learn goldens (tests/golden/classify/make_goldens.py),
// McNemar against hand-computed binomial and chi-square values, the bootstrap's
// determinism and numpy-style quantiles.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "classify/scores.hpp"

using namespace xr::classify;

namespace {

nlohmann::json goldens() {
  const char* src = std::getenv("XR_SOURCE_DIR");
  const std::string path = std::string(src ? src : ".") + "/tests/golden/classify/metrics.json";
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

void expect_scores(const ClassScores& s, const nlohmann::json& g, const std::string& what) {
  EXPECT_NEAR(s.precision, g["precision"].get<double>(), 1e-12) << what;
  EXPECT_NEAR(s.recall, g["recall"].get<double>(), 1e-12) << what;
  EXPECT_NEAR(s.f1, g["f1"].get<double>(), 1e-12) << what;
  EXPECT_NEAR(s.specificity, g["specificity"].get<double>(), 1e-12) << what;
}

}  // namespace

TEST(Metrics, EqualSklearnOnGoldenCases) {
  const auto cases = goldens();
  ASSERT_GE(cases.size(), 5u);
  for (const auto& c : cases) {
    const std::string name = c["name"];
    const int k = c["num_classes"];
    const Metrics m = compute_metrics(c["y_true"].get<std::vector<int>>(), c["y_pred"].get<std::vector<int>>(), k);
    EXPECT_NEAR(m.accuracy, c["accuracy"].get<double>(), 1e-12) << name;
    EXPECT_NEAR(m.mcc, c["mcc"].get<double>(), 1e-12) << name;
    EXPECT_EQ(m.confusion, c["confusion"].get<std::vector<std::vector<int64_t>>>()) << name;
    for (int j = 0; j < k; ++j) {
      nlohmann::json g = {{"precision", c["precision"][j]}, {"recall", c["recall"][j]},
                          {"f1", c["f1"][j]}, {"specificity", c["specificity"][j]}};
      expect_scores(m.per_class[j], g, name + " class " + std::to_string(j));
      EXPECT_EQ(m.per_class[j].support, c["support"][j].get<int64_t>());
    }
    expect_scores(m.macro, c["macro"], name + " macro");
    EXPECT_NEAR(m.f1_of_macro_pr, c["macro"]["f1_of_macro_pr"].get<double>(), 1e-12) << name;
    expect_scores(m.weighted, c["weighted"], name + " weighted");
    // The helpers the bootstrap uses agree with the full computation.
    EXPECT_NEAR(accuracy_of(m.confusion), m.accuracy, 1e-15);
    EXPECT_NEAR(macro_f1_of(m.confusion), m.macro.f1, 1e-15);
    EXPECT_NEAR(f1_of_macro_pr_of(m.confusion), m.f1_of_macro_pr, 1e-15);
    EXPECT_NEAR(mcc_of(m.confusion), m.mcc, 1e-15);
  }
}

TEST(Metrics, HandComputedTwoClassCase) {
  // TP=3 FN=1 FP=2 TN=4 for class 1.
  const std::vector<int> t = {1, 1, 1, 1, 0, 0, 0, 0, 0, 0};
  const std::vector<int> p = {1, 1, 1, 0, 1, 1, 0, 0, 0, 0};
  const Metrics m = compute_metrics(t, p, 2);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.7);
  EXPECT_DOUBLE_EQ(m.per_class[1].precision, 3.0 / 5);
  EXPECT_DOUBLE_EQ(m.per_class[1].recall, 3.0 / 4);
  EXPECT_DOUBLE_EQ(m.per_class[1].specificity, 4.0 / 6);
  // Binary MCC: (TP*TN - FP*FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)).
  EXPECT_NEAR(m.mcc, (3.0 * 4 - 2 * 1) / std::sqrt(5.0 * 4 * 6 * 5), 1e-12);
}

TEST(Metrics, TwoF1sByHand) {
  // Class 0: TP 4, FP 1, FN 0 -> P 4/5, R 1, F1 8/9. Class 1: TP 1, FP 0, FN 1 ->
  // P 1, R 1/2, F1 2/3. Macro P 9/10, R 3/4.
  const std::vector<int> t = {0, 0, 0, 0, 1, 1};
  const std::vector<int> p = {0, 0, 0, 0, 0, 1};
  const Metrics m = compute_metrics(t, p, 2);
  EXPECT_DOUBLE_EQ(m.macro.precision, 9.0 / 10);
  EXPECT_DOUBLE_EQ(m.macro.recall, 3.0 / 4);
  // sklearn: the mean of the per-class F1s, (8/9 + 2/3) / 2 = 7/9.
  EXPECT_NEAR(m.macro.f1, 7.0 / 9, 1e-15);
  // The paper: 2PR/(P+R) = 2 (9/10)(3/4) / (9/10 + 3/4) = 9/11.
  EXPECT_NEAR(m.f1_of_macro_pr, 9.0 / 11, 1e-15);
  EXPECT_NEAR(f1_of_macro_pr_of(m.confusion), 9.0 / 11, 1e-15);
  EXPECT_DOUBLE_EQ(harmonic_f1(0, 0), 0.0);
  // The paper's Table 2, no augmentation: P 0.845, R 0.769 give its F1 0.805.
  EXPECT_NEAR(harmonic_f1(0.845, 0.769), 0.805, 0.0005);
}

TEST(Metrics, QuantileIsNumpyLinear) {
  std::vector<double> v = {5, 1, 4, 2, 3, 10};
  // numpy.quantile([5,1,4,2,3,10], [0.025, 0.975]) == [1.125, 9.375]
  EXPECT_DOUBLE_EQ(quantile(v, 0.025), 1.125);
  EXPECT_DOUBLE_EQ(quantile(v, 0.975), 9.375);
  EXPECT_DOUBLE_EQ(quantile(v, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(quantile(v, 1.0), 10.0);
}

TEST(Bootstrap, DeterministicBySeedAndBracketsTheEstimate) {
  std::vector<int> t, p;
  for (int i = 0; i < 300; ++i) {
    t.push_back(i % 3);
    p.push_back(i % 7 == 0 ? (i + 1) % 3 : i % 3);
  }
  const BootstrapResult a = bootstrap(t, p, 3, 500, 42);
  const BootstrapResult b = bootstrap(t, p, 3, 500, 42);
  const BootstrapResult c = bootstrap(t, p, 3, 500, 43);
  EXPECT_EQ(a.accuracy.low, b.accuracy.low);
  EXPECT_EQ(a.mcc.high, b.mcc.high);
  EXPECT_EQ(a.macro_f1_sklearn.low, b.macro_f1_sklearn.low);
  EXPECT_EQ(a.f1_of_macro_pr.high, b.f1_of_macro_pr.high);

  EXPECT_TRUE(a.accuracy.low != c.accuracy.low || a.accuracy.high != c.accuracy.high ||
              a.mcc.low != c.mcc.low);
  const Metrics m = compute_metrics(t, p, 3);
  EXPECT_LT(a.accuracy.low, m.accuracy);
  EXPECT_GT(a.accuracy.high, m.accuracy);
  EXPECT_LT(a.mcc.low, m.mcc);
  EXPECT_GT(a.mcc.high, m.mcc);
  EXPECT_LT(a.f1_of_macro_pr.low, m.f1_of_macro_pr);
  EXPECT_GT(a.f1_of_macro_pr.high, m.f1_of_macro_pr);
  // Binomial standard error of accuracy ~ sqrt(p(1-p)/n): the 95% interval spans about 4 of them.
  const double se = std::sqrt(m.accuracy * (1 - m.accuracy) / 300);
  EXPECT_NEAR(a.accuracy.high - a.accuracy.low, 3.92 * se, 1.5 * se);
}

namespace {
void paired(int both_right, int only_a, int only_b, int both_wrong, std::vector<bool>& a, std::vector<bool>& b) {
  auto add = [&](int n, bool x, bool y) {
    for (int i = 0; i < n; ++i) {
      a.push_back(x);
      b.push_back(y);
    }
  };
  add(both_right, true, true);
  add(only_a, true, false);
  add(only_b, false, true);
  add(both_wrong, false, false);
}
}  // namespace

TEST(McNemar, ExactBinomialForFewDiscordantPairs) {
  std::vector<bool> a, b;
  paired(50, 3, 10, 5, a, b);
  const McNemarResult r = mcnemar(a, b);
  EXPECT_EQ(r.method, "exact");
  EXPECT_EQ(r.only_a_correct, 3);
  EXPECT_EQ(r.only_b_correct, 10);
  EXPECT_EQ(r.both_correct, 50);
  EXPECT_EQ(r.both_wrong, 5);
  // 2 * (C(13,0)+C(13,1)+C(13,2)+C(13,3)) / 2^13 = 2 * 378 / 8192.
  EXPECT_NEAR(r.p_value, 756.0 / 8192.0, 1e-12);
}

TEST(McNemar, ChiSquareWithContinuityCorrection) {
  std::vector<bool> a, b;
  paired(100, 10, 30, 7, a, b);
  const McNemarResult r = mcnemar(a, b);
  EXPECT_EQ(r.method, "chi2-cc");
  EXPECT_DOUBLE_EQ(r.statistic, 19.0 * 19.0 / 40.0);  // (|10-30| - 1)^2 / 40 = 9.025
  EXPECT_NEAR(r.p_value, 0.002663119259138558, 1e-12);  // scipy.stats.chi2.sf(9.025, 1)
}

TEST(McNemar, NoDiscordantPairsIsPOne) {
  std::vector<bool> a, b;
  paired(10, 0, 0, 2, a, b);
  EXPECT_DOUBLE_EQ(mcnemar(a, b).p_value, 1.0);
  std::vector<bool> c, d;
  paired(10, 5, 5, 0, c, d);  // symmetric: exact p is min(1, 2 * 0.623...) = 1
  EXPECT_DOUBLE_EQ(mcnemar(c, d).p_value, 1.0);
}
