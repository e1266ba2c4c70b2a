// inc3-train: trains the paper's Inception-v3 classifier (base + Dense head) on one
// or more training folders, validating on --val after every epoch; --runs
// independent runs by seed, the one with the best validation accuracy is kept.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "classify/classifier.hpp"
#include "classify/features.hpp"
#include "classify/fit.hpp"
#include "classify/train_data.hpp"
#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/device.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/rng.hpp"
#include "core/tool_main.hpp"
#include "nn/safetensors.hpp"

namespace fs = std::filesystem;
namespace cls = xr::classify;

namespace {

const xr::ToolInfo kInfo{
    "inc3-train",
    "train the Inception-v3 classifier (frozen base + Dense head, or the whole network)",
    "Writes MODEL_DIR/model.safetensors (the run with the best validation accuracy),\n"
    "run<k>.safetensors, runs.csv, history.csv and options.json; prints a JSON summary.\n"
    "Finished runs are kept and skipped when re-run with the same options and data.\n"
    "See inc3-train(1).",
    true,
    true,
};

struct Options {
  std::vector<std::string> train_dirs;
  std::string val_dir;
  std::string out_dir;
  std::string weights = "none";
  bool fine_tune = false;
  int runs = 5;
  int epochs = 11;
  int batch = 32;
  double lr = 1e-3;
  double rho = 0.9;
  double epsilon = 1e-7;
  int image_size = 128;
  std::string class_weights = "none";
  std::string keep = "best";
  std::string cache_dir;  // default MODEL_DIR/cache; "none": no disk cache
  int feature_batch = 32;
  const CLI::App* app = nullptr;
};

void add_options(CLI::App& app, Options& o) {
  o.app = &app;
  app.add_option("--train", o.train_dirs, "Training image folder (DIR/<class>/*.png); repeat to merge several")
      ->required();
  app.add_option("--val", o.val_dir, "Validation image folder")->required();
  app.add_option("-o,--out", o.out_dir, "Model folder to write (created; finished runs in it are reused)")
      ->required();
  app.add_option("--weights", o.weights,
                 "Base weights: an Inception-v3 safetensors file (torchvision names), or 'none' for random "
                 "initialisation (then the whole network is trained)");
  app.add_flag("--fine-tune", o.fine_tune, "Train the whole network instead of the head on a frozen base");
  app.add_option("--runs", o.runs, "Independent runs (seeds derived from --seed)")->check(CLI::Range(1, 1000));
  app.add_option("--epochs", o.epochs, "Epochs per run")->check(CLI::Range(1, 100000));
  app.add_option("--batch", o.batch, "Training batch size")->check(CLI::Range(1, 1 << 20));
  app.add_option("--lr", o.lr, "RMSprop learning rate")->check(CLI::PositiveNumber);
  app.add_option("--rho", o.rho, "RMSprop decay (Keras' rho)")->check(CLI::Range(0.0, 1.0));
  app.add_option("--epsilon", o.epsilon, "RMSprop epsilon (Keras: added to the square root)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--image-size", o.image_size, "Network input size (images are resized to it)")
      ->check(CLI::Range(75, 1024));
  app.add_option("--class-weights", o.class_weights, "Loss weights per class: none (the paper) or balanced")
      ->check(CLI::IsMember({"none", "balanced"}));
  app.add_option("--keep", o.keep, "Weights a run keeps: best (its best validation epoch) or last")
      ->check(CLI::IsMember({"best", "last"}));
  app.add_option("--cache-dir", o.cache_dir,
                 "Feature cache folder for the frozen base (default MODEL_DIR/cache; 'none': memory only)");
  app.add_option("--feature-batch", o.feature_batch, "Batch size of the feature pass and of evaluation")
      ->check(CLI::Range(1, 1 << 20));
}

std::string fmt(double v) { return xr::format_number(v); }

std::string fixed(double v, int digits = 4) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(digits);
  s << v;
  return s.str();
}

struct RunRecord {
  int run = 0;  // 1-based
  uint64_t seed = 0;
  cls::FitResult fit;
  bool reused = false;
};

// What a run's result depends on, so that a finished run is reused only when re-run
// with the same data, weights and training options.
std::string run_key(const Options& o, const std::string& data_key, const std::string& weights_key, uint64_t seed,
                    bool fine_tune) {
  nlohmann::json j = {{"data", data_key},     {"weights", weights_key}, {"seed", std::to_string(seed)},
                      {"fine_tune", fine_tune}, {"epochs", o.epochs},   {"batch", o.batch},
                      {"lr", o.lr},             {"rho", o.rho},         {"epsilon", o.epsilon},
                      {"image_size", o.image_size}, {"class_weights", o.class_weights}, {"keep", o.keep},
                      {"version", XR_VERSION}};
  return cls::hex64(cls::fnv1a(j.dump()));
}

nlohmann::json history_json(const cls::FitResult& r) {
  nlohmann::json h = nlohmann::json::array();
  for (const auto& e : r.history) {
    h.push_back({e.epoch, e.train_loss, e.train_accuracy, e.val_loss, e.val_accuracy});
  }
  return {{"history", h}, {"best_epoch", r.best_epoch}, {"kept_epoch", r.kept_epoch},
          {"best_val_accuracy", r.best_val_accuracy}, {"best_val_loss", r.best_val_loss}};
}

cls::FitResult fit_from_json(const nlohmann::json& j) {
  cls::FitResult r;
  for (const auto& e : j.at("history")) {
    r.history.push_back({e.at(0).get<int>(), e.at(1).get<double>(), e.at(2).get<double>(), e.at(3).get<double>(),
                         e.at(4).get<double>()});
  }
  r.best_epoch = j.at("best_epoch");
  r.kept_epoch = j.at("kept_epoch");
  r.best_val_accuracy = j.at("best_val_accuracy");
  r.best_val_loss = j.at("best_val_loss");
  return r;
}

// A finished run from an earlier invocation, if its key matches.
bool reuse_run(const std::string& path, const std::string& key, RunRecord& rec) {
  if (!fs::exists(path)) return false;
  try {
    const auto file = xr::nn::read_safetensors(path);
    auto k = file.metadata.find("run_key");
    auto f = file.metadata.find("run_result");
    if (k == file.metadata.end() || f == file.metadata.end() || k->second != key) return false;
    rec.fit = fit_from_json(nlohmann::json::parse(f->second));
    rec.reused = true;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

const cls::EpochStats& kept_stats(const RunRecord& r) { return r.fit.history.at(r.fit.kept_epoch - 1); }

int run(const Options& o, const xr::CommonOptions& common) {
  const c10::Device device = xr::resolve_device(common.device);
  const bool random_base = o.weights == "none";
  const bool fine_tune = o.fine_tune || random_base;
  if (!random_base && !fs::exists(o.weights)) xr::fail_missing(o.weights, "no such weights file");

  // Data: every folder scanned and checked before any work.
  const cls::TrainData data = cls::load_train_data(o.train_dirs, o.val_dir, o.image_size);
  const int k = static_cast<int>(data.classes.size());
  cls::log_class_counts(data);

  if (random_base) {
    xr::log::warn("--weights none: RANDOM INITIALISATION - the whole network (base and head) is trained "
                  "from scratch; there is no transfer learning in this model");
  } else if (o.fine_tune) {
    xr::log::info("--fine-tune: the whole network is trained, starting from " + o.weights);
  } else {
    xr::log::info("frozen base from " + o.weights + ": features computed once, the head is trained on them");
  }
  const std::string weights_key = random_base ? "none" : cls::hex64(cls::hash_file(o.weights));
  xr::nn::Safetensors weights_file;
  if (!random_base) weights_file = xr::nn::read_safetensors(o.weights);

  xr::ensure_directory(o.out_dir);
  nlohmann::json options_json = xr::effective_options(*o.app);
  options_json["seed"] = std::to_string(common.seed);
  options_json["fine_tune_effective"] = fine_tune;
  options_json["device"] = xr::describe_device(device);
  xr::write_file_atomic((fs::path(o.out_dir) / "options.json").string(), options_json.dump(2) + "\n");

  std::vector<double> class_weights;
  if (o.class_weights == "balanced") {
    class_weights = cls::balanced_class_weights(data.train_labels, k);
    std::string w;
    for (int c = 0; c < k; ++c) w += (c ? ", " : "") + data.classes[c] + " " + fixed(class_weights[c], 3);
    xr::log::info("balanced class weights: " + w);
  }

  const std::string cache_dir =
      o.cache_dir == "none" ? "" : o.cache_dir.empty() ? (fs::path(o.out_dir) / "cache").string() : o.cache_dir;

  // Frozen base: one feature pass per folder (cached), shared by every run.
  at::Tensor train_features, val_features;
  cls::Inc3Classifier frozen{nullptr};
  if (!fine_tune) {
    frozen = cls::Inc3Classifier(k, o.image_size);
    cls::load_base_weights(*frozen->base, weights_file, o.weights);
    frozen->to(device);
    std::vector<at::Tensor> parts;
    for (size_t i = 0; i < data.train.size(); ++i) {
      parts.push_back(cls::cached_base_features(*frozen->base, data.train[i].pixels, data.train[i].rel,
                                                o.image_size, weights_key, cache_dir, device, o.feature_batch,
                                                "features " + o.train_dirs[i]));
    }
    train_features = at::cat(parts, 0);
    val_features = cls::cached_base_features(*frozen->base, data.val.pixels, data.val.rel, o.image_size,
                                             weights_key, cache_dir, device, o.feature_batch,
                                             "features " + o.val_dir);
  }
  const at::Tensor train_pixels = fine_tune ? data.merged_train_pixels() : at::Tensor();

  std::vector<RunRecord> runs;
  for (int r = 1; r <= o.runs; ++r) {
    RunRecord rec;
    rec.run = r;
    rec.seed = xr::derive_seed(common.seed, static_cast<uint64_t>(r));
    const std::string key = run_key(o, data.key, weights_key, rec.seed, fine_tune);
    const std::string run_path = (fs::path(o.out_dir) / ("run" + std::to_string(r) + ".safetensors")).string();
    const std::string label = "run " + std::to_string(r) + "/" + std::to_string(o.runs);
    if (reuse_run(run_path, key, rec)) {
      xr::log::info(label + ": finished earlier with the same options, reused (" + run_path + ")");
      runs.push_back(rec);
      continue;
    }
    torch::manual_seed(rec.seed);
    cls::FitOptions fo;
    fo.epochs = o.epochs;
    fo.batch = o.batch;
    fo.eval_batch = o.feature_batch;
    fo.rmsprop = {o.lr, o.rho, o.epsilon};
    fo.class_weights = class_weights;
    fo.seed = xr::derive_seed(rec.seed, 0x5u);
    fo.keep_best = o.keep == "best";
    fo.label = label;
    fo.avoid_single_batch = fine_tune;
    auto on_epoch = [&](const cls::EpochStats& s) {
      xr::log::info(label + " epoch " + std::to_string(s.epoch) + "/" + std::to_string(o.epochs) + ": loss " +
                    fixed(s.train_loss) + " acc " + fixed(s.train_accuracy) + "  val_loss " + fixed(s.val_loss) +
                    " val_acc " + fixed(s.val_accuracy));
    };
    cls::ModelInfo info = cls::training_model_info(data.classes, o.image_size, o.weights, fine_tune);
    info.extra["run"] = std::to_string(r);
    info.extra["seed"] = std::to_string(rec.seed);
    info.extra["run_key"] = key;
    if (fine_tune) {
      cls::Inc3Classifier model(k, o.image_size);
      if (!random_base) cls::load_base_weights(*model->base, weights_file, o.weights);
      model->to(device);
      info.head = cls::describe_head(*model->head);
      rec.fit = cls::fit(
          *model,
          [&](bool val, const std::vector<int64_t>& idx, bool) {
            const at::Tensor& px = val ? data.val.pixels : train_pixels;
            const at::Tensor sel = px.index_select(0, at::tensor(idx, at::kLong)).to(device);
            return model->forward(xr::nn::prepare_input(sel, xr::nn::InputStyle::kKeras, o.image_size));
          },
          data.train_labels, data.val_labels(), fo, on_epoch);
      info.extra["run_result"] = history_json(rec.fit).dump();
      model->to(at::kCPU);
      cls::save_model(run_path, *model, info);
    } else {
      cls::ClassifierHead head(train_features.size(1), k);
      head->to(device);
      info.head = cls::describe_head(*head);
      rec.fit = cls::fit(
          *head,
          [&](bool val, const std::vector<int64_t>& idx, bool) {
            const at::Tensor& f = val ? val_features : train_features;
            return head->forward(f.index_select(0, at::tensor(idx, at::kLong)).to(device));
          },
          data.train_labels, data.val_labels(), fo, on_epoch);
      info.extra["run_result"] = history_json(rec.fit).dump();
      info.extra["contents"] = "head";  // the base is model.safetensors' (frozen, shared by every run)
      head->to(at::kCPU);
      cls::save_head(run_path, *head, info);
    }
    runs.push_back(rec);
  }

  // The paper's rule: the run with the best validation accuracy (ties: the earlier run).
  size_t best = 0;
  for (size_t i = 1; i < runs.size(); ++i) {
    if (kept_stats(runs[i]).val_accuracy > kept_stats(runs[best]).val_accuracy) best = i;
  }
  const RunRecord& kept = runs[best];
  const std::string kept_path =
      (fs::path(o.out_dir) / ("run" + std::to_string(kept.run) + ".safetensors")).string();
  {
    cls::ModelInfo info = cls::training_model_info(data.classes, o.image_size, o.weights, fine_tune);
    info.extra["run"] = std::to_string(kept.run);
    info.extra["seed"] = std::to_string(kept.seed);
    info.extra["kept_epoch"] = std::to_string(kept.fit.kept_epoch);
    info.extra["val_accuracy"] = fmt(kept_stats(kept).val_accuracy);
    info.extra["runs"] = std::to_string(runs.size());
    cls::Inc3Classifier model{nullptr};
    if (fine_tune) {
      model = cls::load_model(kept_path).model;
    } else {
      model = cls::Inc3Classifier(k, o.image_size);
      cls::load_base_weights(*model->base, weights_file, o.weights);
      cls::load_head(*model, xr::nn::read_safetensors(kept_path), kept_path);
    }
    info.head = cls::describe_head(*model->head);
    cls::save_model((fs::path(o.out_dir) / "model.safetensors").string(), *model, info);
  }

  xr::CsvTable runs_csv, history_csv;
  runs_csv.header = {"run", "seed", "best_epoch", "kept_epoch", "val_accuracy", "val_loss", "selected"};
  history_csv.header = {"run", "epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy"};
  nlohmann::json runs_json = nlohmann::json::array();
  for (const auto& r : runs) {
    const auto& s = kept_stats(r);
    runs_csv.rows.push_back({std::to_string(r.run), std::to_string(r.seed), std::to_string(r.fit.best_epoch),
                             std::to_string(r.fit.kept_epoch), fmt(s.val_accuracy), fmt(s.val_loss),
                             r.run == kept.run ? "1" : "0"});
    for (const auto& e : r.fit.history) {
      history_csv.rows.push_back({std::to_string(r.run), std::to_string(e.epoch), fmt(e.train_loss),
                                  fmt(e.train_accuracy), fmt(e.val_loss), fmt(e.val_accuracy)});
    }
    runs_json.push_back({{"run", r.run}, {"seed", std::to_string(r.seed)}, {"best_epoch", r.fit.best_epoch},
                         {"kept_epoch", r.fit.kept_epoch}, {"val_accuracy", s.val_accuracy},
                         {"val_loss", s.val_loss}, {"reused", r.reused}});
  }
  xr::write_csv((fs::path(o.out_dir) / "runs.csv").string(), runs_csv);
  xr::write_csv((fs::path(o.out_dir) / "history.csv").string(), history_csv);
  xr::log::info("kept run " + std::to_string(kept.run) + " (val accuracy " + fixed(kept_stats(kept).val_accuracy) +
                ", epoch " + std::to_string(kept.fit.kept_epoch) + ")");

  nlohmann::json result = {
      {"schema", "xr-inc3-train/1"},
      {"tool", kInfo.name},
      {"version", XR_VERSION},
      {"options", options_json},
      {"results",
       {{"model", (fs::path(o.out_dir) / "model.safetensors").string()},
        {"classes", data.classes},
        {"counts", cls::counts_json(data)},
        {"base", random_base ? "random init, trained" : fine_tune ? "pretrained, fine-tuned" : "pretrained, frozen"},
        {"fine_tuned", fine_tune},
        {"kept_run", kept.run},
        {"val_accuracy", kept_stats(kept).val_accuracy},
        {"runs", runs_json}}}};
  std::cout << result.dump(2) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  return xr::tool_main(
      argc, argv, kInfo, [&](CLI::App& app) { add_options(app, o); },
      [&](const xr::CommonOptions& c) { return run(o, c); });
}
