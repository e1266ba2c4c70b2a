// cls-eval: scores an inc3-train model on a test folder: accuracy, precision,
// recall, F1, specificity (per class, macro, weighted), both macro F1s (sklearn's
// mean of per-class F1 and the paper's 2PR/(P+R)), MCC, the confusion matrix,
// bootstrap intervals, optionally McNemar's test against another prediction file
// and the mean and spread over every run of the model folder.
#include <cmath>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "classify/classifier.hpp"
#include "classify/evaluate.hpp"
#include "classify/features.hpp"
#include "classify/metrics.hpp"
#include "classify/runs.hpp"
#include "core/atomic_file.hpp"
#include "core/dataset.hpp"
#include "core/device.hpp"
#include "core/errors.hpp"
#include "core/folder_lock.hpp"
#include "core/image_batch.hpp"
#include "core/log.hpp"
#include "core/option_checks.hpp"
#include "core/output_folder.hpp"
#include "core/tool_main.hpp"
#include "nn/safetensors.hpp"

namespace fs = std::filesystem;
namespace cls = xr::classify;

namespace {

const xr::ToolInfo kInfo{
    "cls-eval",
    "score an inc3-train model on a test folder",
    "Prints a JSON object (also written to OUT/metrics.json) and writes\n"
    "OUT/confusion.csv and OUT/predictions.csv. Two macro F1s: f1_sklearn (mean of\n"
    "the per-class F1, sklearn's f1_score average='macro') and f1_of_macro_pr\n"
    "(2PR/(P+R) of macro precision and recall: the paper's Tables 2-3). See cls-eval(1).",
    true,
    true,
};

struct Options {
  std::string model_dir;
  std::string test_dir;
  std::string out_dir;  // default: model_dir
  int bootstrap = 1000;
  std::string compare;
  bool all_runs = false;
  int batch = 32;
  const CLI::App* app = nullptr;
};

void add_options(CLI::App& app, Options& o) {
  o.app = &app;
  app.add_option("--model", o.model_dir, "Model folder written by inc3-train")
      ->required();
  app.add_option("--test", o.test_dir, "Test image folder (DIR/<class>/*.png)")
      ->required();
  app.add_option("-o,--out", o.out_dir, "Folder for metrics.json, confusion.csv, predictions.csv (default: --model)");
  app.add_option("--bootstrap", o.bootstrap, "Bootstrap resamples for the 95% intervals (0: none)")
      ->check(xr::in_range(0, 1000000));
  app.add_option("--compare", o.compare,
                 "predictions.csv of another model on the same test set: McNemar's test against it");
  app.add_flag("--all-runs", o.all_runs, "Also score every run<k>.safetensors: mean and std over runs");
  app.add_option("--batch", o.batch, "Images per forward pass")->check(xr::in_range(1, 1 << 20));
}

nlohmann::json summary_values(const cls::Metrics& m) {
  return {{"accuracy", m.accuracy},          {"mcc", m.mcc},
          {"macro_precision", m.macro.precision}, {"macro_recall", m.macro.recall},
          {"macro_f1_sklearn", m.macro.f1},  {"f1_of_macro_pr", m.f1_of_macro_pr},
          {"macro_specificity", m.macro.specificity},
          {"weighted_precision", m.weighted.precision}, {"weighted_recall", m.weighted.recall},
          {"weighted_f1", m.weighted.f1}};
}

// Mean and sample standard deviation (n - 1) of each summary value over runs.
nlohmann::json mean_std(const std::vector<nlohmann::json>& per_run) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& item : per_run.front().items()) {
    double sum = 0, sq = 0;
    const double n = static_cast<double>(per_run.size());
    for (const auto& r : per_run) sum += r[item.key()].get<double>();
    const double mean = sum / n;
    for (const auto& r : per_run) sq += std::pow(r[item.key()].get<double>() - mean, 2);
    out[item.key()] = {{"mean", mean}, {"std", n > 1 ? std::sqrt(sq / (n - 1)) : 0.0}};
  }
  return out;
}

int run(const Options& o, const xr::CommonOptions& common) {
  const c10::Device device = xr::resolve_device(common.device);
  const std::string model_path = cls::model_file_path(o.model_dir);
  if (!fs::exists(model_path)) xr::fail_missing(model_path, "no such model file (run inc3-train first)");
  if (!o.compare.empty() && !fs::exists(o.compare)) xr::fail_missing(o.compare, "no such file");
  // Made and checked writable now, not after the evaluation.
  const xr::FilledOutputDir out_folder(o.out_dir.empty() ? o.model_dir : o.out_dir);
  const xr::FolderLock lock(out_folder.path(), "cls-eval");  // not while inc3-train writes the model there
  const std::string& out_dir = out_folder.path();

  cls::LoadedModel loaded = cls::load_model(model_path);
  const auto& classes = loaded.info.classes;
  const xr::ImageFolder test = xr::scan_image_folder(o.test_dir);
  const std::vector<int> class_map = cls::match_classes(classes, test, model_path);
  xr::require_images_in_every_class(test);
  const xr::ImageBatch images = xr::load_image_folder(test, static_cast<int>(loaded.info.input_size));
  std::vector<int> y_true;
  for (int64_t y : images.labels) y_true.push_back(class_map[y]);

  loaded.model->to(device);
  const at::Tensor features = cls::compute_base_features(*loaded.model->base, images.pixels,
                                                         loaded.info.input_size, device, o.batch, "test features");
  const at::Tensor probs = cls::head_probabilities(*loaded.model->head, features, device, o.batch);
  const std::vector<int> y_pred = cls::argmax_rows(probs);
  const cls::Metrics m = cls::compute_metrics(y_true, y_pred, static_cast<int>(classes.size()));

  nlohmann::json results = cls::to_json(m, classes);
  results["model"] = model_path;
  results["test"] = o.test_dir;
  results["weights"] = loaded.info.weights;
  results["fine_tuned"] = loaded.info.fine_tuned;
  if (loaded.info.extra.count("run")) results["kept_run"] = std::stoi(loaded.info.extra.at("run"));
  // The paper states no averaging; its F1 column equals 2PR/(P+R) of its own
  // precision and recall columns, which is f1_of_macro_pr here.
  results["definitions"] = {
      {"macro", "unweighted mean over classes, sklearn classification_report's 'macro avg'"},
      {"weighted", "mean weighted by support, sklearn classification_report's 'weighted avg'"},
      {"f1_sklearn", "mean of the per-class F1 scores (sklearn f1_score(average='macro'))"},
      {"f1_of_macro_pr", "2PR/(P+R) of macro precision P and macro recall R: the F1 of the paper's Tables 2-3"}};
  if (o.bootstrap > 0) {
    results["bootstrap"] = cls::to_json(cls::bootstrap(y_true, y_pred, static_cast<int>(classes.size()),
                                                        o.bootstrap, common.seed));
    results["bootstrap"]["seed"] = std::to_string(common.seed);
  }

  if (!o.compare.empty()) {
    const auto other = cls::read_predictions(o.compare);
    if (other.size() != images.rel.size()) {
      xr::fail_data(o.compare, "lists " + std::to_string(other.size()) + " images, the test set has " +
                                   std::to_string(images.rel.size()) + " (same test set required)");
    }
    std::vector<bool> a_ok, b_ok;
    for (size_t i = 0; i < images.rel.size(); ++i) {
      auto it = other.find(images.rel[i]);
      if (it == other.end()) xr::fail_data(o.compare, "has no prediction for " + images.rel[i] + " (same test set required)");
      if (it->second.true_class != classes[y_true[i]]) {
        xr::fail_data(o.compare, "true class of " + images.rel[i] + " is '" + it->second.true_class + "', here '" +
                                     classes[y_true[i]] + "'");
      }
      a_ok.push_back(y_pred[i] == y_true[i]);
      b_ok.push_back(it->second.predicted_class == it->second.true_class);
    }
    results["mcnemar"] = cls::to_json(cls::mcnemar(a_ok, b_ok));
    results["mcnemar"]["a"] = model_path;
    results["mcnemar"]["b"] = o.compare;
  }

  if (o.all_runs) {
    const auto files = cls::run_files(o.model_dir);
    if (files.empty()) xr::fail_missing(o.model_dir, "--all-runs: no run1.safetensors in the model folder");
    std::vector<nlohmann::json> per_run;
    nlohmann::json runs_json = nlohmann::json::array();
    for (size_t r = 0; r < files.size(); ++r) {
      const auto file = xr::nn::read_safetensors(files[r]);
      const cls::ModelInfo info = cls::parse_model_metadata(file.metadata, files[r]);
      if (info.classes != classes) xr::fail_data(files[r], "class list differs from " + model_path);
      at::Tensor run_probs;
      if (cls::run_contents(info) == cls::RunContents::kWholeModel) {
        cls::LoadedModel rm = cls::load_model(files[r]);
        rm.model->to(device);
        const at::Tensor f = cls::compute_base_features(*rm.model->base, images.pixels, info.input_size, device,
                                                        o.batch, "run " + std::to_string(r + 1) + " features");
        run_probs = cls::head_probabilities(*rm.model->head, f, device, o.batch);
      } else {  // head only: the frozen base of model.safetensors
        cls::ClassifierHead head(features.size(1), static_cast<int64_t>(classes.size()));
        cls::load_head(*head, file, files[r]);
        head->to(device);
        run_probs = cls::head_probabilities(*head, features, device, o.batch);
      }
      const cls::Metrics rm = cls::compute_metrics(y_true, cls::argmax_rows(run_probs), static_cast<int>(classes.size()));
      per_run.push_back(summary_values(rm));
      nlohmann::json j = per_run.back();
      j["run"] = static_cast<int>(r + 1);
      runs_json.push_back(j);
    }
    results["runs"] = {{"count", files.size()}, {"per_run", runs_json}, {"mean_std", mean_std(per_run)},
                       {"std", "sample standard deviation (n - 1)"}};
  }

  cls::write_predictions((fs::path(out_dir) / "predictions.csv").string(), images.rel, y_true, probs, classes);
  cls::write_confusion((fs::path(out_dir) / "confusion.csv").string(), m.confusion, classes);
  nlohmann::json options = xr::effective_options(*o.app);
  options["seed"] = std::to_string(common.seed);
  const nlohmann::json out = xr::result_document(kInfo, 2, options, results);
  xr::write_file_atomic((fs::path(out_dir) / "metrics.json").string(), out.dump(2) + "\n");
  xr::log::info("accuracy " + std::to_string(m.accuracy) + ", F1 of macro P/R " + std::to_string(m.f1_of_macro_pr) +
                ", sklearn macro F1 " + std::to_string(m.macro.f1) + ", MCC " +
                std::to_string(m.mcc) + " on " + std::to_string(m.n) + " images");
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return xr::run_tool<Options>(argc, argv, kInfo, add_options, run); }
