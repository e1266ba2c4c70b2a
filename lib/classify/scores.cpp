#include "classify/scores.hpp"

#include <algorithm>
#include <cmath>

#include "core/errors.hpp"
#include "core/rng.hpp"

namespace xr::classify {
namespace {

using Matrix = std::vector<std::vector<int64_t>>;

Matrix confusion_of(const std::vector<int>& y_true, const std::vector<int>& y_pred, int k) {
  if (y_true.size() != y_pred.size()) {
    throw Error(Exit::kSoftware, "", "metrics: true and predicted labels differ in length");
  }
  Matrix cm(k, std::vector<int64_t>(k, 0));
  for (size_t i = 0; i < y_true.size(); ++i) {
    if (y_true[i] < 0 || y_true[i] >= k || y_pred[i] < 0 || y_pred[i] >= k) {
      throw Error(Exit::kSoftware, "", "metrics: label out of range");
    }
    cm[y_true[i]][y_pred[i]]++;
  }
  return cm;
}

double ratio(double num, double den) { return den > 0 ? num / den : 0.0; }

struct Margins {
  std::vector<double> t, p;  // true (row) and predicted (column) totals
  double n = 0, correct = 0;
};

Margins margins_of(const Matrix& cm) {
  const size_t k = cm.size();
  Margins m;
  m.t.assign(k, 0);
  m.p.assign(k, 0);
  for (size_t i = 0; i < k; ++i) {
    for (size_t j = 0; j < k; ++j) {
      m.t[i] += cm[i][j];
      m.p[j] += cm[i][j];
      m.n += cm[i][j];
    }
    m.correct += cm[i][i];
  }
  return m;
}

ClassScores class_scores(const Matrix& cm, const Margins& m, size_t c) {
  ClassScores s;
  const double tp = cm[c][c];
  const double fp = m.p[c] - tp, fn = m.t[c] - tp;
  const double tn = m.n - tp - fp - fn;
  s.precision = ratio(tp, tp + fp);
  s.recall = ratio(tp, tp + fn);
  s.f1 = ratio(2 * s.precision * s.recall, s.precision + s.recall);
  s.specificity = ratio(tn, tn + fp);
  s.support = static_cast<int64_t>(m.t[c]);
  return s;
}

}  // namespace

double accuracy_of(const Matrix& cm) {
  const Margins m = margins_of(cm);
  return ratio(m.correct, m.n);
}

double macro_f1_of(const Matrix& cm) {
  const Margins m = margins_of(cm);
  double sum = 0;
  for (size_t c = 0; c < cm.size(); ++c) sum += class_scores(cm, m, c).f1;
  return cm.empty() ? 0.0 : sum / cm.size();
}

double harmonic_f1(double precision, double recall) { return ratio(2 * precision * recall, precision + recall); }

double f1_of_macro_pr_of(const Matrix& cm) {
  const Margins m = margins_of(cm);
  double p = 0, r = 0;
  for (size_t c = 0; c < cm.size(); ++c) {
    const ClassScores s = class_scores(cm, m, c);
    p += s.precision;
    r += s.recall;
  }
  if (cm.empty()) return 0.0;
  return harmonic_f1(p / cm.size(), r / cm.size());
}

double mcc_of(const Matrix& cm) {
  // sklearn.metrics.matthews_corrcoef: the covariances written with the margins.
  const Margins m = margins_of(cm);
  double tp_sum = 0, tt = 0, pp = 0;
  for (size_t c = 0; c < cm.size(); ++c) {
    tp_sum += m.t[c] * m.p[c];
    tt += m.t[c] * m.t[c];
    pp += m.p[c] * m.p[c];
  }
  const double cov_ytyp = m.correct * m.n - tp_sum;
  const double cov_ypyp = m.n * m.n - pp;
  const double cov_ytyt = m.n * m.n - tt;
  if (cov_ypyp * cov_ytyt == 0) return 0.0;
  return cov_ytyp / std::sqrt(cov_ytyt * cov_ypyp);
}

Metrics compute_metrics(const std::vector<int>& y_true, const std::vector<int>& y_pred, int num_classes) {
  Metrics out;
  out.num_classes = num_classes;
  out.confusion = confusion_of(y_true, y_pred, num_classes);
  const Margins m = margins_of(out.confusion);
  out.n = static_cast<int64_t>(m.n);
  out.accuracy = ratio(m.correct, m.n);
  out.mcc = mcc_of(out.confusion);
  for (int c = 0; c < num_classes; ++c) out.per_class.push_back(class_scores(out.confusion, m, c));
  for (const auto& s : out.per_class) {
    const double k = num_classes, w = ratio(s.support, m.n);
    out.macro.precision += s.precision / k;
    out.macro.recall += s.recall / k;
    out.macro.f1 += s.f1 / k;
    out.macro.specificity += s.specificity / k;
    out.weighted.precision += s.precision * w;
    out.weighted.recall += s.recall * w;
    out.weighted.f1 += s.f1 * w;
    out.weighted.specificity += s.specificity * w;
  }
  out.macro.support = out.weighted.support = out.n;
  out.f1_of_macro_pr = harmonic_f1(out.macro.precision, out.macro.recall);
  return out;
}

double quantile(std::vector<double>& values, double q) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const double pos = q * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (pos - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

BootstrapResult bootstrap(const std::vector<int>& y_true, const std::vector<int>& y_pred, int num_classes,
                          int resamples, uint64_t seed, double level) {
  BootstrapResult out;
  out.resamples = resamples;
  out.level = level;
  const size_t n = y_true.size();
  if (resamples <= 0 || n == 0) return out;
  confusion_of(y_true, y_pred, num_classes);  // validates the labels once
  Rng rng(seed);
  std::vector<double> acc, f1, f1pr, mcc;
  acc.reserve(resamples);
  f1.reserve(resamples);
  f1pr.reserve(resamples);
  mcc.reserve(resamples);
  Matrix cm(num_classes, std::vector<int64_t>(num_classes, 0));
  for (int r = 0; r < resamples; ++r) {
    for (auto& row : cm) std::fill(row.begin(), row.end(), 0);
    for (size_t i = 0; i < n; ++i) {
      const size_t j = rng.below(n);
      cm[y_true[j]][y_pred[j]]++;
    }
    acc.push_back(accuracy_of(cm));
    f1.push_back(macro_f1_of(cm));
    f1pr.push_back(f1_of_macro_pr_of(cm));
    mcc.push_back(mcc_of(cm));
  }
  const double lo = (1 - level) / 2, hi = (1 + level) / 2;
  out.accuracy = {quantile(acc, lo), quantile(acc, hi)};
  out.macro_f1_sklearn = {quantile(f1, lo), quantile(f1, hi)};
  out.f1_of_macro_pr = {quantile(f1pr, lo), quantile(f1pr, hi)};
  out.mcc = {quantile(mcc, lo), quantile(mcc, hi)};
  return out;
}

McNemarResult mcnemar(const std::vector<bool>& a_correct, const std::vector<bool>& b_correct,
                      int64_t exact_below) {
  if (a_correct.size() != b_correct.size()) {
    throw Error(Exit::kSoftware, "", "mcnemar: the two prediction sets differ in length");
  }
  McNemarResult r;
  for (size_t i = 0; i < a_correct.size(); ++i) {
    if (a_correct[i] && b_correct[i]) r.both_correct++;
    else if (a_correct[i]) r.only_a_correct++;
    else if (b_correct[i]) r.only_b_correct++;
    else r.both_wrong++;
  }
  const int64_t b = r.only_a_correct, c = r.only_b_correct, n = b + c;
  if (n < exact_below) {
    r.method = "exact";
    const int64_t k = std::min(b, c);
    r.statistic = static_cast<double>(k);
    // P[X <= k] for X ~ Bin(n, 1/2), summed in log space so that large n stays finite.
    double cdf = 0;
    for (int64_t i = 0; i <= k; ++i) {
      cdf += std::exp(std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) - n * std::log(2.0));
    }
    r.p_value = std::min(1.0, 2 * cdf);
  } else {
    r.method = "chi2-cc";
    const double d = std::abs(static_cast<double>(b - c)) - 1.0;
    r.statistic = d * d / static_cast<double>(n);
    // Survival function of chi-square with 1 degree of freedom.
    r.p_value = std::erfc(std::sqrt(r.statistic / 2.0));
  }
  return r;
}

namespace {
nlohmann::json scores_json(const ClassScores& s) {
  return {{"precision", s.precision}, {"recall", s.recall}, {"f1", s.f1},
          {"specificity", s.specificity}, {"support", s.support}};
}
nlohmann::json interval_json(const Interval& i) { return nlohmann::json::array({i.low, i.high}); }
}  // namespace

nlohmann::json to_json(const Metrics& m, const std::vector<std::string>& classes) {
  nlohmann::json per_class = nlohmann::json::object();
  for (size_t c = 0; c < m.per_class.size(); ++c) per_class[classes.at(c)] = scores_json(m.per_class[c]);
  // Both F1s under names that say which is which; no bare "f1" in the macro object.
  const nlohmann::json macro = {{"precision", m.macro.precision},
                                {"recall", m.macro.recall},
                                {"f1_sklearn", m.macro.f1},
                                {"f1_of_macro_pr", m.f1_of_macro_pr},
                                {"specificity", m.macro.specificity},
                                {"support", m.macro.support}};
  return {{"n", m.n},
          {"accuracy", m.accuracy},
          {"mcc", m.mcc},
          {"macro", macro},
          {"weighted", scores_json(m.weighted)},
          {"per_class", per_class},
          {"classes", classes},
          {"confusion", m.confusion}};
}

nlohmann::json to_json(const BootstrapResult& b) {
  return {{"resamples", b.resamples}, {"level", b.level}, {"method", "percentile"},
          {"accuracy", interval_json(b.accuracy)}, {"macro_f1_sklearn", interval_json(b.macro_f1_sklearn)},
          {"f1_of_macro_pr", interval_json(b.f1_of_macro_pr)},
          {"mcc", interval_json(b.mcc)}};
}

nlohmann::json to_json(const McNemarResult& r) {
  return {{"only_a_correct", r.only_a_correct}, {"only_b_correct", r.only_b_correct},
          {"both_correct", r.both_correct}, {"both_wrong", r.both_wrong},
          {"method", r.method}, {"statistic", r.statistic}, {"p_value", r.p_value}};
}

nlohmann::json average_definitions() {
  // The paper states no averaging; its F1 column equals 2PR/(P+R) of its own
  // precision and recall columns, which is f1_of_macro_pr here.
  return {{"macro", "unweighted mean over classes, sklearn classification_report's 'macro avg'"},
          {"weighted", "mean weighted by support, sklearn classification_report's 'weighted avg'"},
          {"f1_sklearn", "mean of the per-class F1 scores (sklearn f1_score(average='macro'))"},
          {"f1_of_macro_pr", "2PR/(P+R) of macro precision P and macro recall R: the F1 of the paper's Tables 2-3"}};
}

}  // namespace xr::classify
