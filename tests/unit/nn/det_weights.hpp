// Deterministic weights and inputs shared with tests/golden/nn/make_inception_golden.py:
// every value is a function of (tensor name, element index), so the goldens need no
// committed weights. Keep the two in step.
#pragma once
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <string>
#include <vector>

#include "nn/safetensors.hpp"

namespace xr::nn::testing {

inline uint64_t fnv1a64(const std::string& s) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001B3ull;
  return h;
}

// n values in [0,1): splitmix64(fnv1a64(name) + (i+1) * gamma), top 24 bits / 2^24.
inline std::vector<double> det_uniform(const std::string& name, int64_t n) {
  std::vector<double> u(static_cast<size_t>(n));
  const uint64_t seed = fnv1a64(name);
  for (int64_t i = 0; i < n; ++i) {
    uint64_t z = seed + static_cast<uint64_t>(i + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z = z ^ (z >> 31);
    u[static_cast<size_t>(i)] = static_cast<double>(z >> 40) / 16777216.0;
  }
  return u;
}

inline bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

inline torch::Tensor det_values(const std::string& name, torch::IntArrayRef shape) {
  if (ends_with(name, "num_batches_tracked")) return torch::zeros(shape, torch::kLong);
  int64_t n = 1;
  for (auto d : shape) n *= d;
  auto u = det_uniform(name, n);
  std::vector<float> v(u.size());
  if (ends_with(name, "running_var") || (ends_with(name, ".weight") && shape.size() == 1)) {
    for (size_t i = 0; i < u.size(); ++i) v[i] = static_cast<float>(0.8 + 0.4 * u[i]);
  } else if (ends_with(name, ".weight")) {
    int64_t fan_in = 1;
    for (size_t d = 1; d < shape.size(); ++d) fan_in *= shape[d];
    const double bound = std::sqrt(6.0 / static_cast<double>(fan_in));
    for (size_t i = 0; i < u.size(); ++i) v[i] = static_cast<float>((2.0 * u[i] - 1.0) * bound);
  } else {
    for (size_t i = 0; i < u.size(); ++i) v[i] = static_cast<float>((2.0 * u[i] - 1.0) * 0.1);
  }
  return torch::from_blob(v.data(), shape, torch::kFloat).clone();
}

inline torch::Tensor det_input(const std::string& name, torch::IntArrayRef shape,
                               double lo = -1.0, double hi = 1.0) {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  auto u = det_uniform(name, n);
  std::vector<float> v(u.size());
  for (size_t i = 0; i < u.size(); ++i) v[i] = static_cast<float>(lo + (hi - lo) * u[i]);
  return torch::from_blob(v.data(), shape, torch::kFloat).clone();
}

inline torch::Tensor det_pixels(const std::string& name, torch::IntArrayRef shape) {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  auto u = det_uniform(name, n);
  std::vector<uint8_t> v(u.size());
  for (size_t i = 0; i < u.size(); ++i) v[i] = static_cast<uint8_t>(std::floor(u[i] * 256.0));
  return torch::from_blob(v.data(), shape, torch::kByte).clone();
}

// Fills every parameter and buffer of `m` by det_values.
inline void det_fill(torch::nn::Module& m) {
  torch::NoGradGuard no_grad;
  for (auto& [name, t] : module_state(m)) t.copy_(det_values(name, t.sizes()));
}

// ||a - b|| / ||b||, and the largest |a - b| relative to max |b|.
inline double rel_error(const torch::Tensor& a, const torch::Tensor& b) {
  auto d = (a.to(torch::kDouble) - b.to(torch::kDouble));
  const double l2 = d.norm().item<double>() / b.to(torch::kDouble).norm().item<double>();
  const double linf = d.abs().max().item<double>() / b.abs().max().item<double>();
  return std::max(l2, linf);
}

inline std::string source_dir() {
  if (const char* s = std::getenv("XR_SOURCE_DIR")) return s;
  // Run by hand: the checkout this header was compiled from.
  std::string f = __FILE__;
  return f.substr(0, f.rfind("/tests/unit/nn/"));
}

}  // namespace xr::nn::testing
