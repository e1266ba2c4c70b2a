// The frozen base's features, computed once per image folder and cached: the base
// runs in inference mode (eval, no grad, batch norm folded), so a folder's features
// depend only on its pixels, the base weights and the input size. The cache file
// is named by a hash of exactly those, so any tool run (5 runs x 3 pipelines x
// 2 sizes) that sees the same folder with the same weights reuses it.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <string>
#include <vector>

#include "nn/inception_v3.hpp"

namespace xr::classify {

// The keys of classify's caches and runs: the first 16 hex digits of a SHA-256
// (core/hash), as file names and metadata carry them.
std::string short_key(const std::string& sha256_hex);

// Hash (core/hash's SHA-256, 64 hex digits) of a pixel batch [N,1,H,W] uint8 and the
// relative paths that label it.
std::string hash_pixels(const at::Tensor& pixels_u8, const std::vector<std::string>& rel);

// Flattened (channels-last) base features [N, F] float on the CPU, in eval mode
// and without grad, `batch` images at a time on `device`. `label` names the
// progress line.
at::Tensor compute_base_features(xr::nn::InceptionV3Impl& base, const at::Tensor& pixels_u8, int64_t input_size,
                                 const c10::Device& device, int batch, const std::string& label);

// compute_base_features through the cache: cache_dir/features-<key>.safetensors
// with key = hash(pixels, rel, weights_key, input_size). An unreadable or
// mismatching cache file is recomputed and replaced. Empty cache_dir: no cache.
at::Tensor cached_base_features(xr::nn::InceptionV3Impl& base, const at::Tensor& pixels_u8,
                                const std::vector<std::string>& rel, int64_t input_size,
                                const std::string& weights_key, const std::string& cache_dir,
                                const c10::Device& device, int batch, const std::string& label);

}  // namespace xr::classify
