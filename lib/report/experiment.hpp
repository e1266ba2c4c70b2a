// What xr-report knows about one experiment folder (one data size): the stage
// outputs that exist, read and checked, and the ones that are missing. Reading is
// tolerant of absent stages (a partial experiment is reported as far as it goes)
// and strict about present ones (a malformed file is a kDataErr naming it).
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace xr::report {

// The augmentation pipelines in the paper's table order.
const std::vector<std::string>& pipelines();

// The six metrics of the paper's Tables 2/3 in column order ("f1" is the paper's,
// 2PR/(P+R) of macro precision and recall), then sklearn's macro F1 (the mean of
// the per-class F1s), which the paper does not report.
struct MetricSpec {
  std::string key;    // snake_case name used in the CSVs
  std::string title;  // column title in report.md
  bool in_paper = true;
};
const std::vector<MetricSpec>& metric_specs();

// One metric of one pipeline: the best run's test value (the run kept by validation
// accuracy), the mean and sample std over the runs, the 95% bootstrap interval of
// the best run. Absent parts are nullopt.
struct MetricValue {
  double best = 0;
  std::optional<double> mean, std;
  std::optional<double> ci_low, ci_high;
};

struct PipelineResult {
  std::string name;
  std::string metrics_path;                 // eval/<p>/metrics.json
  std::map<std::string, MetricValue> values;  // by MetricSpec::key
  int runs = 0;                             // runs behind mean/std (0: none)
  std::optional<int> kept_run;
  double ci_level = 0.95;
  int bootstrap_resamples = 0;
  std::vector<std::string> classes;
  std::vector<std::vector<int64_t>> confusion;  // [true][predicted]
  int64_t n_test = 0;
  std::string predictions_path;  // empty if absent
  // Provenance.
  std::string tool_version;
  std::string weights;  // the classifier's starting weights ("none", a file, ...)
  bool fine_tuned = false;
  nlohmann::json eval_options;   // cls-eval's options
  nlohmann::json train_options;  // cls/<p>/options.json (null if absent)
};

struct GanSnapshot {
  std::string snapshot;
  double kimg = 0;
  double kid_mean = 0, fid_mean = 0;  // against the training split
  std::optional<double> kid_val_mean, fid_val_mean;  // against the validation split (gan-train --val)
  // The real-vs-real floors gan-train wrote beside the values (absent in older runs).
  std::optional<double> kid_floor_mean, fid_floor_mean;
  std::string select_on = "train";  // the split gan-train kept its best snapshot by
  // The KID the snapshot was selected by: against the validation split when
  // gan-train ran with --select-on val, else against the training split (the paper's).
  double selection_kid() const;
};

struct GanQuality {  // gan-quality.json (fid-kid of the samples vs the train split), or classical-quality.json
  std::string path;
  std::string tool_version;
  struct PerClass {
    std::string name;  // class name, or "mean"
    std::optional<double> fid, kid_mean, kid_std;
    // The real-vs-real floors fid-kid wrote beside them: the training split's two
    // halves, and the training split against the validation split (--floor-val).
    std::optional<double> fid_floor, kid_floor, fid_val_floor, kid_val_floor;
  };
  std::vector<PerClass> rows;  // classes in order, then "mean"
  std::string features_id, features_description;
  bool comparable_with_published = false;
  std::vector<std::string> warnings;  // fid-kid's own (few images, singular covariance, ...)
};

// Images per class in each subset of split.csv (the report's Table 1).
struct SplitCounts {
  std::vector<std::string> splits;  // train, val, test first, then any other, in file order
  std::map<std::string, std::map<std::string, int64_t>> count;  // class -> split -> images
};

struct Experiment {
  std::string dir;   // as given
  std::string name;  // folder name, made unique among the experiments
  std::optional<double> train_per_class;  // from split/split.csv (mean over classes)
  std::vector<std::string> classes;       // class order of the split
  SplitCounts split_counts;
  std::map<std::string, PipelineResult> results;  // pipelines with metrics.json
  std::optional<GanQuality> gan_quality;
  // classical-quality.json: fid-kid of the classical-augmentation images against the
  // same training split, on the same features: the scale the GAN's values are read on.
  std::optional<GanQuality> classical_quality;
  std::vector<GanSnapshot> gan_progress;  // gan-run/metrics.jsonl, in file order
  nlohmann::json gan_options;             // gan-run/options.json (null if absent)
  std::vector<std::string> missing;       // human-readable lines for report.md
  bool has_samples = false;               // split/train images exist for the grid
  bool usable() const { return !results.empty() || gan_quality || !gan_progress.empty(); }
};

// Reads EXP_DIR. Throws kNoInput if the folder does not exist, kDataErr naming the
// file for a malformed JSON/CSV or a JSON without the fields the report needs.
Experiment load_experiment(const std::string& dir);

// Parses one cls-eval metrics.json (exposed for tests).
PipelineResult parse_eval_metrics(const nlohmann::json& j, const std::string& path);

// Parses gan-run/metrics.jsonl (one JSON object a line); kDataErr naming the line.
std::vector<GanSnapshot> parse_gan_progress(const std::string& text, const std::string& path);

// The snapshot gan-train kept: the lowest selection_kid() (nullptr when there is none).
const GanSnapshot* best_snapshot(const std::vector<GanSnapshot>& progress);

}  // namespace xr::report
