#include "report/noise.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace xr::report {

namespace {

// The regularized incomplete beta function I_x(a, b) by its continued fraction
// (modified Lentz), the form that converges for x < (a + 1) / (a + b + 2); the other
// side through I_x(a, b) = 1 - I_{1-x}(b, a).
double incomplete_beta(double x, double a, double b) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  if (x > (a + 1) / (a + b + 2)) return 1 - incomplete_beta(1 - x, b, a);
  const double front =
      std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x)) / a;
  constexpr double kTiny = 1e-300, kEps = 1e-15;
  double f = 1, c = 1, d = 0;
  for (int i = 0; i <= 400; ++i) {
    const int m = i / 2;
    double num;
    if (i == 0) {
      num = 1;
    } else if (i % 2 == 0) {
      num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
    } else {
      num = -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    }
    d = 1 + num * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    d = 1 / d;
    c = 1 + num / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    const double cd = c * d;
    f *= cd;
    if (std::fabs(1 - cd) < kEps) return front * (f - 1);
  }
  return front * (f - 1);  // not converged in 400 terms: the best estimate
}

// P(T <= t) for Student's t with df degrees of freedom.
double student_t_cdf(double t, double df) {
  const double tail = 0.5 * incomplete_beta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

}  // namespace

double student_t_quantile(double p, double df) {
  if (!(p > 0 && p < 1) || !(df > 0)) throw std::invalid_argument("student_t_quantile: p in (0, 1), df > 0");
  if (p == 0.5) return 0;
  if (p < 0.5) return -student_t_quantile(1 - p, df);
  // The CDF is increasing: bisection on [0, hi], hi doubled until it brackets p.
  double lo = 0, hi = 1;
  while (student_t_cdf(hi, df) < p && hi < 1e300) hi *= 2;
  for (int i = 0; i < 200 && hi - lo > 1e-13 * std::max(1.0, hi); ++i) {
    const double mid = 0.5 * (lo + hi);
    (student_t_cdf(mid, df) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

std::string verdict_text(NoiseRow::Verdict v) {
  switch (v) {
    case NoiseRow::Verdict::kWithinNoise:
      return "within noise";
    case NoiseRow::Verdict::kExceedsNoise:
      return "exceeds noise";
    case NoiseRow::Verdict::kNoSpread:
      break;
  }
  return "no spread known";
}

std::vector<NoiseRow> noise_rows(const Experiment& e) {
  std::vector<std::string> present;
  for (const auto& p : pipelines()) {
    auto it = e.results.find(p);
    if (it != e.results.end() && it->second.values.at("accuracy").mean) present.push_back(p);
  }
  std::vector<NoiseRow> rows;
  for (const char* metric : {"accuracy", "mcc"}) {
    for (size_t j = 1; j < present.size(); ++j) {
      for (size_t i = 0; i < j; ++i) {
        const PipelineResult& a = e.results.at(present[j]);
        const PipelineResult& b = e.results.at(present[i]);
        const MetricValue& va = a.values.at(metric);
        const MetricValue& vb = b.values.at(metric);
        if (!va.mean || !vb.mean) continue;
        NoiseRow r;
        r.a = present[j];
        r.b = present[i];
        r.metric = metric;
        r.runs_a = a.runs;
        r.runs_b = b.runs;
        r.difference = *va.mean - *vb.mean;
        const double ua = va.std ? *va.std * *va.std / a.runs : 0, ub = vb.std ? *vb.std * *vb.std / b.runs : 0;
        // Every run of both scoring the same is not a spread of 0: on a test set of tens
        // of images the scores are coarse counts, and a few runs tie by chance (the
        // demo's 2 runs did), where the classifier's seeds move accuracy by 0.03-0.08.
        if (a.runs >= 2 && b.runs >= 2 && va.std && vb.std && ua + ub > 0) {
          r.se = std::sqrt(ua + ub);
          // Welch-Satterthwaite.
          r.df = (ua + ub) * (ua + ub) / (ua * ua / (a.runs - 1) + ub * ub / (b.runs - 1));
          const double half = student_t_quantile(0.5 + kNoiseLevel / 2, *r.df) * *r.se;
          r.ci_low = r.difference - half;
          r.ci_high = r.difference + half;
          const bool excludes_zero = *r.ci_low > 0 || *r.ci_high < 0;
          r.verdict = excludes_zero ? NoiseRow::Verdict::kExceedsNoise : NoiseRow::Verdict::kWithinNoise;
        }
        rows.push_back(r);
      }
    }
  }
  return rows;
}

CsvTable noise_table(const std::string& experiment, const std::vector<NoiseRow>& rows) {
  auto num = [](const std::optional<double>& v) { return v ? format_number(*v) : std::string(); };
  CsvTable t;
  t.header = {"experiment", "metric", "a", "b",       "runs_a",  "runs_b",
              "difference", "se",     "df", "ci_low", "ci_high", "ci_level", "verdict"};
  for (const auto& r : rows) {
    t.rows.push_back({experiment, r.metric, r.a, r.b, std::to_string(r.runs_a), std::to_string(r.runs_b),
                      format_number(r.difference), num(r.se), num(r.df), num(r.ci_low), num(r.ci_high),
                      format_number(kNoiseLevel), verdict_text(r.verdict)});
  }
  return t;
}

}  // namespace xr::report
