// Classification metrics as the paper's tables report them (sklearn's
// classification_report conventions, plus the paper's F1: the harmonic mean of the
// macro precision and recall, not sklearn's mean of per-class F1), the multi-class
// Matthews correlation
// coefficient (sklearn's formula), percentile bootstrap intervals and McNemar's
// test between two classifiers scored on the same test set.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace xr::classify {

struct ClassScores {
  double precision = 0, recall = 0, f1 = 0, specificity = 0;
  int64_t support = 0;  // true images of the class
};

struct Metrics {
  int num_classes = 0;
  int64_t n = 0;
  double accuracy = 0;
  double mcc = 0;
  std::vector<ClassScores> per_class;
  ClassScores macro;     // unweighted mean over classes (support: n); macro.f1 is
                         // sklearn's macro F1, the mean of the per-class F1 scores
  ClassScores weighted;  // mean weighted by support (sklearn's "weighted avg")
  // The F1 of the paper's Tables 2-3: 2PR/(P+R) of macro precision P and macro
  // recall R (every row of those tables satisfies it to 0.00052, their P and R
  // being rounded to 3 decimals; sklearn's macro F1 does not, and differs from it
  // most on imbalanced test sets).
  double f1_of_macro_pr = 0;
  std::vector<std::vector<int64_t>> confusion;  // [true][predicted]
};

// Labels must lie in [0, num_classes). A score whose denominator is 0 is 0
// (sklearn's zero_division=0; its default "warn" also yields 0).
Metrics compute_metrics(const std::vector<int>& y_true, const std::vector<int>& y_pred, int num_classes);

// Only what the bootstrap resamples need, without the per-class tables.
double accuracy_of(const std::vector<std::vector<int64_t>>& confusion);
double macro_f1_of(const std::vector<std::vector<int64_t>>& confusion);  // sklearn's
double f1_of_macro_pr_of(const std::vector<std::vector<int64_t>>& confusion);  // the paper's
// 2PR/(P+R), 0 when P + R is 0.
double harmonic_f1(double precision, double recall);
double mcc_of(const std::vector<std::vector<int64_t>>& confusion);

struct Interval {
  double low = 0, high = 0;
};

struct BootstrapResult {
  int resamples = 0;
  double level = 0.95;
  Interval accuracy, macro_f1_sklearn, f1_of_macro_pr, mcc;
};

// Percentile bootstrap: `resamples` draws of n images with replacement (xr::Rng
// seeded with `seed`), the metric on each, the (1-level)/2 and (1+level)/2
// quantiles with linear interpolation between order statistics (numpy's default).
BootstrapResult bootstrap(const std::vector<int>& y_true, const std::vector<int>& y_pred, int num_classes,
                          int resamples, uint64_t seed, double level = 0.95);

// Quantile q in [0,1] of `values` (sorted in place), numpy's "linear" method.
double quantile(std::vector<double>& values, double q);

struct McNemarResult {
  int64_t only_a_correct = 0;  // b: A right, B wrong
  int64_t only_b_correct = 0;  // c: A wrong, B right
  int64_t both_correct = 0, both_wrong = 0;
  std::string method;  // "exact" or "chi2-cc"
  double statistic = 0;  // chi-square value (chi2-cc) or min(b, c) (exact)
  double p_value = 1;
};

// McNemar's test on paired correctness. With b + c < exact_below the exact
// two-sided binomial test (p = min(1, 2 P[X <= min(b,c)]), X ~ Bin(b+c, 1/2));
// otherwise the chi-square statistic with continuity correction
// (|b - c| - 1)^2 / (b + c) on 1 degree of freedom.
McNemarResult mcnemar(const std::vector<bool>& a_correct, const std::vector<bool>& b_correct,
                      int64_t exact_below = 25);

// JSON forms used in cls-eval's result (schema xr-cls-eval/2: the macro object has
// f1_sklearn and f1_of_macro_pr instead of /1's ambiguous f1).
nlohmann::json to_json(const Metrics& m, const std::vector<std::string>& classes);
nlohmann::json to_json(const BootstrapResult& b);
nlohmann::json to_json(const McNemarResult& r);

// What "macro", "weighted" and the two macro F1s of to_json(Metrics) mean, for a
// reader of the JSON.
nlohmann::json average_definitions();

}  // namespace xr::classify
