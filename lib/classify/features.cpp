#include "classify/features.hpp"

#include <ATen/ATen.h>
#include <torch/utils.h>

#include <cstdio>
#include <filesystem>

#include "classify/head.hpp"
#include "core/hash.hpp"
#include "core/log.hpp"
#include "nn/tensor_cache.hpp"

namespace fs = std::filesystem;

namespace xr::classify {

namespace {

// The format name of inc3-train's cached frozen-base features.
constexpr const char* kFeatureCacheFormat = "xr-inc3-base-features-2";

}  // namespace

std::string short_key(const std::string& sha256_hex) { return sha256_hex.substr(0, 16); }

std::string hash_pixels(const at::Tensor& pixels_u8, const std::vector<std::string>& rel) {
  const at::Tensor c = pixels_u8.to(at::kCPU).contiguous();
  Sha256 h;
  for (int64_t d : c.sizes()) h.update(&d, sizeof d);
  h.update(c.data_ptr<uint8_t>(), static_cast<size_t>(c.numel()));
  for (const auto& r : rel) h.update(r + '\n');
  return h.hex();
}

at::Tensor compute_base_features(xr::nn::InceptionV3Impl& base, const at::Tensor& pixels_u8, int64_t input_size,
                                 const c10::Device& device, int batch, const std::string& label) {
  torch::NoGradGuard no_grad;
  base.eval();
  base.fold_batch_norm();
  const int64_t n = pixels_u8.size(0);
  std::vector<at::Tensor> parts;
  xr::log::Progress progress(label, n);
  for (int64_t i = 0; i < n; i += batch) {
    const at::Tensor px = pixels_u8.slice(0, i, std::min(n, i + batch)).to(device);
    const at::Tensor x = xr::nn::prepare_input(px, xr::nn::InputStyle::kKeras, input_size);
    parts.push_back(flatten_channels_last(base.feature_map(x)).to(at::kCPU));
    progress.advance(px.size(0));
  }
  progress.finish();
  base.unfold_batch_norm();
  if (parts.empty()) return at::empty({0, 0}, at::kFloat);
  return at::cat(parts, 0);
}

at::Tensor cached_base_features(xr::nn::InceptionV3Impl& base, const at::Tensor& pixels_u8,
                                const std::vector<std::string>& rel, int64_t input_size,
                                const std::string& weights_key, const std::string& cache_dir,
                                const c10::Device& device, int batch, const std::string& label) {
  const std::string key = short_key(sha256_hex(hash_pixels(pixels_u8, rel) + ";weights=" + weights_key +
                                               ";size=" + std::to_string(input_size) + ";style=keras"));
  const std::string path =
      cache_dir.empty() ? std::string() : (fs::path(cache_dir) / ("features-" + key + ".safetensors")).string();
  return xr::nn::cached_tensor(
      path, kFeatureCacheFormat, pixels_u8.size(0),
      [&] { return compute_base_features(base, pixels_u8, input_size, device, batch, label); }, label);
}

}  // namespace xr::classify
