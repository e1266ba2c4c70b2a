#include "gan/adam.hpp"

#include <cmath>

#include "core/errors.hpp"

namespace xr::gan {

Adam::Adam(std::vector<torch::Tensor> params, double lr, double beta1, double beta2, double eps)
    : params_(std::move(params)), lr_(lr), beta1_(beta1), beta2_(beta2), eps_(eps) {
  for (const auto& p : params_) {
    m_.push_back(torch::zeros_like(p));
    v_.push_back(torch::zeros_like(p));
  }
  steps_.assign(params_.size(), 0);
}

void Adam::zero_grad() {
  for (auto& p : params_) p.mutable_grad() = torch::Tensor();
}

void Adam::step() {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < params_.size(); ++i) {
    torch::Tensor& p = params_[i];
    if (!p.grad().defined()) continue;
    const torch::Tensor g = torch::nan_to_num(p.grad(), 0.0, 1e5, -1e5);
    const int64_t t = ++steps_[i];
    m_[i].mul_(beta1_).add_(g, 1 - beta1_);
    v_[i].mul_(beta2_).addcmul_(g, g, 1 - beta2_);
    const double bc1 = 1 - std::pow(beta1_, static_cast<double>(t));
    const double bc2 = 1 - std::pow(beta2_, static_cast<double>(t));
    const torch::Tensor denom = (v_[i].sqrt() / std::sqrt(bc2)).add_(eps_);
    p.addcdiv_(m_[i], denom, -lr_ / bc1);
  }
}

void Adam::save(std::map<std::string, torch::Tensor>& out, const std::string& prefix) const {
  for (size_t i = 0; i < params_.size(); ++i) {
    out[prefix + "m." + std::to_string(i)] = m_[i];
    out[prefix + "v." + std::to_string(i)] = v_[i];
  }
  out[prefix + "step"] = torch::tensor(steps_, torch::kLong);
}

void Adam::load(const std::map<std::string, torch::Tensor>& in, const std::string& prefix) {
  torch::NoGradGuard no_grad;
  auto get = [&](const std::string& name) -> const torch::Tensor& {
    auto it = in.find(prefix + name);
    if (it == in.end()) throw Error(Exit::kDataErr, "", "resume state lacks " + prefix + name);
    return it->second;
  };
  for (size_t i = 0; i < params_.size(); ++i) {
    const torch::Tensor& m = get("m." + std::to_string(i));
    const torch::Tensor& v = get("v." + std::to_string(i));
    if (!m.sizes().equals(m_[i].sizes()) || !v.sizes().equals(v_[i].sizes())) {
      throw Error(Exit::kDataErr, "", "resume state: " + prefix + std::to_string(i) + " has the wrong shape");
    }
    m_[i].copy_(m);
    v_[i].copy_(v);
  }
  const torch::Tensor s = get("step").to(torch::kLong).contiguous();
  if (s.numel() != static_cast<int64_t>(steps_.size())) {
    throw Error(Exit::kDataErr, "", "resume state: " + prefix + "step has the wrong length");
  }
  for (size_t i = 0; i < steps_.size(); ++i) steps_[i] = s[i].item<int64_t>();
}

}  // namespace xr::gan
