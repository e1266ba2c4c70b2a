#include "classify/head.hpp"

#include <torch/nn/functional/activation.h>
#include <torch/nn/init.h>

namespace xr::classify {

torch::Tensor flatten_channels_last(const torch::Tensor& feature_map) {
  return feature_map.permute({0, 2, 3, 1}).reshape({feature_map.size(0), -1});
}

ClassifierHeadImpl::ClassifierHeadImpl(int64_t in_features_, int64_t num_classes_)
    : in_features(in_features_), num_classes(num_classes_) {
  dense1 = register_module("dense1", torch::nn::Linear(in_features, 10));
  dense2 = register_module("dense2", torch::nn::Linear(10, 20));
  logits = register_module("logits", torch::nn::Linear(20, num_classes));
  reset_keras();
}

void ClassifierHeadImpl::reset_keras() {
  torch::NoGradGuard no_grad;
  for (auto* layer : {&dense1, &dense2, &logits}) {
    torch::nn::init::xavier_uniform_((*layer)->weight);
    torch::nn::init::zeros_((*layer)->bias);
  }
}

torch::Tensor ClassifierHeadImpl::forward(const torch::Tensor& x) {
  auto h = torch::elu(dense1->forward(x));
  h = torch::elu(dense2->forward(h));
  return logits->forward(h);
}

std::string describe_head(const ClassifierHeadImpl& head) {
  return "Flatten(" + std::to_string(head.in_features) + ") -> Dense 10 ELU -> Dense 20 ELU -> Dense " +
         std::to_string(head.num_classes) + " softmax";
}

}  // namespace xr::classify
