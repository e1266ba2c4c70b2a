// The training and validation images of inc3-train: several --train folders merged
// (real + classical or GAN images), one --val folder, all checked to share one class
// list with images in every class, loaded as 8-bit gray at the network's input size.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/image_batch.hpp"

namespace xr::classify {

struct TrainData {
  std::vector<std::string> classes;
  std::vector<std::string> train_roots;  // the --train folders as given
  std::string val_root;                  // the --val folder as given
  std::vector<ImageBatch> train;   // one batch per --train folder
  ImageBatch val;
  std::vector<int64_t> train_labels;  // merged, in folder order
  std::string key;                    // hash of every image and label (hex)

  const std::vector<int64_t>& val_labels() const { return val.labels; }
  at::Tensor merged_train_pixels() const;
  std::vector<std::vector<int64_t>> train_counts() const;  // [folder][class]
  std::vector<int64_t> val_counts() const;
};

// kNoInput for a missing folder; kDataErr for a class list that differs between
// folders (naming both), a class with no images, an unreadable image.
TrainData load_train_data(const std::vector<std::string>& train_dirs, const std::string& val_dir, int image_size);

// Per class: train (per folder and total) and val counts on stderr, with a
// warning when the classes are imbalanced by more than 1.5x.
void log_class_counts(const TrainData& data);
nlohmann::json counts_json(const TrainData& data);

}  // namespace xr::classify
