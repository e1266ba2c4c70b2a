#include "classify/keras_rmsprop.hpp"

#include <ATen/ATen.h>
#include <torch/utils.h>

namespace xr::classify {

KerasRmsprop::KerasRmsprop(std::vector<at::Tensor> params, RmspropOptions options)
    : params_(std::move(params)), options_(options) {
  for (const auto& p : params_) rms_.push_back(at::zeros_like(p));
}

void KerasRmsprop::zero_grad() {
  for (auto& p : params_) {
    if (p.grad().defined()) p.mutable_grad() = at::Tensor();
  }
}

void KerasRmsprop::step() {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < params_.size(); ++i) {
    const at::Tensor& g = params_[i].grad();
    if (!g.defined()) continue;
    rms_[i].mul_(options_.rho).addcmul_(g, g, 1.0 - options_.rho);
    params_[i].addcdiv_(g, rms_[i].sqrt().add_(options_.epsilon), -options_.lr);
  }
}

}  // namespace xr::classify
