#include "gan/run_options.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/errors.hpp"
#include "core/json_file.hpp"
#include "core/log.hpp"

namespace fs = std::filesystem;

namespace xr::gan {

namespace {

// Options a resumed run may change: the rest define the run. The common options but
// --seed say how the run is carried out, not what it trains.
const std::set<std::string> kResumable = {"--kimg", "--snap", "--tick", "--metric-features", "--metric-weights",
                                          "--metric-size", "--metric-samples", "--kid-subsets", "--precision",
                                          "--allow-tf32", "--cache-dir", "--data", "--resume", "--out", "--val",
                                          "--quiet", "--verbose", "--threads", "--device"};

// What a resume of a run stopped by a NaN/Inf loss may change besides kResumable:
// what the stop's message advises (a lower learning rate, a stronger R1 penalty).
const std::set<std::string> kChangeableAfterNonFinite = {"--glr", "--dlr", "--gamma"};

// Where each option that defines the run is recorded in options.json's "training"
// object. On --resume such an option may be repeated with the run's own value (a
// pipeline repeats its whole command line), never changed.
const std::map<std::string, std::string> kRecordedAt = {
    {"--batch", "/batch"},
    {"--gamma", "/gamma"},
    {"--glr", "/glr"},
    {"--dlr", "/dlr"},
    {"--cbase", "/architecture/cbase"},
    {"--cmax", "/architecture/cmax"},
    {"--map-depth", "/architecture/map_depth"},
    {"--mbstd-group", "/architecture/mbstd_group"},
    {"--z-dim", "/architecture/z_dim"},
    {"--w-dim", "/architecture/w_dim"},
    {"--fp16-res", "/architecture/num_fp16_res"},
    {"--aug", "/aug"},
    {"--p", "/p"},
    {"--target", "/target"},
    {"--ema", "/ema_kimg"},
    {"--pl-detach-mean", "/pl_detach_mean"},
    {"--select-on", "/select_on"},
    {"--seed", "/seed"},
};

bool was_given(const std::vector<std::string>& given, const char* name) {
  return std::find(given.begin(), given.end(), name) != given.end();
}

// Refuses (64) a given option that defines the run and differs from the run's
// recorded value. `given_json` is the command line's training options as JSON.
void refuse_changed_options(const std::vector<std::string>& given, const nlohmann::json& given_json,
                            const nlohmann::json& recorded, bool after_non_finite) {
  for (const std::string& name : given) {
    if (kResumable.count(name) || (after_non_finite && kChangeableAfterNonFinite.count(name))) continue;
    auto at = kRecordedAt.find(name);
    if (at == kRecordedAt.end()) fail_usage(name + " cannot change on --resume (the run's options.json has it)");
    const nlohmann::json::json_pointer ptr(at->second);
    const nlohmann::json mine = given_json.at(ptr);
    const nlohmann::json theirs = recorded.contains(ptr) ? recorded.at(ptr) : nlohmann::json();
    if (mine != theirs) {
      fail_usage(name + " " + mine.dump() + " cannot change on --resume (the run's options.json has " +
                 theirs.dump() + ")");
    }
  }
}

// The recorded training options with the command line's where it may change them.
void merge_training(ResumedOptions& r, const TrainOptions& cli, const std::vector<std::string>& given,
                    const nlohmann::json& recorded, bool after_non_finite) {
  TrainOptions& t = r.training;
  t = TrainOptions::from_json(recorded);
  if (after_non_finite) {
    auto change = [&](const char* name, double& value, double wanted) {
      if (!was_given(given, name) || wanted == value) return;
      r.changed.push_back({name, value, wanted});
      value = wanted;
    };
    change("--glr", t.glr, cli.glr);
    change("--dlr", t.dlr, cli.dlr);
    change("--gamma", t.gamma, cli.gamma);
  }
  if (was_given(given, "--kimg")) t.kimg = cli.kimg;
  if (was_given(given, "--tick")) t.tick_kimg = cli.tick_kimg;
  if (was_given(given, "--snap")) t.snap = cli.snap;
  if (was_given(given, "--metric-samples")) t.metric_samples = cli.metric_samples;
  if (was_given(given, "--kid-subsets")) t.kid_subsets = cli.kid_subsets;
  if (was_given(given, "--precision")) t.precision = cli.precision;
  if (was_given(given, "--allow-tf32")) t.tf32 = cli.tf32;
}

// The recorded data, validation split and metrics unless the command line gives them.
void merge_settings(RunSettings& s, const std::vector<std::string>& given, const nlohmann::json& j,
                    bool selects_on_val) {
  if (s.data.empty()) s.data = j.at("data").at("root").get<std::string>();
  // The validation split: the one given now, else the run's own. A run that selects
  // on it keeps it: its best KID so far was measured against that folder.
  const nlohmann::json& val_rec = j.at("data").value("val", nlohmann::json());
  const std::string recorded = val_rec.is_object() ? val_rec.at("root").get<std::string>() : std::string();
  if (!was_given(given, "--val")) {
    s.val = recorded;
  } else if (selects_on_val && fs::path(s.val).lexically_normal() != fs::path(recorded).lexically_normal()) {
    fail_usage("--val cannot change on --resume of a run that selects on it (the run's is " + recorded + ")");
  }
  const auto& m = j.at("metrics");
  if (!was_given(given, "--metric-features")) s.metric_features = m.at("features").get<std::string>();
  if (!was_given(given, "--metric-weights")) s.metric_weights = m.at("weights").get<std::string>();
  if (!was_given(given, "--metric-size")) s.metric_size = m.at("size").get<int>();
}

}  // namespace

ResumedOptions resume_options(const std::string& run_dir, const TrainOptions& cli_training,
                              const RunSettings& cli_settings, const std::vector<std::string>& given) {
  const std::string opts_path = (fs::path(run_dir) / "options.json").string();
  if (!fs::exists(run_dir)) fail_missing(run_dir, "no such run folder");
  if (!fs::exists(opts_path)) fail_missing(opts_path, "no options.json: not a gan-train run folder");
  const nlohmann::json j = read_json_file(opts_path);
  const bool after_non_finite = fs::exists(fs::path(run_dir) / kNonFiniteStopFile);
  if (!j.contains("training") || !j["training"].is_object()) {
    fail_data(opts_path, "no 'training' object: not a gan-train run folder");
  }
  refuse_changed_options(given, cli_training.to_json(), j["training"], after_non_finite);
  ResumedOptions r;
  r.settings = cli_settings;
  try {
    merge_training(r, cli_training, given, j.at("training"), after_non_finite);
    merge_settings(r.settings, given, j, r.training.select_on == "val");
  } catch (const nlohmann::json::exception& e) {
    fail_data(opts_path, std::string("incomplete gan-train options (") + e.what() + ")");
  }
  // CPU results depend on the thread count (the order of parallel sums): a resume
  // keeps the run's count unless --threads says otherwise.
  if (j.contains("threads") && !was_given(given, "--threads")) {
    r.threads = j.at("threads").get<int>();
  }
  if (!r.settings.out.empty() && fs::path(r.settings.out).lexically_normal() != fs::path(run_dir).lexically_normal()) {
    fail_usage("--out must be the --resume folder or absent");
  }
  r.settings.out = run_dir;
  return r;
}

nlohmann::json resumed_effective_options(nlohmann::json out, const TrainOptions& t, const RunSettings& s) {
  const nlohmann::json training = t.to_json();
  for (const auto& [name, at] : kRecordedAt) out[name.substr(2)] = training.at(nlohmann::json::json_pointer(at));
  out["seed"] = t.seed;
  out["kimg"] = t.kimg;
  out["tick"] = t.tick_kimg;
  out["snap"] = t.snap;
  out["metric-samples"] = t.metric_samples;
  out["kid-subsets"] = t.kid_subsets;
  out["precision"] = t.precision;
  out["allow-tf32"] = t.tf32;
  out["data"] = s.data;
  out["out"] = s.out;
  out["val"] = s.val.empty() ? nlohmann::json() : nlohmann::json(s.val);
  out["metric-features"] = s.metric_features;
  out["metric-weights"] = s.metric_weights.empty() ? nlohmann::json() : nlohmann::json(s.metric_weights);
  out["metric-size"] = s.metric_size;
  return out;
}

nlohmann::json options_document(const std::string& tool, const nlohmann::json& effective, const TrainOptions& t,
                                const RunSettings& s, const RunData& data, const std::string& device, int threads) {
  std::vector<int> counts(data.train.classes.size(), 0);
  for (int64_t l : data.train.labels) counts[l]++;
  const std::optional<ValData>& val = data.val;
  return {{"schema", "xr-gan-train-options/1"},
          {"tool", tool},
          {"version", XR_VERSION},
          {"options", effective},
          {"training", t.to_json()},
          {"data",
           {{"root", s.data},
            {"classes", data.train.classes},
            {"images_per_class", counts},
            {"resolution", t.net.resolution},
            {"val", val ? nlohmann::json({{"root", val->root}, {"images_per_class", val->counts}})
                        : nlohmann::json()}}},
          {"metrics", {{"features", s.metric_features}, {"weights", s.metric_weights}, {"size", s.metric_size}}},
          {"device", device},
          {"threads", threads}};
}

void record_changes_after_non_finite(const std::string& run_dir, const std::vector<OptionChange>& changed) {
  const std::string opts_path = (fs::path(run_dir) / "options.json").string();
  nlohmann::json j = read_json_file(opts_path);
  const nlohmann::json stop = read_json_file((fs::path(run_dir) / kNonFiniteStopFile).string());
  std::string said;
  for (const auto& c : changed) {
    j["training"][kRecordedAt.at(c.option).substr(1)] = c.to;
    j["changed_after_non_finite"].push_back({{"option", c.option}, {"from", c.from}, {"to", c.to}, {"stop", stop}});
    said += (said.empty() ? "" : ", ") + c.option + " " + format_number(c.to) + " (was " + format_number(c.from) + ")";
  }
  write_file_atomic(opts_path, j.dump(2) + "\n");
  const nlohmann::json& last = stop.value("last_snapshot", nlohmann::json());
  log::info(run_dir + ": stopped by a non-finite loss (" + stop.value("reason", std::string("?")) +
            "); resuming from " + (last.is_string() ? last.get<std::string>() : std::string("the start")) +
            " with " + said);
}

RunData load_run_data(TrainOptions& t, const RunSettings& s) {
  RunData d{load_training_data(s.data), std::nullopt};
  t.net.resolution = static_cast<int>(d.train.pixels.size(2));
  t.net.c_dim = static_cast<int>(d.train.classes.size());
  t.validate();
  if (t.select_on == "val" && s.val.empty()) fail_usage("--select-on val needs --val VAL_DIR");
  if (t.select_on == "val" && s.metric_features == "none") {
    fail_usage("--select-on val needs metrics (--metric-features is none)");
  }
  if (!s.val.empty()) {
    d.val = load_validation_data(s.val, d.train);
    if (s.metric_features == "none") log::warn("--val " + s.val + " unused: --metric-features is none");
  }
  return d;
}

void refuse_fresh_start(const std::string& run_dir) {
  if (fs::exists(run_dir) && !fs::is_directory(run_dir)) fail_create(run_dir, "exists and is not a folder");
  std::error_code ec;
  if (!fs::is_directory(run_dir, ec)) return;
  for (const auto& e : fs::directory_iterator(run_dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name != "options.json" && name.front() != '.') {
      fail_create(run_dir, "already holds a run; use --resume " + run_dir + " to continue it");
    }
  }
}

}  // namespace xr::gan
