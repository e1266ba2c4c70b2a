// inc3-train's work between parsing and printing: --runs independent runs of the
// classifier (a frozen base with the head trained on cached features, or the whole
// network), each reused when an earlier invocation finished it with the same key,
// then the kept run (classify/runs.hpp) written as MODEL_DIR/model.safetensors.
#pragma once
#include <c10/core/Device.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "classify/runs.hpp"
#include "classify/train_data.hpp"

namespace xr::classify {

struct TrainOptions {
  std::string arch = "keras";    // the base: keras (the paper's) or torchvision
  std::string weights = "none";  // a safetensors file of base weights, or "none"
  bool fine_tune = false;        // train the base too (implied by weights "none")
  int runs = 5;
  int epochs = 11;
  int batch = 32;
  double lr = 1e-3;
  double rho = 0.9;
  double epsilon = 1e-7;
  int image_size = 128;
  std::string class_weights = "none";  // none | balanced
  std::string keep = "best";           // best | last
  std::string cache_dir;               // "" : MODEL_DIR/cache; "none": memory only
  int feature_batch = 32;
  // BatchNorm momentum in Keras' sense (the share of the moving statistics kept a
  // step), or "auto" (batch_norm_keep).
  std::string bn_momentum = "auto";

  xr::nn::InceptionArch base_arch() const { return xr::nn::parse_arch(arch); }
  // The share of its moving statistics a BatchNorm keeps a step, for a run on
  // `train_images` images. An explicit --bn-momentum as given (kUsage unless in
  // [0, 1)). "auto": the architecture's own (keras 0.99, torchvision 0.9), except
  // from random initialisation, where the initial statistics (mean 0, variance 1)
  // must fade within the run's steps: then at most the share that leaves 1% of them
  // after the last step, and at least 0.9 (PyTorch's default) so that the statistics
  // still average over some ten steps. 450 images, batch 32, 5 epochs: 0.940, not
  // 0.99 (which leaves 47% initial, and a classifier at chance in inference).
  double batch_norm_keep(size_t train_images) const;
  // The architecture's own share (what "auto" is whenever the base is pretrained).
  double architecture_batch_norm_keep() const;
  int64_t steps(size_t train_images) const;  // minibatches in a run
  bool random_base() const { return weights == "none"; }
  bool trains_base() const { return fine_tune || random_base(); }
  // Every member above, by name: the run key is made from it (run_key_inputs), so an
  // option missing here would let runs trained with another value be reused.
  nlohmann::json to_json() const;
};

// What a run's key records besides the training options.
struct RunKeyFacts {
  std::string data_key;     // TrainData::key: the images' bytes and classes
  std::string weights_key;  // BaseWeights::key
  uint64_t seed = 0;        // the run's own seed
  bool trains_base = false;
  double bn_keep = 0;       // TrainOptions::batch_norm_keep for the training images
  int threads = 0;
  std::string device;
};

// The inputs of a run's key (run_key): `options` (TrainOptions::to_json) without the
// options that cannot change a run's result (runs, cache_dir, feature_batch), those
// that can by their effect (weights by their bytes, fine_tune as trained, bn_momentum
// as bn_keep), then the facts. Any other option, a future one included, is in the key
// as it is.
nlohmann::json run_key_inputs(nlohmann::json options, const RunKeyFacts& facts);

// The base weights a training starts from, read and checked (safetensors, of the
// architecture asked for) before any output is written; "none": empty, key "none".
struct BaseWeights {
  xr::nn::Safetensors file;
  std::string key;  // hash of the file's bytes: part of every run key
};
BaseWeights read_base_weights(const TrainOptions& options);

struct TrainOutcome {
  std::vector<RunRecord> runs;
  size_t kept = 0;  // index into runs
  std::string model_path;
};

// Trains (or reuses) every run into `model_dir` (which must exist), writes
// model.safetensors, runs.csv and history.csv. `seed` is the tool's --seed.
// Progress and per-epoch lines go to the log.
TrainOutcome train_runs(const TrainOptions& options, const TrainData& data, const BaseWeights& weights,
                        const std::string& model_dir, uint64_t seed, const c10::Device& device);

}  // namespace xr::classify
