// The noise verdict: whether the difference between two pipelines' test scores is
// larger than the classifier's run-to-run spread. On data of this size one seed's
// accuracy moves by 0.03-0.08 (BENCHMARKS.md, the classifier learning benchmark), the
// size of every difference in the paper, so a difference of means is read against
// its standard error over the runs (Welch: unequal variances and run counts) and its
// 95% interval, never alone.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/csv.hpp"
#include "report/experiment.hpp"

namespace xr::report {

// Quantile p (0 < p < 1) of Student's t distribution with df > 0 degrees of freedom
// (df need not be an integer: Welch's is not).
double student_t_quantile(double p, double df);

// The interval's level; the verdict is "exceeds noise" when it excludes 0.
constexpr double kNoiseLevel = 0.95;

// One pair of pipelines and one metric: a minus b over the classifier runs.
struct NoiseRow {
  std::string a, b;    // pipelines, in the paper's table order (a after b)
  std::string metric;  // MetricSpec key: "accuracy" or "mcc"
  int runs_a = 0, runs_b = 0;
  double difference = 0;  // mean(a) - mean(b) over the runs
  // Absent when either pipeline has fewer than 2 runs, or every run of both scored the
  // same: no spread is known.
  std::optional<double> se, df, ci_low, ci_high;
  enum class Verdict { kNoSpread, kWithinNoise, kExceedsNoise } verdict = Verdict::kNoSpread;
};

// "within noise", "exceeds noise" or "no spread known".
std::string verdict_text(NoiseRow::Verdict v);

// Every pair of the experiment's pipelines that have a mean over runs, for accuracy
// and MCC, each pair against the earlier pipeline of the table (classical - none,
// GAN - none, GAN - classical).
std::vector<NoiseRow> noise_rows(const Experiment& e);

// The rows as CSV (noise_<experiment>.csv).
CsvTable noise_table(const std::string& experiment, const std::vector<NoiseRow>& rows);

}  // namespace xr::report
