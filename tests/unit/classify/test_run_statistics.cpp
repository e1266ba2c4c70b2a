// cls-eval's statistics over the runs of a model folder (mean and sample standard
// deviation, against hand-computed values) and McNemar's pairing of two prediction
// sets by image path, with the refusals that keep the pairing on one test set.
#include <gtest/gtest.h>

#include <cmath>

#include "../exit_code.hpp"
#include "classify/run_statistics.hpp"

using namespace xr::classify;

namespace {

// Two classes, four images; `right` of them predicted correctly (the first ones).
Metrics scored(int right) {
  const std::vector<int> y_true = {0, 0, 1, 1};
  std::vector<int> y_pred = y_true;
  for (int i = right; i < 4; ++i) y_pred[i] = 1 - y_true[i];
  return compute_metrics(y_true, y_pred, 2);
}

}  // namespace

TEST(RunStatistics, MeanAndSampleStdOverRuns) {
  // Accuracies 1/4, 2/4, 4/4: mean 7/12; deviations -4/12, -1/12, 5/12, so the
  // sample variance is (16 + 1 + 25) / 144 / 2 = 21/144 and the std sqrt(21)/12.
  const nlohmann::json j = run_statistics({scored(1), scored(2), scored(4)});
  EXPECT_EQ(j["count"].get<int>(), 3);
  EXPECT_NEAR(j["mean_std"]["accuracy"]["mean"].get<double>(), 7.0 / 12.0, 1e-15);
  EXPECT_NEAR(j["mean_std"]["accuracy"]["std"].get<double>(), std::sqrt(21.0) / 12.0, 1e-15);
  ASSERT_EQ(j["per_run"].size(), 3u);
  EXPECT_EQ(j["per_run"][0]["run"].get<int>(), 1);
  EXPECT_EQ(j["per_run"][2]["run"].get<int>(), 3);
  EXPECT_DOUBLE_EQ(j["per_run"][1]["accuracy"].get<double>(), 0.5);
  // Every summary value has its mean and std, and nothing else is averaged.
  EXPECT_EQ(j["mean_std"].size(), summary_values(scored(4)).size());
  EXPECT_DOUBLE_EQ(j["mean_std"]["macro_f1_sklearn"]["mean"].get<double>(),
                   (scored(1).macro.f1 + scored(2).macro.f1 + scored(4).macro.f1) / 3);
}

TEST(RunStatistics, OneRunHasNoSpread) {
  const nlohmann::json j = run_statistics({scored(2)});
  EXPECT_EQ(j["mean_std"]["accuracy"]["std"].get<double>(), 0.0);
  EXPECT_EQ(j["mean_std"]["accuracy"]["mean"].get<double>(), 0.5);
}

TEST(PairWithPredictions, PairsByPathNotByOrder) {
  const std::vector<std::string> classes = {"a", "b"};
  const std::vector<std::string> rel = {"a/1.png", "b/2.png", "b/3.png"};
  const std::vector<int> y_true = {0, 1, 1}, y_pred = {0, 0, 1};  // here: right, wrong, right
  const std::map<std::string, PredictionRow> other = {
      {"b/3.png", {"b", "a"}}, {"a/1.png", {"a", "a"}}, {"b/2.png", {"b", "b"}}};  // right, right, wrong
  const PairedCorrectness p = pair_with_predictions(other, "other.csv", rel, y_true, y_pred, classes);
  EXPECT_EQ(p.a_correct, (std::vector<bool>{true, false, true}));
  EXPECT_EQ(p.b_correct, (std::vector<bool>{true, true, false}));
}

TEST(PairWithPredictions, RefusesAnotherTestSet) {
  const std::vector<std::string> classes = {"a", "b"};
  const std::vector<std::string> rel = {"a/1.png", "b/2.png"};
  const std::vector<int> y_true = {0, 1}, y_pred = {0, 1};
  const auto code = [&](const std::map<std::string, PredictionRow>& other) {
    return xr_test::code_of([&] { pair_with_predictions(other, "other.csv", rel, y_true, y_pred, classes); });
  };
  EXPECT_EQ(code({{"a/1.png", {"a", "a"}}, {"b/2.png", {"b", "b"}}}), xr::Exit::kOk);
  EXPECT_EQ(code({{"a/1.png", {"a", "a"}}}), xr::Exit::kDataErr);                              // fewer images
  EXPECT_EQ(code({{"a/1.png", {"a", "a"}}, {"b/9.png", {"b", "b"}}}), xr::Exit::kDataErr);     // another image
  EXPECT_EQ(code({{"a/1.png", {"a", "a"}}, {"b/2.png", {"a", "b"}}}), xr::Exit::kDataErr);     // another true class
}
