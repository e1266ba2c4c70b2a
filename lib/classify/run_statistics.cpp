#include "classify/run_statistics.hpp"

#include <cmath>

#include "core/errors.hpp"

namespace xr::classify {

nlohmann::json summary_values(const Metrics& m) {
  return {{"accuracy", m.accuracy},
          {"mcc", m.mcc},
          {"macro_precision", m.macro.precision},
          {"macro_recall", m.macro.recall},
          {"macro_f1_sklearn", m.macro.f1},
          {"f1_of_macro_pr", m.f1_of_macro_pr},
          {"macro_specificity", m.macro.specificity},
          {"weighted_precision", m.weighted.precision},
          {"weighted_recall", m.weighted.recall},
          {"weighted_f1", m.weighted.f1}};
}

namespace {

// Mean and sample standard deviation (n - 1) of each summary value over runs.
nlohmann::json mean_std(const std::vector<nlohmann::json>& per_run) {
  nlohmann::json out = nlohmann::json::object();
  const double n = static_cast<double>(per_run.size());
  for (const auto& item : per_run.front().items()) {
    double sum = 0, sq = 0;
    for (const auto& r : per_run) sum += r[item.key()].get<double>();
    const double mean = sum / n;
    for (const auto& r : per_run) sq += std::pow(r[item.key()].get<double>() - mean, 2);
    out[item.key()] = {{"mean", mean}, {"std", n > 1 ? std::sqrt(sq / (n - 1)) : 0.0}};
  }
  return out;
}

}  // namespace

nlohmann::json run_statistics(const std::vector<Metrics>& per_run) {
  std::vector<nlohmann::json> values;
  nlohmann::json listed = nlohmann::json::array();
  for (size_t r = 0; r < per_run.size(); ++r) {
    values.push_back(summary_values(per_run[r]));
    nlohmann::json j = values.back();
    j["run"] = static_cast<int>(r + 1);
    listed.push_back(j);
  }
  return {{"count", per_run.size()},
          {"per_run", listed},
          {"mean_std", mean_std(values)},
          {"std", "sample standard deviation (n - 1)"}};
}

PairedCorrectness pair_with_predictions(const std::map<std::string, PredictionRow>& other,
                                        const std::string& other_path, const std::vector<std::string>& rel,
                                        const std::vector<int>& y_true, const std::vector<int>& y_pred,
                                        const std::vector<std::string>& classes) {
  if (other.size() != rel.size()) {
    fail_data(other_path, "lists " + std::to_string(other.size()) + " images, the test set has " +
                              std::to_string(rel.size()) + " (same test set required)");
  }
  PairedCorrectness paired;
  for (size_t i = 0; i < rel.size(); ++i) {
    const auto it = other.find(rel[i]);
    if (it == other.end()) fail_data(other_path, "has no prediction for " + rel[i] + " (same test set required)");
    if (it->second.true_class != classes[y_true[i]]) {
      fail_data(other_path, "true class of " + rel[i] + " is '" + it->second.true_class + "', here '" +
                                classes[y_true[i]] + "'");
    }
    paired.a_correct.push_back(y_pred[i] == y_true[i]);
    paired.b_correct.push_back(it->second.predicted_class == it->second.true_class);
  }
  return paired;
}

}  // namespace xr::classify
