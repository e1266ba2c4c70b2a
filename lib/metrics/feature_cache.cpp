#include "metrics/feature_cache.hpp"

#include <ATen/ATen.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/errors.hpp"
#include "core/image_batch.hpp"
#include "core/log.hpp"
#include "core/parallel.hpp"
#include "core/hash.hpp"
#include "nn/safetensors.hpp"

namespace fs = std::filesystem;

namespace xr::metrics {
namespace {

constexpr const char* kCacheFormat = "xr-feature-cache-1";

std::string cache_path(const std::string& cache_dir, const std::string& key) {
  return (fs::path(cache_dir) / "features" / (key + ".safetensors")).string();
}

// The cached features if a valid file for this key exists, else undefined.
at::Tensor read_cache(const std::string& path, int64_t n) {
  if (!fs::exists(path)) return {};
  try {
    const nn::Safetensors st = nn::read_safetensors(path);
    auto it = st.tensors.find("features");
    auto fmt = st.metadata.find("format");
    if (it != st.tensors.end() && fmt != st.metadata.end() && fmt->second == kCacheFormat &&
        it->second.dim() == 2 && it->second.size(0) == n) {
      return it->second.to(at::kFloat).contiguous();
    }
    log::warn(path + ": feature cache file does not match its folder; extracting again");
  } catch (const Error& e) {
    log::warn(path + ": unreadable feature cache file (" + e.what() + "); extracting again");
  }
  return {};
}

void write_cache(const std::string& path, const at::Tensor& features, const FeatureExtractor& fx) {
  try {
    ensure_directory(fs::path(path).parent_path().string());
    nn::write_safetensors(path, {{"features", features}},
                          {{"format", kCacheFormat}, {"extractor", fx.id()},
                           {"count", std::to_string(features.size(0))}});
  } catch (const Error& e) {
    log::warn(std::string("cannot write the feature cache (") + (e.path().empty() ? "" : e.path() + ": ") +
              e.what() + "); continuing without it");
  }
}

at::Tensor cached(FeatureExtractor& fx, const ImageFolder& folder, const std::string& cache_dir, int resize_to,
                  const at::Tensor* pixels) {
  const int64_t n = static_cast<int64_t>(folder.images.size());
  std::string path;
  if (!cache_dir.empty()) {
    path = cache_path(cache_dir, folder_cache_key(fx, folder, resize_to));
    at::Tensor hit = read_cache(path, n);
    if (hit.defined()) {
      log::info(folder.root + ": features from the cache (" + path + ")");
      return hit;
    }
  }
  at::Tensor features;
  if (pixels) {
    features = fx.extract(*pixels);
  } else {
    features = fx.extract(load_image_folder(folder, resize_to).pixels);
  }
  if (features.dim() != 2 || features.size(0) != n) {
    throw Error(Exit::kSoftware, "", "feature extractor returned " + std::to_string(features.size(0)) +
                                         " rows for " + std::to_string(n) + " images");
  }
  if (!path.empty()) write_cache(path, features, fx);
  return features;
}

}  // namespace

std::string default_cache_dir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && *xdg) return (fs::path(xdg) / "xr-toolkit").string();
  const char* home = std::getenv("HOME");
  if (home && *home) return (fs::path(home) / ".cache" / "xr-toolkit").string();
  return "";
}

std::string folder_cache_key(const FeatureExtractor& fx, const ImageFolder& folder, int resize_to) {
  // Hash the files on the worker threads; the key itself is built in folder order.
  std::vector<std::string> file_hashes(folder.images.size());
  parallel_for(static_cast<int64_t>(folder.images.size()),
               [&](int64_t i) { file_hashes[i] = sha256_file(folder.images[i].path); });
  Sha256 h;
  h.update(std::string(kCacheFormat) + "\n" + fx.id() + "\nresize=" + std::to_string(resize_to) + "\n");
  for (size_t i = 0; i < folder.images.size(); ++i) {
    h.update(folder.images[i].rel + "\t" + file_hashes[i] + "\n");
  }
  return h.hex();
}

at::Tensor folder_features(FeatureExtractor& fx, const ImageFolder& folder, const std::string& cache_dir,
                           int resize_to) {
  return cached(fx, folder, cache_dir, resize_to, nullptr);
}

at::Tensor folder_features(FeatureExtractor& fx, const ImageFolder& folder, const std::string& cache_dir,
                           const at::Tensor& pixels, int resize_to) {
  if (pixels.dim() != 4 || pixels.size(0) != static_cast<int64_t>(folder.images.size())) {
    throw Error(Exit::kSoftware, "", "folder_features: pixels do not match the folder's image count");
  }
  return cached(fx, folder, cache_dir, resize_to, &pixels);
}

}  // namespace xr::metrics
