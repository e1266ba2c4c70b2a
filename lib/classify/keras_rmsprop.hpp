// RMSprop exactly as Keras (TensorFlow 2 optimizer_v2, momentum 0, not centered)
// applies it: rms = rho*rms + (1-rho)*g^2; w -= lr * g / (sqrt(rms) + epsilon),
// epsilon OUTSIDE the square root, rms starting at 0. (TensorFlow's fused
// ApplyRMSProp kernel, used only with momentum > 0, puts it inside.) Defaults are
// Keras': lr 0.001, rho 0.9, epsilon 1e-7.
#pragma once
#include <ATen/core/Tensor.h>

#include <vector>

namespace xr::classify {

struct RmspropOptions {
  double lr = 1e-3;
  double rho = 0.9;
  double epsilon = 1e-7;
};

class KerasRmsprop {
 public:
  KerasRmsprop(std::vector<at::Tensor> params, RmspropOptions options = {});
  void zero_grad();
  void step();  // parameters without a gradient are left alone
  const std::vector<at::Tensor>& rms() const { return rms_; }

 private:
  std::vector<at::Tensor> params_;
  std::vector<at::Tensor> rms_;
  RmspropOptions options_;
};

}  // namespace xr::classify
