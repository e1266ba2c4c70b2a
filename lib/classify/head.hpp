// The paper's classification head on top of Inception-v3's feature map:
// Flatten -> Dense 10 ELU -> Dense 20 ELU -> Dense n_classes (softmax in the loss).
// Keras' Flatten of a channels-last map orders the values (row, column, channel):
// flatten_channels_last() reproduces that order from LibTorch's [N, C, H, W].
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

#include <string>

namespace xr::classify {

// [N, C, H, W] -> [N, H*W*C] in Keras' (channels-last) Flatten order.
torch::Tensor flatten_channels_last(const torch::Tensor& feature_map);

struct ClassifierHeadImpl : torch::nn::Module {
  ClassifierHeadImpl(int64_t in_features, int64_t num_classes);
  // x: [N, in_features] (already flattened) -> logits [N, num_classes].
  torch::Tensor forward(const torch::Tensor& x);
  // Keras' Dense defaults: Glorot-uniform kernels, zero biases (torch::manual_seed first).
  void reset_keras();

  int64_t in_features, num_classes;
  torch::nn::Linear dense1{nullptr}, dense2{nullptr}, logits{nullptr};
};
TORCH_MODULE(ClassifierHead);

// "Flatten(8192) -> Dense 10 ELU -> Dense 20 ELU -> Dense 3 softmax", for the model metadata.
std::string describe_head(const ClassifierHeadImpl& head);

}  // namespace xr::classify
