// The noise verdict (lib/report/noise): Student's t quantiles equal scipy's, and the
// Welch difference of two pipelines' per-run scores agrees with scipy's Welch t-test
// (noise_golden.json, made by tests/golden/report/make_noise_golden.py): the
// statistic is the difference over its standard error, and the p-value is where the
// t quantile of the same degrees of freedom meets it, so the 95% interval excludes 0
// exactly when scipy's p < 0.05.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "report/experiment.hpp"
#include "report/noise.hpp"

namespace fs = std::filesystem;
namespace rep = xr::report;
using nlohmann::json;

namespace {

json golden() {
  const char* src = std::getenv("XR_SOURCE_DIR");
  const fs::path root = src ? fs::path(src) : fs::current_path();
  std::ifstream in(root / "tests" / "golden" / "report" / "noise_golden.json");
  return json::parse(in);
}

// An experiment whose pipelines have the given runs, mean and std of accuracy and MCC.
rep::Experiment with_runs(const std::vector<std::tuple<std::string, int, double, double>>& pipes) {
  rep::Experiment e;
  e.name = "x";
  for (const auto& [name, runs, mean, sd] : pipes) {
    rep::PipelineResult r;
    r.name = name;
    r.runs = runs;
    for (const auto& m : rep::metric_specs()) {
      rep::MetricValue v;
      v.best = mean;
      v.mean = mean;
      if (runs >= 2) v.std = sd;
      r.values[m.key] = v;
    }
    e.results[name] = r;
  }
  return e;
}

TEST(Noise, StudentTQuantilesEqualScipys) {
  for (const auto& c : golden()["t_quantiles"]) {
    const double q = rep::student_t_quantile(c["p"].get<double>(), c["df"].get<double>());
    EXPECT_NEAR(q, c["q"].get<double>(), 1e-9 * std::max(1.0, std::fabs(c["q"].get<double>())))
        << "p " << c["p"] << " df " << c["df"];
  }
  EXPECT_EQ(rep::student_t_quantile(0.5, 3), 0);
  EXPECT_THROW(rep::student_t_quantile(1, 3), std::invalid_argument);
  EXPECT_THROW(rep::student_t_quantile(0.9, 0), std::invalid_argument);
}

TEST(Noise, WelchAgreesWithScipysTTest) {
  for (const auto& w : golden()["welch"]) {
    const rep::Experiment e =
        with_runs({{"none", w["runs_b"].get<int>(), w["mean_b"].get<double>(), w["std_b"].get<double>()},
                   {"gan", w["runs_a"].get<int>(), w["mean_a"].get<double>(), w["std_a"].get<double>()}});
    const auto rows = rep::noise_rows(e);
    ASSERT_EQ(rows.size(), 2u);  // accuracy, MCC
    const rep::NoiseRow& r = rows[0];
    EXPECT_EQ(r.metric, "accuracy");
    EXPECT_EQ(r.a, "gan");
    EXPECT_EQ(r.b, "none");
    ASSERT_TRUE(r.se && r.df && r.ci_low && r.ci_high);
    const double statistic = w["statistic"].get<double>(), p = w["pvalue"].get<double>();
    EXPECT_NEAR(r.difference / *r.se, statistic, 1e-9 * std::fabs(statistic));
    // scipy's two-sided p-value at our degrees of freedom: |t| is the (1 - p/2) quantile.
    EXPECT_NEAR(rep::student_t_quantile(1 - p / 2, *r.df), std::fabs(statistic), 1e-7 * std::fabs(statistic));
    const double half = rep::student_t_quantile(0.975, *r.df) * *r.se;
    EXPECT_NEAR(*r.ci_low, r.difference - half, 1e-12);
    EXPECT_NEAR(*r.ci_high, r.difference + half, 1e-12);
    EXPECT_EQ(r.verdict == rep::NoiseRow::Verdict::kExceedsNoise, p < 0.05) << "p " << p;
  }
}

TEST(Noise, PairsFollowTheTableOrderAndOneRunHasNoSpread) {
  rep::Experiment e = with_runs({{"gan", 2, 0.5, 0.1}, {"none", 2, 0.4, 0.1}, {"classical", 1, 0.6, 0}});
  const auto rows = rep::noise_rows(e);
  ASSERT_EQ(rows.size(), 6u);  // 3 pairs x (accuracy, MCC)
  std::vector<std::string> pairs;
  for (size_t i = 0; i < 3; ++i) pairs.push_back(rows[i].a + "-" + rows[i].b);
  EXPECT_EQ(pairs, (std::vector<std::string>{"classical-none", "gan-none", "gan-classical"}));
  EXPECT_EQ(rows[0].verdict, rep::NoiseRow::Verdict::kNoSpread);
  EXPECT_FALSE(rows[0].se.has_value());
  EXPECT_NEAR(rows[0].difference, 0.2, 1e-12);
  EXPECT_EQ(rows[1].verdict, rep::NoiseRow::Verdict::kWithinNoise);  // 0.1 apart, sd 0.1, 2 runs each
  EXPECT_EQ(rep::verdict_text(rows[0].verdict), "no spread known");
  EXPECT_EQ(rep::verdict_text(rows[1].verdict), "within noise");
  // Every run the same in both pipelines (ties by chance): no spread is known, not a
  // spread of 0 that would call any difference beyond noise.
  e = with_runs({{"none", 3, 0.4, 0}, {"gan", 3, 0.5, 0}});
  EXPECT_EQ(rep::noise_rows(e)[0].verdict, rep::NoiseRow::Verdict::kNoSpread);
  EXPECT_FALSE(rep::noise_rows(e)[0].se.has_value());
  e = with_runs({{"none", 3, 0.4, 0}, {"gan", 3, 0.4, 0}});
  EXPECT_EQ(rep::noise_rows(e)[0].verdict, rep::NoiseRow::Verdict::kNoSpread);
  // One pipeline's runs tie, the other's spread: Welch on that spread alone.
  e = with_runs({{"none", 3, 0.4, 0}, {"gan", 3, 0.5, 0.01}});
  EXPECT_EQ(rep::noise_rows(e)[0].verdict, rep::NoiseRow::Verdict::kExceedsNoise);
  // A pipeline without per-run scores is left out.
  e = with_runs({{"none", 3, 0.4, 0.1}, {"gan", 3, 0.5, 0.1}});
  e.results["gan"].values["accuracy"].mean.reset();
  EXPECT_TRUE(rep::noise_rows(e).empty());
}

TEST(Noise, TableAsCsv) {
  const rep::Experiment e = with_runs({{"none", 1, 0.25, 0}, {"gan", 1, 0.5, 0}});
  const xr::CsvTable t = rep::noise_table("small", rep::noise_rows(e));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.header.front(), "experiment");
  EXPECT_EQ(t.rows[0], (std::vector<std::string>{"small", "accuracy", "gan", "none", "1", "1", "0.25", "", "", "",
                                                 "", "0.95", "no spread known"}));
}

}  // namespace
