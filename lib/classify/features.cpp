#include "classify/features.hpp"

#include <ATen/ATen.h>
#include <torch/utils.h>

#include <cstdio>
#include <filesystem>

#include "classify/head.hpp"
#include "core/atomic_file.hpp"
#include "core/errors.hpp"
#include "core/hash.hpp"
#include "core/log.hpp"
#include "nn/safetensors.hpp"

namespace fs = std::filesystem;

namespace xr::classify {

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
  if (cache_dir.empty()) return compute_base_features(base, pixels_u8, input_size, device, batch, label);
  const std::string key = short_key(sha256_hex(hash_pixels(pixels_u8, rel) + ";weights=" + weights_key +
                                               ";size=" + std::to_string(input_size) + ";style=keras;v2"));
  const std::string path = (fs::path(cache_dir) / ("features-" + key + ".safetensors")).string();
  if (fs::exists(path)) {
    try {
      const auto file = xr::nn::read_safetensors(path);
      auto it = file.tensors.find("features");
      auto meta = file.metadata.find("key");
      if (it != file.tensors.end() && meta != file.metadata.end() && meta->second == key &&
          it->second.dim() == 2 && it->second.size(0) == pixels_u8.size(0)) {
        xr::log::info(label + ": " + std::to_string(it->second.size(0)) + " cached features (" + path + ")");
        return it->second.to(at::kFloat);
      }
    } catch (const xr::Error&) {
    }
    xr::log::warn(path + ": unusable feature cache, recomputing");
  }
  at::Tensor f = compute_base_features(base, pixels_u8, input_size, device, batch, label);
  ensure_directory(cache_dir);
  xr::nn::write_safetensors(path, {{"features", f}}, {{"key", key}, {"images", std::to_string(f.size(0))}});
  return f;
}

}  // namespace xr::classify
