// cls-eval: scores an inc3-train model on a test folder: accuracy, precision,
// recall, F1, specificity (per class, macro, weighted), both macro F1s (sklearn's
// mean of per-class F1 and the paper's 2PR/(P+R)), MCC, the confusion matrix,
// bootstrap intervals, optionally McNemar's test against another prediction file
// and the mean and spread over every run of the model folder.
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "classify/classifier.hpp"
#include "classify/evaluate.hpp"
#include "classify/scores.hpp"
#include "classify/run_statistics.hpp"
#include "classify/runs.hpp"
#include "core/atomic_file.hpp"
#include "core/device.hpp"
#include "core/errors.hpp"
#include "core/folder_lock.hpp"
#include "core/log.hpp"
#include "core/option_checks.hpp"
#include "core/output_folder.hpp"
#include "core/tool_main.hpp"

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
    xr::Takes::kSeed | xr::Takes::kDevice,
};

struct Options {
  std::string model_dir;
  std::string test_dir;
  std::string out_dir;  // default: model_dir
  int bootstrap = 1000;
  std::string compare;
  bool all_runs = false;
  int batch = 32;
};

void add_options(CLI::App& app, Options& o) {
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

int run(const Options& o, const xr::RunContext& context) {
  const xr::CommonOptions& common = context.common();
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
  const cls::TestPredictions test = cls::predict_test_folder(loaded, model_path, o.test_dir, device, o.batch);
  const auto& y_true = test.y_true;
  const auto& y_pred = test.y_pred;
  const cls::Metrics m = cls::compute_metrics(y_true, y_pred, static_cast<int>(classes.size()));

  nlohmann::json results = cls::to_json(m, classes);
  results["model"] = model_path;
  results["test"] = o.test_dir;
  results["weights"] = loaded.info.weights;
  results["fine_tuned"] = loaded.info.fine_tuned;
  if (loaded.info.extra.count("run")) results["kept_run"] = std::stoi(loaded.info.extra.at("run"));
  results["definitions"] = cls::average_definitions();
  if (o.bootstrap > 0) {
    results["bootstrap"] = cls::to_json(cls::bootstrap(y_true, y_pred, static_cast<int>(classes.size()),
                                                        o.bootstrap, common.seed));
    results["bootstrap"]["seed"] = std::to_string(common.seed);
  }

  if (!o.compare.empty()) {
    const auto paired = cls::pair_with_predictions(cls::read_predictions(o.compare), o.compare, test.images.rel, y_true,
                                                   y_pred, classes);
    results["mcnemar"] = cls::to_json(cls::mcnemar(paired.a_correct, paired.b_correct));
    results["mcnemar"]["a"] = model_path;
    results["mcnemar"]["b"] = o.compare;
  }

  if (o.all_runs) {
    const cls::TestInputs inputs{test.images.pixels, test.base_features, device, o.batch};
    results["runs"] = cls::run_statistics(cls::score_runs(o.model_dir, classes, model_path, inputs, y_true));
  }

  cls::write_predictions((fs::path(out_dir) / "predictions.csv").string(), test.images.rel, y_true, test.probs,
                         classes);
  cls::write_confusion((fs::path(out_dir) / "confusion.csv").string(), m.confusion, classes);
  nlohmann::json options = context.effective_options();
  options["seed"] = std::to_string(common.seed);
  const nlohmann::json out = context.result_document(2, options, results);
  xr::write_file_atomic((fs::path(out_dir) / "metrics.json").string(), out.dump(2) + "\n");
  xr::log::info("accuracy " + std::to_string(m.accuracy) + ", F1 of macro P/R " + std::to_string(m.f1_of_macro_pr) +
                ", sklearn macro F1 " + std::to_string(m.macro.f1) + ", MCC " +
                std::to_string(m.mcc) + " on " + std::to_string(m.n) + " images");
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return xr::run_tool<Options>(argc, argv, kInfo, add_options, run); }
