// The StyleGAN2-ADA training loop (stylegan2-ada-pytorch's training_loop.py and
// loss.py): phases G main, G path-length (every 4 minibatches), D main, D R1 (every
// 16), Adam with the lazy-regularisation correction, generator EMA, ADA, one JSON
// line of statistics per tick, snapshots with image grids and KID/FID, and a resume
// that continues exactly (images seen, augmentation strength, optimiser states, EMA,
// random streams: every minibatch draws from generators seeded by (seed, minibatch)).
// Every snapshot's KID/FID stands beside its real-vs-real floor (metrics/floor.hpp),
// and, with a validation split, beside the same metrics against it.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gan/augment.hpp"
#include "gan/networks.hpp"

namespace xr::gan {

enum class AugMode { kAda, kNoAug, kFixed };
AugMode parse_aug_mode(const std::string& s);  // "ada" | "noaug" | "fixed", kUsage otherwise
std::string aug_mode_name(AugMode m);

struct TrainOptions {
  NetConfig net;  // resolution and c_dim come from the data
  int batch = 32;
  double gamma = 1.024;  // R1 weight (the paper's figure; the reference's auto value here is 0.1024)
  double glr = 0.0025, dlr = 0.0025;
  double beta1 = 0.0, beta2 = 0.99;
  int r1_interval = 16, pl_interval = 4;
  double pl_weight = 2.0, pl_decay = 0.01;
  int pl_batch_shrink = 2;
  double style_mixing = 0.9;
  double ema_kimg = 10.0, ema_rampup = 0.05;
  AugMode aug = AugMode::kAda;
  double p = 0.0;        // initial (ada) or constant (fixed) augmentation probability
  double target = 0.6;   // ADA target for E[sign(D(real))]
  int ada_interval = 4;
  double ada_kimg = 500;
  double kimg = 25000;   // total training length, thousands of real images shown
  double tick_kimg = 4;  // statistics every tick
  int snap = 50;         // snapshot every `snap` ticks (and at the end)
  int grid_cols = 8;
  int metric_samples = 0;  // generated images per class for KID/FID (0: as many as real)
  int kid_subsets = 100, kid_subset_size = 1000;
  // Which KID picks best.safetensors: "train" (the paper's: the training split) or
  // "val" (the validation split, MetricSetup::val_features). Recorded in every snapshot.
  std::string select_on = "train";
  // Reduced precision of the num_fp16_res highest-resolution blocks: auto (fp16 on
  // CUDA as the reference, fp32 elsewhere) | fp16 | bf16 | fp32. train() records the
  // resolved name in the snapshots.
  std::string precision = "auto";
  bool tf32 = false;  // TF32 matrix products and convolutions on CUDA (the reference: off)
  // The path-length mean's gradient: the reference lets it through (false); true
  // detaches it, as this project did before (and as runs without the key did).
  bool pl_detach_mean = false;
  uint64_t seed = 0;

  nlohmann::json to_json() const;
  void validate() const;  // kUsage naming the bad option
};

struct TrainData {
  std::string root;
  std::vector<std::string> classes;
  torch::Tensor pixels;         // [N, 1, R, R] uint8
  std::vector<int64_t> labels;  // class index per image
};

// Features of 8-bit images [N, 1, H, W] -> [N, D] (CPU float), for KID and FID.
using FeatureFn = std::function<torch::Tensor(const torch::Tensor& images_u8)>;

struct MetricSetup {
  FeatureFn features;           // empty: no metrics
  torch::Tensor real_features;  // [N, D] in data order; undefined: computed with `features`
  std::string name;             // recorded in metrics.jsonl
  // A validation split (undefined: none): features [N_val, D] and, per row, the index
  // of its class in the training data's class list; every class has >= 2 rows.
  torch::Tensor val_features;
  std::vector<int64_t> val_labels;
};

// A validation split for the snapshot metrics: the training data's classes (by name,
// whatever order the folder gives them), at least 2 images each, the training
// images' size. pixels [N, 1, R, R] uint8 in the folder's order; labels are indices
// into train.classes. kNoInput when missing, kDataErr naming the folder or file
// otherwise.
struct ValData {
  std::string root;
  torch::Tensor pixels;
  std::vector<int64_t> labels;
  std::vector<int> counts;  // per training class
};
ValData load_validation_data(const std::string& root, const TrainData& train);

struct TrainResult {
  int64_t nimg = 0;
  std::string last_snapshot;  // file name in the run folder
  std::string best_snapshot;
  double best_kid = std::numeric_limits<double>::quiet_NaN();  // on the split of select_on
};

// Written into the run folder when a loss becomes NaN/Inf: {"reason", "nimg",
// "last_snapshot"}. While it is there, gan-train --resume may change the options that
// tame a diverging run (the learning rates and R1 gamma); training removes it when it
// starts again (a new stop writes it again).
inline constexpr const char* kNonFiniteStopFile = "stopped-non-finite.json";

// Trains into run_dir (which must exist). With resume, continues from
// run_dir/resume.safetensors. features may be empty: no metrics, and best is the
// latest snapshot. Throws xr::Error(kSoftware) when a loss becomes NaN/Inf (the last
// good snapshot and resume state stay, and kNonFiniteStopFile says where it stopped),
// kUsage when select_on is "val" without metrics or validation features.
TrainResult train(const TrainOptions& o, const TrainData& data, const torch::Device& device,
                  const std::string& run_dir, bool resume, const MetricSetup& metrics = {});

// Loads an image folder for training: one square power-of-two size, >= 2 classes,
// every class non-empty. kDataErr (65) otherwise, kNoInput (66) when missing.
TrainData load_training_data(const std::string& root);

}  // namespace xr::gan
