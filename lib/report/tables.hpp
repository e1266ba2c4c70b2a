// The report's tables as plain data, computed from loaded experiments: the paper's
// Table 2/3 (one per experiment), McNemar's test between pipelines, Table 4 (the
// change from a larger to a smaller data size) and the data-size sweep. Kept apart
// from formatting so the numbers can be unit-tested.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/csv.hpp"
#include "report/experiment.hpp"

namespace xr::report {

// Table 2/3 in long form: one row per pipeline and metric.
CsvTable metrics_table(const Experiment& e);

struct McNemarRow {
  std::string a, b;  // pipelines
  int64_t n = 0, only_a_correct = 0, only_b_correct = 0;
  std::string method;
  double statistic = 0, p_value = 1;
};
// Every pair of pipelines (in table order) whose predictions.csv exist and cover the
// same test images with the same true classes; `notes` gets a line for each pair
// skipped and why. kDataErr naming the file for a malformed predictions.csv.
std::vector<McNemarRow> mcnemar_pairs(const Experiment& e, std::vector<std::string>& notes);
CsvTable mcnemar_table(const std::vector<McNemarRow>& rows);

// The experiments ordered by training images per class, largest first (those
// without a known size keep their command-line order, after the others).
std::vector<const Experiment*> by_size(const std::vector<Experiment>& exps);

struct ChangeRow {
  std::string larger, smaller;  // experiment names
  std::optional<double> larger_per_class, smaller_per_class;
  std::string pipeline, metric;
  double larger_value = 0, smaller_value = 0;
  double change() const { return smaller_value - larger_value; }  // negative: worse with less data
};
// Table 4: each consecutive pair of sizes (largest first), each pipeline present in
// both, each metric (best-run values).
std::vector<ChangeRow> size_changes(const std::vector<const Experiment*>& ordered);
CsvTable change_table(const std::vector<ChangeRow>& rows);

// The sweep: accuracy and MCC (best run, mean, std) per pipeline and size.
CsvTable sweep_table(const std::vector<const Experiment*>& ordered);

// GAN quality (gan-quality.json) and progress (metrics.jsonl) as CSV.
CsvTable gan_quality_table(const std::vector<Experiment>& exps);
CsvTable gan_progress_table(const Experiment& e);

// Numbers as report.md shows them: fixed decimals; "" for nullopt.
std::string fixed(double v, int decimals = 4);
std::string fixed(const std::optional<double>& v, int decimals = 4);

}  // namespace xr::report
