// The statistics cls-eval reports beyond one model's scores: the summary values of
// every run of a model folder with their mean and spread, and the pairing of two
// prediction sets on the same test images that McNemar's test needs.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "classify/evaluate.hpp"
#include "classify/scores.hpp"

namespace xr::classify {

// The summary values of one scoring: accuracy, MCC, macro and weighted precision,
// recall and F1 (both macro F1s), macro specificity.
nlohmann::json summary_values(const Metrics& m);

// The runs of a model folder, run 1 first: {"count", "per_run": [summary values and
// "run"], "mean_std": {value: {"mean", "std"}}, "std": what std is}. std is the
// sample standard deviation (n - 1), 0 for a single run. per_run must not be empty.
nlohmann::json run_statistics(const std::vector<Metrics>& per_run);

// Whether each test image was classified correctly by this model (a) and by the
// model of another predictions.csv (b), paired by image path. kDataErr naming
// other_path when it lists another number of images, lacks an image, or gives an
// image another true class: McNemar's test needs the same test set.
struct PairedCorrectness {
  std::vector<bool> a_correct, b_correct;
};
PairedCorrectness pair_with_predictions(const std::map<std::string, PredictionRow>& other,
                                        const std::string& other_path, const std::vector<std::string>& rel,
                                        const std::vector<int>& y_true, const std::vector<int>& y_pred,
                                        const std::vector<std::string>& classes);

}  // namespace xr::classify
