// Adam as torch.optim.Adam computes it (per-parameter step counts, bias correction,
// eps outside the square root), with state that is plain named tensors so that a
// resume restores it exactly. Gradients are sanitised first as the reference does
// (NaN -> 0, +-Inf -> +-1e5).
#pragma once
#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

namespace xr::gan {

class Adam {
 public:
  Adam() = default;
  Adam(std::vector<torch::Tensor> params, double lr, double beta1, double beta2, double eps = 1e-8);
  void zero_grad();  // sets gradients to none
  void step();       // parameters without a gradient are left alone
  double lr() const { return lr_; }
  double beta1() const { return beta1_; }
  double beta2() const { return beta2_; }

  // "<prefix>m.<i>", "<prefix>v.<i>", "<prefix>step" (int64 [n_params]).
  void save(std::map<std::string, torch::Tensor>& out, const std::string& prefix) const;
  void load(const std::map<std::string, torch::Tensor>& in, const std::string& prefix);

 private:
  std::vector<torch::Tensor> params_, m_, v_;
  std::vector<int64_t> steps_;
  double lr_ = 0, beta1_ = 0, beta2_ = 0, eps_ = 1e-8;
};

}  // namespace xr::gan
