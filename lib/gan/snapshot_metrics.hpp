// The KID and FID of every snapshot, per class and their mean, beside the
// real-vs-real floors (stylegan2-ada-pytorch's metric_main.py): the feature space they
// are measured in.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <memory>
#include <string>
#include <vector>

#include "gan/networks.hpp"
#include "gan/options.hpp"
#include "gan/run_options.hpp"
#include "gan/train_data.hpp"
#include "metrics/class_distance.hpp"
#include "metrics/feature_extractor.hpp"

namespace xr::gan {

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
  std::shared_ptr<metrics::FeatureExtractor> extractor;  // the network behind `features`, if any
};

// The metrics gan-train's settings ask for: none for metric_features "none", else the
// feature network they name and the features of the training and validation images
// (cached in cache_dir: "auto" ~/.cache/xr-toolkit, "none" no cache, else a folder).
MetricSetup metric_setup(const RunSettings& s, const std::string& cache_dir, const RunData& data,
                         const c10::Device& device, uint64_t seed);

// One metrics.jsonl line per snapshot: the KID and FID of generated images per class
// (as many as the class's real images, or o.metric_samples) against the class's
// training images, and with a validation split against those too, each beside its
// real-vs-real floor.
class SnapshotMetrics {
 public:
  // setup, data and o must outlive this; setup.features must be set.
  SnapshotMetrics(const MetricSetup& setup, const TrainData& data, const TrainOptions& o);

  // The real features per class and the floors, logged. Once a process: the floors
  // follow --kid-subsets, which a resume may change, so they are not resume state.
  void prepare();

  // The metrics line of `snapshot` (file name) of g_ema after cur_nimg images; its
  // generated images come from the evaluation streams of the seed and cur_nimg.
  nlohmann::json evaluate(Generator& g_ema, const std::string& snapshot, int64_t cur_nimg);

 private:
  metrics::KidSettings kid_settings() const { return {o_.kid_subsets, o_.kid_subset_size, o_.seed}; }

  const MetricSetup& setup_;
  const TrainData& data_;
  const TrainOptions& o_;
  std::vector<torch::Tensor> real_features_;  // per class
  std::vector<torch::Tensor> val_features_;   // per class; empty without a validation split
  // The real-vs-real floors (per class and "mean"), computed once: they do not change.
  nlohmann::json kid_floor_, fid_floor_, kid_val_floor_, fid_val_floor_;
};

// The "mean" of a metrics line's key ("kid", "fid_val_floor", ...); NaN when null.
double snapshot_mean(const nlohmann::json& line, const char* key);

// The line gan-train logs for a metrics line.
std::string describe_snapshot_metrics(const nlohmann::json& line);

}  // namespace xr::gan
