// gan-train: trains a class-conditional StyleGAN2-ADA on an image folder (one class a
// subfolder) into a run folder: options.json, stats.jsonl, metrics.jsonl, image grids,
// safetensors snapshots, best.safetensors (lowest mean KID on the training split, or
// on the validation split with --select-on val) and the resume state.
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/dataset.hpp"
#include "core/device.hpp"
#include "core/errors.hpp"
#include "core/folder_lock.hpp"
#include "core/json_file.hpp"
#include "core/log.hpp"
#include "core/option_checks.hpp"
#include "core/output_folder.hpp"
#include "core/tool_main.hpp"
#include "gan/training.hpp"
#include "metrics/feature_cache.hpp"
#include "metrics/feature_extractor.hpp"

namespace fs = std::filesystem;

namespace {

const xr::ToolInfo kInfo{
    "gan-train",
    "train a class-conditional StyleGAN2-ADA on an image folder",
    "TRAIN_DIR/<class>/*.png: gray, square, one power-of-two size, >= 2 classes.\n"
    "Resolution and classes come from the data. --dry-run validates and writes\n"
    "RUN_DIR/options.json only. --resume RUN_DIR continues a run exactly where its\n"
    "last snapshot left it (only --kimg, --snap, --tick, the --metric-* options,\n"
    "--precision, --allow-tf32 and --val may change; after a NaN/Inf stop also --glr,\n"
    "--dlr and --gamma). Every snapshot's KID/FID is\n"
    "written beside its real-vs-real floor (two halves of TRAIN_DIR; TRAIN_DIR against\n"
    "--val DIR). See gan-train(1).",
    /*takes_seed=*/true,
    /*takes_device=*/true,
};

struct Options {
  std::string data;
  std::string val;
  std::string out;
  std::string resume;
  bool dry_run = false;
  xr::gan::TrainOptions t;
  std::string aug = "ada";
  std::string metric_features = "random";
  std::string metric_weights;
  int metric_size = 0;
  std::string cache_dir = "auto";
  CLI::App* app = nullptr;
  // Options a resume past a NaN/Inf stop changed (kChangeableAfterNonFinite).
  struct Change {
    std::string option;
    double from, to;
  };
  std::vector<Change> changed;
};

// Options a resumed run may change: the rest define the run.
const std::set<std::string> kResumable = {"--kimg", "--snap", "--tick", "--metric-features", "--metric-weights",
                                          "--metric-size", "--metric-samples", "--kid-subsets", "--precision",
                                          "--allow-tf32", "--cache-dir", "--data", "--resume", "--out", "--val"};

void add_options(CLI::App& app, Options& o) {
  o.app = &app;
  auto& t = o.t;
  app.add_option("--data", o.data, "Training image folder: TRAIN_DIR/<class>/*.png");
  app.add_option("--out", o.out, "Run folder to create (or an empty one)");
  app.add_option("--resume", o.resume, "Continue the run in this folder from its last snapshot");
  app.add_flag("--dry-run", o.dry_run, "Validate the options and data, write options.json, stop");
  app.add_option("--kimg", t.kimg, "Training length in thousands of real images shown")
      ->check(xr::positive(1e6));
  app.add_option("--tick", t.tick_kimg, "Thousands of images between progress lines (stats.jsonl)")
      ->check(xr::positive(1e6));
  app.add_option("--snap", t.snap, "Ticks between snapshots (and one at the end)")
      ->check(xr::in_range(1, 1e6));
  app.add_option("--batch", t.batch, "Minibatch size")->check(xr::in_range(1, 65536));
  app.add_option("--gamma", t.gamma, "R1 regularisation weight (paper: 1.024)")
      ->check(xr::non_negative(1e6));
  app.add_option("--glr", t.glr, "Generator learning rate")->check(xr::positive(1));
  app.add_option("--dlr", t.dlr, "Discriminator learning rate")->check(xr::positive(1));
  app.add_option("--cbase", t.net.cbase, "Channel base: channels at resolution r = min(cbase / r, cmax)")
      ->check(xr::in_range(1, 1 << 20));
  app.add_option("--cmax", t.net.cmax, "Maximum channels per layer")
      ->check(xr::in_range(1, 8192));
  app.add_option("--map-depth", t.net.map_depth, "Mapping network layers")
      ->check(xr::in_range(1, 64));
  app.add_option("--mbstd-group", t.net.mbstd_group, "Minibatch standard deviation group size")
      ->check(xr::in_range(1, 1024));
  app.add_option("--z-dim", t.net.z_dim, "Latent size (512 in the reference)")
      ->check(xr::in_range(1, 8192));
  app.add_option("--w-dim", t.net.w_dim, "Intermediate latent size (512 in the reference)")
      ->check(xr::in_range(1, 8192));
  app.add_option("--fp16-res", t.net.num_fp16_res, "Highest-resolution blocks in reduced precision (CUDA)")
      ->check(xr::in_range(0, 16));
  app.add_option("--aug", o.aug, "Augmentation: ada (adaptive), noaug, fixed (probability --p)")
      ->check(CLI::IsMember({"ada", "noaug", "fixed"}));
  app.add_option("--p", t.p, "Augmentation probability: constant (fixed) or initial (ada)")
      ->check(xr::in_range(0, 1));
  app.add_option("--target", t.target, "ADA target for E[sign(D(real))]")
      ->check(xr::in_range(0.01, 0.99));
  app.add_option("--ema", t.ema_kimg, "Generator EMA half-life in thousands of images")
      ->check(xr::non_negative(1e6));
  app.add_option("--precision", t.precision,
                 "Precision of the --fp16-res blocks: auto (fp16 on CUDA, fp32 on the CPU), fp16, bf16, fp32")
      ->check(CLI::IsMember({"auto", "fp16", "bf16", "fp32"}));
  app.add_flag("--allow-tf32", t.tf32, "Allow TF32 matrix products and convolutions on CUDA (the reference: off)");
  app.add_flag("--pl-detach-mean", t.pl_detach_mean,
               "Detach the path-length mean from the penalty's gradient (the reference lets it through)");
  app.add_option("--metric-features", o.metric_features,
                 "Feature space for KID/FID per snapshot: random, inception, torchvision, a classifier "
                 "folder, or none");
  app.add_option("--metric-weights", o.metric_weights, "Weights file for --metric-features inception|torchvision");
  app.add_option("--metric-size", o.metric_size, "Feature network input side (0: 299)")
      ->check(xr::in_range(0, 4096));
  app.add_option("--metric-samples", t.metric_samples,
                 "Generated images per class for the metrics (0: as many as real ones)")
      ->check(xr::in_range(0, 1e7));
  app.add_option("--kid-subsets", t.kid_subsets, "KID subsets")->check(xr::in_range(1, 1e6));
  app.add_option("--cache-dir", o.cache_dir, "Feature cache folder (auto: ~/.cache/xr-toolkit; none: off)");
  app.add_option("--val", o.val,
                 "Validation images VAL_DIR/<class>/*.png: each snapshot's KID/FID also against them "
                 "(kid_val, fid_val in metrics.jsonl)");
  app.add_option("--select-on", t.select_on,
                 "The split whose mean KID picks best.safetensors: train (the paper's) or val (needs --val)")
      ->check(CLI::IsMember({"train", "val"}));
}

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

// What a resume of a run stopped by a NaN/Inf loss may change besides kResumable:
// what the stop's message advises (a lower learning rate, a stronger R1 penalty).
const std::set<std::string> kChangeableAfterNonFinite = {"--glr", "--dlr", "--gamma"};

// Refuses (64) an option given on --resume that defines the run and differs from the
// run's recorded value. `given` is the command line's training options as JSON.
void refuse_changed_options(const Options& o, const CLI::App* common, const nlohmann::json& given,
                            const nlohmann::json& recorded, bool after_non_finite) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : o.app->get_options()) {
    if (opt->count() == 0 || opt->get_lnames().empty()) continue;
    names.push_back("--" + opt->get_lnames().front());
  }
  if (common != nullptr && common->count("--seed") > 0) names.push_back("--seed");
  for (const std::string& name : names) {
    if (kResumable.count(name) || (after_non_finite && kChangeableAfterNonFinite.count(name))) continue;
    auto at = kRecordedAt.find(name);
    if (at == kRecordedAt.end()) {
      xr::fail_usage(name + " cannot change on --resume (the run's options.json has it)");
    }
    const nlohmann::json::json_pointer ptr(at->second);
    const nlohmann::json mine = given.at(ptr);
    const nlohmann::json theirs = recorded.contains(ptr) ? recorded.at(ptr) : nlohmann::json();
    if (mine != theirs) {
      xr::fail_usage(name + " " + mine.dump() + " cannot change on --resume (the run's options.json has " +
                     theirs.dump() + ")");
    }
  }
}

// The options a resumed run really trains with, as --print-config names them: the
// command line's, with every option the run recorded replaced by the merged value
// (without this, stdout and options-resume.json showed the defaults, batch 32 and
// cbase 16384, for a run with others).
nlohmann::json resumed_options(const Options& o, uint64_t seed) {
  nlohmann::json out = xr::effective_options(*o.app);
  const nlohmann::json training = o.t.to_json();
  for (const auto& [name, at] : kRecordedAt) out[name.substr(2)] = training.at(nlohmann::json::json_pointer(at));
  out["seed"] = seed;
  out["kimg"] = o.t.kimg;
  out["tick"] = o.t.tick_kimg;
  out["snap"] = o.t.snap;
  out["metric-samples"] = o.t.metric_samples;
  out["kid-subsets"] = o.t.kid_subsets;
  out["precision"] = o.t.precision;
  out["allow-tf32"] = o.t.tf32;
  out["data"] = o.data;
  out["out"] = o.out;
  out["val"] = o.val.empty() ? nlohmann::json() : nlohmann::json(o.val);
  out["metric-features"] = o.metric_features;
  out["metric-weights"] = o.metric_weights.empty() ? nlohmann::json() : nlohmann::json(o.metric_weights);
  out["metric-size"] = o.metric_size;
  return out;
}

// Options of a resumed run come from its options.json; the command line may change
// only what does not alter the training.
void merge_resume_options(Options& o, const xr::CommonOptions& common_opts) {
  const std::string opts_path = (fs::path(o.resume) / "options.json").string();
  if (!fs::exists(o.resume)) xr::fail_missing(o.resume, "no such run folder");
  if (!fs::exists(opts_path)) xr::fail_missing(opts_path, "no options.json: not a gan-train run folder");
  const nlohmann::json j = xr::read_json_file(opts_path);
  const bool after_non_finite = fs::exists(fs::path(o.resume) / xr::gan::kNonFiniteStopFile);
  {
    xr::gan::TrainOptions given = o.t;
    given.seed = common_opts.seed;
    given.aug = xr::gan::parse_aug_mode(o.aug);
    if (!j.contains("training") || !j["training"].is_object()) {
      xr::fail_data(opts_path, "no 'training' object: not a gan-train run folder");
    }
    refuse_changed_options(o, o.app->get_option_group("Common options"), given.to_json(), j["training"],
                           after_non_finite);
  }
  try {
    const auto& tr = j.at("training");
    auto& t = o.t;
    const auto keep = t;  // the resumable ones
    t.net = xr::gan::NetConfig::from_json(tr.at("architecture"));
    t.batch = tr.at("batch").get<int>();
    t.gamma = tr.at("gamma").get<double>();
    t.glr = tr.at("glr").get<double>();
    t.dlr = tr.at("dlr").get<double>();
    t.beta1 = tr.at("betas").at(0).get<double>();
    t.beta2 = tr.at("betas").at(1).get<double>();
    t.r1_interval = tr.at("r1_interval").get<int>();
    t.pl_interval = tr.at("pl_interval").get<int>();
    t.pl_weight = tr.at("pl_weight").get<double>();
    t.pl_decay = tr.at("pl_decay").get<double>();
    t.pl_batch_shrink = tr.at("pl_batch_shrink").get<int>();
    t.pl_detach_mean = tr.value("pl_detach_mean", true);  // runs from before the key detached it
    t.style_mixing = tr.at("style_mixing").get<double>();
    t.ema_kimg = tr.at("ema_kimg").get<double>();
    t.ema_rampup = tr.at("ema_rampup").get<double>();
    t.aug = xr::gan::parse_aug_mode(tr.at("aug").get<std::string>());
    t.p = tr.at("p").get<double>();
    t.target = tr.at("target").get<double>();
    t.ada_interval = tr.at("ada_interval").get<int>();
    t.ada_kimg = tr.at("ada_kimg").get<double>();
    t.seed = tr.at("seed").get<uint64_t>();
    t.kid_subset_size = tr.at("kid_subset_size").get<int>();
    t.select_on = tr.value("select_on", std::string("train"));  // runs from before the key: the paper's rule
    auto given = [&](const char* name) { return o.app->count(name) > 0; };
    if (after_non_finite) {
      auto change = [&](const char* name, double& value, double wanted) {
        if (!given(name) || wanted == value) return;
        o.changed.push_back({name, value, wanted});
        value = wanted;
      };
      change("--glr", t.glr, keep.glr);
      change("--dlr", t.dlr, keep.dlr);
      change("--gamma", t.gamma, keep.gamma);
    }
    t.kimg = given("--kimg") ? keep.kimg : tr.at("kimg").get<double>();
    t.tick_kimg = given("--tick") ? keep.tick_kimg : tr.at("tick").get<double>();
    t.snap = given("--snap") ? keep.snap : tr.at("snap").get<int>();
    t.metric_samples = given("--metric-samples") ? keep.metric_samples : tr.at("metric_samples").get<int>();
    t.kid_subsets = given("--kid-subsets") ? keep.kid_subsets : tr.at("kid_subsets").get<int>();
    t.precision = given("--precision") ? keep.precision : tr.at("precision").get<std::string>();
    t.tf32 = given("--allow-tf32") ? keep.tf32 : tr.at("tf32").get<bool>();
    o.aug = xr::gan::aug_mode_name(t.aug);
    if (o.data.empty()) o.data = j.at("data").at("root").get<std::string>();
    // The validation split: the one given now, else the run's own. A run that selects
    // on it keeps it: its best KID so far was measured against that folder.
    const nlohmann::json& val_rec = j.at("data").value("val", nlohmann::json());
    const std::string recorded = val_rec.is_object() ? val_rec.at("root").get<std::string>() : std::string();
    if (!given("--val")) {
      o.val = recorded;
    } else if (t.select_on == "val" && fs::path(o.val).lexically_normal() != fs::path(recorded).lexically_normal()) {
      xr::fail_usage("--val cannot change on --resume of a run that selects on it (the run's is " + recorded + ")");
    }
    const auto& m = j.at("metrics");
    if (!given("--metric-features")) o.metric_features = m.at("features").get<std::string>();
    if (!given("--metric-weights")) o.metric_weights = m.at("weights").get<std::string>();
    if (!given("--metric-size")) o.metric_size = m.at("size").get<int>();
  } catch (const nlohmann::json::exception& e) {
    xr::fail_data(opts_path, std::string("incomplete gan-train options (") + e.what() + ")");
  }
  // CPU results depend on the thread count (the order of parallel sums): a resume
  // keeps the run's count unless --threads says otherwise.
  const CLI::App* common = o.app->get_option_group("Common options");
  if (j.contains("threads") && (common == nullptr || common->count("--threads") == 0)) {
    at::set_num_threads(j.at("threads").get<int>());
  }
  if (!o.out.empty() && fs::path(o.out).lexically_normal() != fs::path(o.resume).lexically_normal()) {
    xr::fail_usage("--out must be the --resume folder or absent");
  }
  o.out = o.resume;
}

// A resume past a NaN/Inf stop that changed the learning rates or gamma: options.json's
// "training" takes the new values (every later resume trains with them), and its
// "changed_after_non_finite" list keeps the old ones, where and why they changed.
void record_changes_after_non_finite(const Options& o, const std::string& opts_path) {
  nlohmann::json j = xr::read_json_file(opts_path);
  const nlohmann::json stop = xr::read_json_file((fs::path(o.out) / xr::gan::kNonFiniteStopFile).string());
  std::string said;
  for (const auto& c : o.changed) {
    j["training"][kRecordedAt.at(c.option).substr(1)] = c.to;
    j["changed_after_non_finite"].push_back({{"option", c.option},
                                             {"from", c.from},
                                             {"to", c.to},
                                             {"stop", stop}});
    said += (said.empty() ? "" : ", ") + c.option + " " + xr::format_number(c.to) + " (was " +
            xr::format_number(c.from) + ")";
  }
  xr::write_file_atomic(opts_path, j.dump(2) + "\n");
  const nlohmann::json& last = stop.value("last_snapshot", nlohmann::json());
  xr::log::info(o.out + ": stopped by a non-finite loss (" + stop.value("reason", std::string("?")) +
                "); resuming from " + (last.is_string() ? last.get<std::string>() : std::string("the start")) +
                " with " + said);
}

// Whether RUN_DIR holds a run's training (anything beside the options.json a
// --dry-run writes, and hidden files such as the lock): a fresh start there is refused,
// while a dry run's folder is started for real by the same command without --dry-run.
bool holds_training(const std::string& run_dir) {
  std::error_code ec;
  if (!fs::is_directory(run_dir, ec)) return false;
  for (const auto& e : fs::directory_iterator(run_dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name != "options.json" && name.front() != '.') return true;
  }
  return false;
}

xr::gan::MetricSetup make_metrics(const Options& o, const xr::gan::TrainData& data, const xr::gan::ValData* val,
                                  const c10::Device& device, uint64_t seed,
                                  std::unique_ptr<xr::metrics::FeatureExtractor>& fx) {
  xr::gan::MetricSetup m;
  if (o.metric_features == "none") return m;
  fx = xr::metrics::make_feature_extractor(o.metric_features, o.metric_weights, device, seed, 32, o.metric_size);
  const std::string cache = o.cache_dir == "auto" ? xr::metrics::default_cache_dir()
                            : o.cache_dir == "none" ? std::string()
                                                    : o.cache_dir;
  const xr::ImageFolder folder = xr::scan_image_folder(data.root);
  m.real_features = xr::metrics::folder_features(*fx, folder, cache, data.pixels, 0);
  if (val != nullptr) {
    m.val_features = xr::metrics::folder_features(*fx, xr::scan_image_folder(val->root), cache, val->pixels, 0);
    m.val_labels = val->labels;
  }
  auto* raw = fx.get();
  m.features = [raw](const torch::Tensor& u8) { return raw->extract(u8); };
  m.name = fx->description();
  return m;
}

int run(Options& o, const xr::CommonOptions& common) {
  const bool resume = !o.resume.empty();
  if (resume) {
    merge_resume_options(o, common);
  } else {
    if (o.data.empty()) xr::fail_usage("--data is required (or --resume RUN_DIR)");
    if (o.out.empty()) xr::fail_usage("--out is required (or --resume RUN_DIR)");
    o.t.seed = common.seed;
    o.t.aug = xr::gan::parse_aug_mode(o.aug);
  }
  const c10::Device device = xr::resolve_device(common.device);
  o.t.precision = xr::gan::resolve_precision(o.t.precision, device);  // options.json records the one used
  xr::gan::TrainData data = xr::gan::load_training_data(o.data);
  o.t.net.resolution = static_cast<int>(data.pixels.size(2));
  o.t.net.c_dim = static_cast<int>(data.classes.size());
  o.t.validate();
  if (o.t.select_on == "val" && o.val.empty()) xr::fail_usage("--select-on val needs --val VAL_DIR");
  if (o.t.select_on == "val" && o.metric_features == "none") {
    xr::fail_usage("--select-on val needs metrics (--metric-features is none)");
  }
  std::optional<xr::gan::ValData> val;
  if (!o.val.empty()) {
    val = xr::gan::load_validation_data(o.val, data);
    if (o.metric_features == "none") xr::log::warn("--val " + o.val + " unused: --metric-features is none");
  }

  const std::string opts_path = (fs::path(o.out) / "options.json").string();
  if (!resume) {
    if (fs::exists(o.out) && !fs::is_directory(o.out)) xr::fail_create(o.out, "exists and is not a folder");
    if (holds_training(o.out)) {
      xr::fail_create(o.out, "already holds a run; use --resume " + o.out + " to continue it");
    }
  }
  std::vector<int> counts(data.classes.size(), 0);
  for (int64_t l : data.labels) counts[l]++;
  const nlohmann::json options = resume ? resumed_options(o, o.t.seed) : xr::effective_options(*o.app);
  nlohmann::json doc = {{"schema", "xr-gan-train-options/1"},
                        {"tool", kInfo.name},
                        {"version", XR_VERSION},
                        {"options", options},
                        {"training", o.t.to_json()},
                        {"data",
                         {{"root", o.data},
                          {"classes", data.classes},
                          {"images_per_class", counts},
                          {"resolution", o.t.net.resolution},
                          {"val", val ? nlohmann::json({{"root", val->root}, {"images_per_class", val->counts}})
                                      : nlohmann::json()}}},
                        {"metrics",
                         {{"features", o.metric_features}, {"weights", o.metric_weights}, {"size", o.metric_size}}},
                        {"device", xr::describe_device(device)},
                        {"threads", at::get_num_threads()}};
  const xr::FilledOutputDir out_folder(o.out);  // removed again if nothing gets written
  const xr::FolderLock lock(o.out, "gan-train");
  xr::remove_stale_temporaries(o.out);  // a half-written snapshot of a run killed with -9
  if (!o.changed.empty()) record_changes_after_non_finite(o, opts_path);
  // A resumed run keeps the original options.json (the record of how it started);
  // its changes go to options-resume.json.
  const std::string written = resume ? (fs::path(o.out) / "options-resume.json").string() : opts_path;
  xr::write_file_atomic(written, doc.dump(2) + "\n");
  xr::log::info(std::to_string(data.labels.size()) + " images, " + std::to_string(data.classes.size()) +
                " classes, " + std::to_string(o.t.net.resolution) + "x" + std::to_string(o.t.net.resolution) +
                ", R1 gamma " + xr::format_number(o.t.gamma) + ", precision " + o.t.precision +
                (o.t.tf32 ? " (TF32 allowed)" : "") + ", on " + xr::describe_device(device));
  if (o.dry_run) {
    std::cout << written << "\n";
    return 0;
  }
  std::unique_ptr<xr::metrics::FeatureExtractor> fx;
  const xr::gan::MetricSetup metrics = make_metrics(o, data, val ? &*val : nullptr, device, o.t.seed, fx);
  const xr::gan::TrainResult r = xr::gan::train(o.t, data, device, o.out, resume, metrics);
  const nlohmann::json out =
      xr::result_document(kInfo, 1, options,
                          {{"run_dir", o.out},
                           {"nimg", r.nimg},
                           {"kimg", r.nimg / 1000.0},
                           {"last_snapshot", r.last_snapshot},
                           {"best_snapshot", r.best_snapshot},
                           {"best_kid", std::isnan(r.best_kid) ? nlohmann::json() : nlohmann::json(r.best_kid)},
                           {"select_on", o.t.select_on},
                           {"gamma", o.t.gamma}});
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return xr::run_tool<Options>(argc, argv, kInfo, add_options, run); }
