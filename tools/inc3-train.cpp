// inc3-train: trains the paper's Inception-v3 classifier (base + Dense head) on one
// or more training folders, validating on --val after every epoch; --runs
// independent runs by seed, the one with the best validation accuracy is kept.
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "classify/train_data.hpp"
#include "classify/train_runs.hpp"
#include "core/option_checks.hpp"
#include "core/atomic_file.hpp"
#include "core/device.hpp"
#include "core/errors.hpp"
#include "core/folder_lock.hpp"
#include "core/log.hpp"
#include "core/output_folder.hpp"
#include "core/tool_main.hpp"

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
    xr::Takes::kSeed | xr::Takes::kDevice,
};

struct Options {
  std::vector<std::string> train_dirs;
  std::string val_dir;
  std::string out_dir;
  cls::TrainOptions train;
};

void add_options(CLI::App& app, Options& o) {
  cls::TrainOptions& t = o.train;
  app.add_option("--train", o.train_dirs, "Training image folder (DIR/<class>/*.png); repeat to merge several")
      ->required();
  app.add_option("--val", o.val_dir, "Validation image folder")->required();
  app.add_option("-o,--out", o.out_dir, "Model folder to write (created; finished runs in it are reused)")
      ->required();
  app.add_option("--arch", t.arch,
                 "The Inception-v3 base: keras (the paper's: BatchNorm without scale, average pools that do not "
                 "count padding, Glorot init) or torchvision (its init: truncated normal, std 0.1)")
      ->check(CLI::IsMember({"keras", "torchvision"}));
  app.add_option("--weights", t.weights,
                 "Base weights: an Inception-v3 safetensors file (torchvision names; converted by "
                 "scripts/convert_weights.py from Keras .h5 or torchvision .pth) of the --arch network, or 'none' "
                 "for random initialisation (then the whole network is trained)");
  app.add_flag("--fine-tune", t.fine_tune, "Train the whole network instead of the head on a frozen base");
  app.add_option("--runs", t.runs, "Independent runs (seeds derived from --seed)")->check(xr::in_range(1, 1000));
  app.add_option("--epochs", t.epochs, "Epochs per run")->check(xr::in_range(1, 100000));
  app.add_option("--batch", t.batch, "Training batch size")->check(xr::in_range(1, 1 << 20));
  app.add_option("--lr", t.lr, "RMSprop learning rate")->check(xr::positive(1));
  app.add_option("--rho", t.rho, "RMSprop decay (Keras' rho)")->check(xr::in_range(0.0, 1.0));
  app.add_option("--epsilon", t.epsilon, "RMSprop epsilon (Keras: added to the square root)")
      ->check(xr::non_negative(1));
  app.add_option("--image-size", t.image_size, "Network input size (images are resized to it)")
      ->check(xr::in_range(75, 1024));
  app.add_option("--class-weights", t.class_weights, "Loss weights per class: none (the paper) or balanced")
      ->check(CLI::IsMember({"none", "balanced"}));
  app.add_option("--keep", t.keep, "Weights a run keeps: best (its best validation epoch) or last")
      ->check(CLI::IsMember({"best", "last"}));
  app.add_option("--cache-dir", t.cache_dir,
                 "Feature cache folder for the frozen base (default MODEL_DIR/cache; 'none': memory only)");
  app.add_option("--bn-momentum", t.bn_momentum,
                 "BatchNorm momentum as Keras counts it (the share of the moving statistics kept a step), or auto: "
                 "the architecture's own (keras 0.99, torchvision 0.9), lowered from random initialisation so "
                 "that the initial statistics fade within the run (at least 0.9)");
  app.add_option("--feature-batch", t.feature_batch, "Batch size of the feature pass and of evaluation")
      ->check(xr::in_range(1, 1 << 20));
}

void log_mode(const cls::TrainOptions& t) {
  if (t.random_base()) {
    xr::log::warn("--weights none: RANDOM INITIALISATION - the whole network (base and head) is trained "
                  "from scratch; there is no transfer learning in this model");
  } else if (t.fine_tune) {
    xr::log::info("--fine-tune: the whole network is trained, starting from " + t.weights);
  } else {
    xr::log::info("frozen base from " + t.weights + ": features computed once, the head is trained on them");
  }
}

int run(const Options& o, const xr::RunContext& context) {
  const xr::CommonOptions& common = context.common();
  const c10::Device device = xr::resolve_device(common.device);
  const cls::TrainOptions& t = o.train;
  if (!t.random_base() && !fs::exists(t.weights)) xr::fail_missing(t.weights, "no such weights file");
  // The model folder first: a second inc3-train on it is refused (73) before any work.
  const xr::FilledOutputDir out_folder(o.out_dir);  // removed again if nothing gets written
  const xr::FolderLock lock(o.out_dir, "inc3-train");

  // Data: every folder scanned and checked before any work.
  const cls::TrainData data = cls::load_train_data(o.train_dirs, o.val_dir, t.image_size);
  cls::log_class_counts(data);
  log_mode(t);
  t.batch_norm_keep(data.train_labels.size());  // a bad --bn-momentum is a usage error before any work
  const cls::BaseWeights weights = cls::read_base_weights(t);

  nlohmann::json options_json = context.effective_options();
  options_json["seed"] = std::to_string(common.seed);
  options_json["fine_tune_effective"] = t.trains_base();
  options_json["device"] = xr::describe_device(device);
  xr::write_file_atomic((fs::path(o.out_dir) / "options.json").string(), options_json.dump(2) + "\n");

  const cls::TrainOutcome outcome = cls::train_runs(t, data, weights, o.out_dir, common.seed, device);
  const cls::RunRecord& kept = outcome.runs[outcome.kept];

  nlohmann::json runs_json = nlohmann::json::array();
  for (const auto& r : outcome.runs) {
    const auto& s = r.kept();
    runs_json.push_back({{"run", r.run}, {"seed", std::to_string(r.seed)}, {"best_epoch", r.fit.best_epoch},
                         {"kept_epoch", r.fit.kept_epoch}, {"val_accuracy", s.val_accuracy},
                         {"val_loss", s.val_loss}, {"reused", r.reused}});
  }
  const nlohmann::json result = context.result_document(1, options_json,
                                                    {{"model", outcome.model_path},
                                                     {"classes", data.classes},
                                                     {"counts", cls::counts_json(data)},
                                                     {"base", t.random_base() ? "random init, trained"
                                                              : t.fine_tune   ? "pretrained, fine-tuned"
                                                                              : "pretrained, frozen"},
                                                     {"arch", t.arch},
                                                     {"fine_tuned", t.trains_base()},
                                                     {"kept_run", kept.run},
                                                     {"val_accuracy", kept.kept().val_accuracy},
                                                     {"runs", runs_json}});
  std::cout << result.dump(2) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return xr::run_tool<Options>(argc, argv, kInfo, add_options, run); }
