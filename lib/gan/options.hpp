// gan-train's training options (stylegan2-ada-pytorch's train.py and the
// training_loop.py arguments it sets): their defaults, validation and JSON form,
// the record every snapshot and options.json carry.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

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
  // Reads to_json's form back; grid_cols, not recorded, keeps its default. Keys a run
  // from before them lacks take the behaviour it had: pl_detach_mean true, select_on
  // "train". Throws nlohmann::json::exception for a missing or mistyped key (the
  // caller names the file).
  static TrainOptions from_json(const nlohmann::json& j);
  void validate() const;  // kUsage naming the bad option
};

}  // namespace xr::gan
