#include "metrics/feature_cache.hpp"

#include <ATen/ATen.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "core/errors.hpp"
#include "core/image_batch.hpp"
#include "core/log.hpp"
#include "core/parallel.hpp"
#include "core/hash.hpp"
#include "nn/tensor_cache.hpp"

namespace fs = std::filesystem;

namespace xr::metrics {
namespace {

constexpr const char* kCacheFormat = "xr-feature-cache-1";

std::string cache_path(const std::string& cache_dir, const std::string& key) {
  return (fs::path(cache_dir) / "features" / (key + ".safetensors")).string();
}

at::Tensor cached(FeatureExtractor& fx, const ImageFolder& folder, const std::string& cache_dir, int resize_to,
                  const at::Tensor* pixels) {
  const std::string path =
      cache_dir.empty() ? std::string() : cache_path(cache_dir, folder_cache_key(fx, folder, resize_to));
  return nn::cached_tensor(
      path, kCacheFormat, static_cast<int64_t>(folder.images.size()),
      [&] { return fx.extract(pixels ? *pixels : load_image_folder(folder, resize_to).pixels); }, folder.root);
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
