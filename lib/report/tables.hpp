// The report's tables as plain data, computed from loaded experiments: Table 1
// (images per subset), the paper's Table 2/3 (one per experiment) and the paper's
// published values beside them, McNemar's test between pipelines, the change from
// a larger to a smaller data size and the data-size sweep. Kept apart from
// formatting so the numbers can be unit-tested.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/csv.hpp"
#include "report/experiment.hpp"
#include "report/published.hpp"

namespace xr::report {

// Table 2/3 in long form: one row per pipeline and metric.
CsvTable metrics_table(const Experiment& e);

// Table 1: images per class in each subset (split.csv), one row per class.
CsvTable split_table(const Experiment& e);

// The paper's table for this experiment's size beside the run's best-run values.
struct PaperComparison {
  const PaperTable* table = nullptr;  // nullptr: no published table at all
  bool by_name = false;       // matched by the experiment's name (table_named_by), not by size
  bool same_size = false;     // the run has the table's training images per class
  bool same_classes = false;  // the run's classes are the paper's four
  struct Row {
    std::string pipeline, metric;
    double paper = 0, run = 0;
    double difference() const { return run - paper; }  // positive: this run scores higher
  };
  std::vector<Row> rows;  // pipelines in table order, metrics the table has and the run has
};
// The paper names its experiments: "small" (1000 training images per class, Table 2)
// and "micro" (500, Table 3). An experiment folder with one of those names belongs to
// that table whatever its size (the demo's small has 60 per class): a reader of a
// run called small expects Table 2. nullptr for any other name.
const PaperTable* table_named_by(const std::string& experiment);
// The table an experiment is set beside: the one its name names, else the nearest in
// size (nearest_paper_table).
const PaperTable* paper_table_for(const Experiment& e);
// Against paper_table_for(e), or a given table.
PaperComparison compare_with_paper(const Experiment& e);
PaperComparison compare_with_paper(const Experiment& e, const PaperTable& table);
// The evaluated experiment for `table`: the one named for it (table_named_by), else
// the nearest in training images per class (log scale, as nearest_paper_table; a tie
// goes to the larger); nullptr if none has both a size and results.
const Experiment* nearest_experiment(const PaperTable& table, const std::vector<const Experiment*>& exps);
CsvTable paper_comparison_table(const Experiment& e, const PaperComparison& c);

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
// The change between data sizes (not the paper's Table 4, which is another
// article's results at 2000 per class): each consecutive pair of sizes (largest
// first), each pipeline present in both, each metric (best-run values).
std::vector<ChangeRow> size_changes(const std::vector<const Experiment*>& ordered);
CsvTable change_table(const std::vector<ChangeRow>& rows);

// The sweep: accuracy and MCC (best run, mean, std) per pipeline and size.
CsvTable sweep_table(const std::vector<const Experiment*>& ordered);

// Whether the GAN behind the GAN row was trained enough to be compared: a kept
// snapshot that is the run's first, or samples whose mean KID is more than
// kFarFromClassical times the classical-augmentation images' (classical-quality.json,
// same split and features), mean that the GAN row measures noise added to the data,
// not GAN augmentation. Without classical-quality.json the scale is the real-vs-real
// floor: more than kFarFromFloor times it. A KID near 0 is read as kFloorResolution
// (the estimator is unbiased, so a floor can be negative). The samples' KID is
// gan-quality.json's mean where it has one, else the kept snapshot's from metrics.jsonl.
constexpr double kFarFromClassical = 2;
constexpr double kFarFromFloor = 10;
constexpr double kFloorResolution = 0.001;
struct GanReadiness {
  bool first_snapshot = false;  // the kept snapshot is the run's first
  std::string snapshot;         // the kept snapshot ("" when metrics.jsonl is absent)
  double kimg = 0;
  std::optional<double> kid, kid_floor;  // the samples' mean KID and its floor
  std::string kid_source;                // "gan-quality.json" or "gan-run/metrics.jsonl"
  std::optional<double> classical_kid;   // classical-quality.json's mean KID
  bool far_from_classical() const;
  bool far_from_floor() const;  // only consulted without classical_kid
  bool warn() const { return first_snapshot || far_from_classical() || (!classical_kid && far_from_floor()); }
  std::string warning() const;  // one line for report.md ("" when !warn())
};
GanReadiness gan_readiness(const Experiment& e);

// Whether classical-quality.json can be read beside gan-quality.json: both present,
// measured on the same features.
bool comparable_classical_quality(const Experiment& e);
// The classical images' row of classical-quality.json for a class name or "mean"
// (nullptr when absent or not comparable).
const GanQuality::PerClass* classical_row(const Experiment& e, const std::string& name);

// GAN quality (gan-quality.json, with classical-quality.json's FID and KID beside it)
// and progress (metrics.jsonl) as CSV.
CsvTable gan_quality_table(const std::vector<Experiment>& exps);
CsvTable gan_progress_table(const Experiment& e);

// Numbers as report.md shows them: fixed decimals; "" for nullopt.
std::string fixed(double v, int decimals = 4);
std::string fixed(const std::optional<double>& v, int decimals = 4);

}  // namespace xr::report
