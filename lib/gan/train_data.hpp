// The images a GAN trains on and the validation split its snapshots are measured
// against (stylegan2-ada-pytorch's dataset.py): checked and decoded at once.
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

namespace xr::gan {

struct TrainData {
  std::string root;
  std::vector<std::string> classes;
  torch::Tensor pixels;         // [N, 1, R, R] uint8
  std::vector<int64_t> labels;  // class index per image
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

// Loads an image folder for training: one square power-of-two size, >= 2 classes,
// every class non-empty. kDataErr (65) otherwise, kNoInput (66) when missing.
TrainData load_training_data(const std::string& root);

}  // namespace xr::gan
