// A gan-train run folder's record of how it trains: options.json (the training
// options, the data, the metrics' feature space), what a --resume may change in it
// and the merge of a resumed run's recorded options with its command line.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "gan/options.hpp"
#include "gan/train_data.hpp"

namespace xr::gan {

// Written into the run folder when a loss becomes NaN/Inf: {"reason", "nimg",
// "last_snapshot"}. While it is there, gan-train --resume may change the options that
// tame a diverging run (the learning rates and R1 gamma); training removes it when it
// starts again (a new stop writes it again).
inline constexpr const char* kNonFiniteStopFile = "stopped-non-finite.json";

// gan-train's settings beside the training options: the folders and the feature
// space of the snapshot metrics.
struct RunSettings {
  std::string data, val, out;
  std::string metric_features = "random";
  std::string metric_weights;
  int metric_size = 0;
};

// The training images and the validation split of s; t takes the data's resolution
// and class count and is validated, with the settings select_on "val" needs (kUsage).
struct RunData {
  TrainData train;
  std::optional<ValData> val;
};
RunData load_run_data(TrainOptions& t, const RunSettings& s);

// A training option a resume past a NaN/Inf stop changed.
struct OptionChange {
  std::string option;  // "--glr"
  double from, to;
};

// The options a resumed run trains with: its options.json's, with what the command
// line may change there (--kimg, --snap, --tick, the metric options, --precision,
// --allow-tf32, --val; after a NaN/Inf stop also --glr, --dlr and --gamma).
struct ResumedOptions {
  TrainOptions training;
  RunSettings settings;              // settings.out is the run folder
  std::vector<OptionChange> changed;  // after a NaN/Inf stop
  std::optional<int> threads;         // the run's thread count, unless --threads was given
};

// `given`: the long names the command line gave, in its order ("--kimg"; the common
// options among them: RunContext::given_options); cli_training and cli_settings its
// values.
// kNoInput when run_dir or its options.json is missing, kDataErr when that file is not
// a gan-train run's, kUsage (64) when an option that defines the run differs from the
// recorded one or --out is another folder.
ResumedOptions resume_options(const std::string& run_dir, const TrainOptions& cli_training,
                              const RunSettings& cli_settings, const std::vector<std::string>& given);

// The effective options of a resumed run as --print-config names them: `effective`
// (the command line's) with every recorded option replaced by the merged value of
// `t` and `s` (without this, stdout and options-resume.json showed the defaults,
// batch 32 and cbase 16384, for a run with others).
nlohmann::json resumed_effective_options(nlohmann::json effective, const TrainOptions& t, const RunSettings& s);

// options.json: the schema, the tool, the command line's effective options, the
// training options, the data and validation split, the metrics, device and threads.
nlohmann::json options_document(const std::string& tool, const nlohmann::json& effective, const TrainOptions& t,
                                const RunSettings& s, const RunData& data, const std::string& device, int threads);

// A resume past a NaN/Inf stop that changed the learning rates or gamma: options.json's
// "training" takes the new values (every later resume trains with them), and its
// "changed_after_non_finite" list keeps the old ones, where and why they changed.
void record_changes_after_non_finite(const std::string& run_dir, const std::vector<OptionChange>& changed);


// A fresh start (not --resume) in run_dir: kCantCreate when it is a file or already
// holds a run's training (anything beside the options.json a --dry-run writes, and
// hidden files such as the lock). A dry run's folder is started for real by the same
// command without --dry-run.
void refuse_fresh_start(const std::string& run_dir);

}  // namespace xr::gan
