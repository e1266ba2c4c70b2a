#include "classify/train_runs.hpp"

#include <ATen/ATen.h>

#include <cmath>
#include <filesystem>

#include "classify/features.hpp"
#include "classify/head.hpp"
#include "classify/streams.hpp"
#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/errors.hpp"
#include "core/hash.hpp"
#include "core/log.hpp"
#include "core/rng.hpp"
#include "core/text.hpp"

namespace fs = std::filesystem;

namespace xr::classify {
namespace {

// The moving statistics a BatchNorm still holds from its initialisation (mean 0,
// variance 1) after a run, when this share is above it, make inference-mode results
// (validation, test) those of another network than the one trained: warn.
constexpr double kStaleStatisticsWarning = 0.05;

// What "auto" leaves of the initial moving statistics after a run from random
// initialisation, and the smallest share it keeps a step.
constexpr double kAutoStaleAfterRun = 0.01;
constexpr double kAutoMinKeep = 0.9;

// Says which share a BatchNorm trained from random initialisation keeps, and warns
// when its initial statistics outlast the run.
void report_batch_norm(const TrainOptions& o, size_t train_images) {
  if (!o.random_base()) return;  // pretrained moving statistics are meaningful ones
  const double keep = o.batch_norm_keep(train_images);
  const double steps = static_cast<double>(o.steps(train_images));
  const double stale = std::pow(keep, steps);
  if (o.bn_momentum == "auto" && keep != o.architecture_batch_norm_keep()) {
    xr::log::info("BatchNorm keeps " + format_fixed(keep, 3) + " of its moving statistics a step (--bn-momentum auto: " +
                  "from random initialisation, " + format_fixed(100 * stale, 0) + "% of the initial ones are left after " +
                  "this run's " + std::to_string(static_cast<long>(steps)) + " steps; the architecture's " +
                  format_fixed(o.architecture_batch_norm_keep(), 2) + " would leave " +
                  format_fixed(100 * std::pow(o.architecture_batch_norm_keep(), steps), 0) + "%)");
  }
  if (stale <= kStaleStatisticsWarning) return;
  xr::log::warn("BatchNorm keeps " + format_fixed(keep, 3) + " of its moving statistics a step: after this run's " +
                std::to_string(static_cast<long>(steps)) + " steps " + format_fixed(100 * stale, 0) +
                "% of them are still their initial values, so validation and test (inference mode) see "
                "another network than the one trained; use " +
                (keep > kAutoMinKeep ? std::string("--bn-momentum 0.9 or ") : std::string()) + "more epochs");
}

// The options that do not change a run's result: how many runs there are, where
// features are cached, and the batch of inference-mode feature passes.
const char* const kOutsideRunKey[] = {"runs", "cache_dir", "feature_batch"};

}  // namespace

// The thread count and the device belong to the key: LibTorch's CPU kernels split
// their sums over the threads, so another count gives other last bits and, over an
// epoch, other weights (measured: 476 of 572 tensors differ between --threads 1 and 2).
nlohmann::json run_key_inputs(nlohmann::json options, const RunKeyFacts& f) {
  for (const char* name : kOutsideRunKey) options.erase(name);
  // Options recorded by their effect rather than their spelling: the weights by the
  // file's bytes, fine_tune as implied by weights "none", the BatchNorm momentum as
  // the share it resolves to.
  options["weights"] = f.weights_key;
  options["fine_tune"] = f.trains_base;
  options.erase("bn_momentum");
  options["bn_keep"] = f.bn_keep;
  options["data"] = f.data_key;
  options["seed"] = std::to_string(f.seed);
  options["threads"] = f.threads;
  options["device"] = f.device;
  options["version"] = XR_VERSION;
  return options;
}

namespace {

// The frozen base's features of every training folder (merged) and of the
// validation folder, computed once and shared by every run.
struct FrozenFeatures {
  at::Tensor train, val;
};

FrozenFeatures frozen_features(const TrainOptions& o, const TrainData& data, const xr::nn::Safetensors& weights,
                               const std::string& weights_key, const std::string& cache_dir,
                               const c10::Device& device) {
  Inc3Classifier frozen(static_cast<int64_t>(data.classes.size()), o.image_size, o.base_arch());
  load_base_weights(*frozen->base, weights, o.weights);
  frozen->to(device);
  std::vector<at::Tensor> parts;
  for (size_t i = 0; i < data.train.size(); ++i) {
    parts.push_back(cached_base_features(*frozen->base, data.train[i].pixels, data.train[i].rel, o.image_size,
                                         weights_key, cache_dir, device, o.feature_batch,
                                         "features " + data.train_roots[i]));
  }
  FrozenFeatures f;
  f.train = at::cat(parts, 0);
  f.val = cached_base_features(*frozen->base, data.val.pixels, data.val.rel, o.image_size, weights_key, cache_dir,
                               device, o.feature_batch, "features " + data.val_root);
  return f;
}

FitOptions fit_options(const TrainOptions& o, const std::vector<double>& class_weights, uint64_t run_seed,
                       const std::string& label) {
  FitOptions fo;
  fo.epochs = o.epochs;
  fo.batch = o.batch;
  fo.eval_batch = o.feature_batch;
  fo.rmsprop = {o.lr, o.rho, o.epsilon};
  fo.class_weights = class_weights;
  fo.seed = run_stream_seed(run_seed, RunStream::kEpochShuffle);
  fo.keep_best = o.keep == "best";
  fo.label = label;
  fo.avoid_single_batch = o.trains_base();
  return fo;
}

// The kept run as a whole model: a whole-model run file as it is, a head-only one
// on top of the frozen base weights.
void write_kept_model(const TrainOptions& o, const TrainData& data, const xr::nn::Safetensors& weights,
                      const RunRecord& kept, size_t run_count, const std::string& kept_path,
                      const std::string& model_path) {
  ModelInfo info = training_model_info(data.classes, o.image_size, o.base_arch(), o.weights, o.trains_base());
  info.extra["run"] = std::to_string(kept.run);
  info.extra["seed"] = std::to_string(kept.seed);
  info.extra["kept_epoch"] = std::to_string(kept.fit.kept_epoch);
  info.extra["val_accuracy"] = xr::format_number(kept.kept().val_accuracy);
  info.extra["runs"] = std::to_string(run_count);
  Inc3Classifier model{nullptr};
  if (o.trains_base()) {
    model = load_model(kept_path).model;
  } else {
    model = Inc3Classifier(static_cast<int64_t>(data.classes.size()), o.image_size, o.base_arch());
    load_base_weights(*model->base, weights, o.weights);
    load_head(*model, xr::nn::read_safetensors(kept_path), kept_path);
  }
  info.head = describe_head(*model->head);
  save_model(model_path, *model, info);
}

}  // namespace

nlohmann::json TrainOptions::to_json() const {
  return {{"arch", arch},
          {"weights", weights},
          {"fine_tune", fine_tune},
          {"runs", runs},
          {"epochs", epochs},
          {"batch", batch},
          {"lr", lr},
          {"rho", rho},
          {"epsilon", epsilon},
          {"image_size", image_size},
          {"class_weights", class_weights},
          {"keep", keep},
          {"cache_dir", cache_dir},
          {"feature_batch", feature_batch},
          {"bn_momentum", bn_momentum}};
}

double TrainOptions::architecture_batch_norm_keep() const {
  return base_arch() == xr::nn::InceptionArch::kKeras ? 0.99 : 0.9;
}

int64_t TrainOptions::steps(size_t train_images) const {
  return static_cast<int64_t>((train_images + batch - 1) / batch) * epochs;
}

double TrainOptions::batch_norm_keep(size_t train_images) const {
  if (bn_momentum == "auto") {
    const double own = architecture_batch_norm_keep();
    if (!random_base()) return own;  // pretrained moving statistics are meaningful ones
    const auto run_steps = static_cast<double>(std::max<int64_t>(1, steps(train_images)));
    const double fades = std::pow(kAutoStaleAfterRun, 1.0 / run_steps);
    return std::min(own, std::max(kAutoMinKeep, fades));
  }
  double v = std::nan("");
  try {
    size_t used = 0;
    v = std::stod(bn_momentum, &used);
    if (used != bn_momentum.size()) v = std::nan("");
  } catch (const std::exception&) {
  }
  if (!(v >= 0.0 && v < 1.0)) fail_usage("--bn-momentum: 'auto' or a number in [0, 1) (" + bn_momentum + ")");
  return v;
}

BaseWeights read_base_weights(const TrainOptions& o) {
  BaseWeights w;
  w.key = "none";
  if (o.random_base()) return w;
  w.key = short_key(sha256_file(o.weights));
  w.file = xr::nn::read_safetensors(o.weights);
  check_base_weights_arch(w.file, o.weights, o.base_arch());
  return w;
}

TrainOutcome train_runs(const TrainOptions& o, const TrainData& data, const BaseWeights& weights,
                        const std::string& model_dir, uint64_t seed, const c10::Device& device) {
  xr::remove_stale_temporaries(model_dir);  // a killed earlier call's half-written run file
  const int k = static_cast<int>(data.classes.size());
  const bool fine_tune = o.trains_base();
  const std::string& weights_key = weights.key;
  const xr::nn::Safetensors& weights_file = weights.file;

  std::vector<double> class_weights;
  if (o.class_weights == "balanced") {
    class_weights = balanced_class_weights(data.train_labels, k);
    std::string w;
    for (int c = 0; c < k; ++c) w += (c ? ", " : "") + data.classes[c] + " " + format_fixed(class_weights[c], 3);
    xr::log::info("balanced class weights: " + w);
  }

  const std::string cache_dir =
      o.cache_dir == "none" ? "" : o.cache_dir.empty() ? (fs::path(model_dir) / "cache").string() : o.cache_dir;
  FrozenFeatures frozen;
  if (!fine_tune) frozen = frozen_features(o, data, weights_file, weights_key, cache_dir, device);
  const at::Tensor train_pixels = fine_tune ? data.merged_train_pixels() : at::Tensor();
  if (fine_tune) report_batch_norm(o, data.train_labels.size());

  TrainOutcome out;
  for (int r = 1; r <= o.runs; ++r) {
    RunRecord rec;
    rec.run = r;
    rec.seed = classify::run_seed(seed, r);
    const std::string key = run_key(run_key_inputs(
        o.to_json(), {data.key, weights_key, rec.seed, o.trains_base(), o.batch_norm_keep(data.train_labels.size()),
                      at::get_num_threads(), device.str()}));
    const std::string run_path = run_file_path(model_dir, r);
    const std::string label = "run " + std::to_string(r) + "/" + std::to_string(o.runs);
    if (reuse_run(run_path, key, rec)) {
      xr::log::info(label + ": finished earlier with the same options, reused (" + run_path + ")");
      out.runs.push_back(rec);
      continue;
    }
    torch::manual_seed(rec.seed);
    const FitOptions fo = fit_options(o, class_weights, rec.seed, label);
    auto on_epoch = [&](const EpochStats& s) {
      xr::log::info(label + " epoch " + std::to_string(s.epoch) + "/" + std::to_string(o.epochs) + ": loss " +
                    format_fixed(s.train_loss) + " acc " + format_fixed(s.train_accuracy) + "  val_loss " +
                    format_fixed(s.val_loss) + " val_acc " + format_fixed(s.val_accuracy));
    };
    ModelInfo info = training_model_info(data.classes, o.image_size, o.base_arch(), o.weights, fine_tune);
    info.extra["run"] = std::to_string(r);
    info.extra["seed"] = std::to_string(rec.seed);
    info.extra["run_key"] = key;
    info.extra["threads"] = std::to_string(at::get_num_threads());
    if (fine_tune) {
      Inc3Classifier model(k, o.image_size, o.base_arch());
      const double bn_keep = o.batch_norm_keep(data.train_labels.size());
      model->base->set_batch_norm_keep(bn_keep);
      info.extra["bn_keep"] = xr::format_number(bn_keep);  // what "auto" chose, for the reader of the model
      if (o.random_base()) {
        model->initialise();
      } else {
        load_base_weights(*model->base, weights_file, o.weights);
      }
      model->to(device);
      info.head = describe_head(*model->head);
      rec.fit = fit(
          *model,
          [&](bool val, const std::vector<int64_t>& idx) {
            const at::Tensor& px = val ? data.val.pixels : train_pixels;
            const at::Tensor sel = px.index_select(0, at::tensor(idx, at::kLong)).to(device);
            return model->forward(xr::nn::prepare_input(sel, xr::nn::InputStyle::kKeras, o.image_size));
          },
          data.train_labels, data.val_labels(), fo, on_epoch);
      info.extra["run_result"] = fit_to_json(rec.fit).dump();
      model->to(at::kCPU);
      save_model(run_path, *model, info);
    } else {
      ClassifierHead head(frozen.train.size(1), k);  // Keras' Dense init, from the run's seed
      head->to(device);
      info.head = describe_head(*head);
      rec.fit = fit(
          *head,
          [&](bool val, const std::vector<int64_t>& idx) {
            const at::Tensor& f = val ? frozen.val : frozen.train;
            return head->forward(f.index_select(0, at::tensor(idx, at::kLong)).to(device));
          },
          data.train_labels, data.val_labels(), fo, on_epoch);
      info.extra["run_result"] = fit_to_json(rec.fit).dump();
      info.extra["contents"] = kHeadOnlyContents;  // the base is model.safetensors' (frozen, shared by every run)
      head->to(at::kCPU);
      save_head(run_path, *head, info);
    }
    out.runs.push_back(rec);
  }

  out.kept = best_run(out.runs);
  const RunRecord& kept = out.runs[out.kept];
  out.model_path = model_file_path(model_dir);
  write_kept_model(o, data, weights_file, kept, out.runs.size(), run_file_path(model_dir, kept.run), out.model_path);
  write_run_tables(model_dir, out.runs, out.kept);
  xr::log::info("kept run " + std::to_string(kept.run) + " (val accuracy " + format_fixed(kept.kept().val_accuracy) +
                ", epoch " + std::to_string(kept.fit.kept_epoch) + ")");
  return out;
}

}  // namespace xr::classify
