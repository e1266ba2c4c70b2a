// The KID and FID of every snapshot, per class and their mean, beside the
// real-vs-real floors (stylegan2-ada-pytorch's metric_main.py): the feature space they
// are measured in.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gan/run_options.hpp"
#include "gan/train_data.hpp"
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

}  // namespace xr::gan
