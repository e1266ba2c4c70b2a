#include "nn/tensor_cache.hpp"

#include <ATen/ATen.h>

#include <filesystem>

#include "core/atomic_file.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "nn/safetensors.hpp"

namespace fs = std::filesystem;

namespace xr::nn {
namespace {

// The stored tensor if `path` holds a valid file of this format and size, else undefined.
at::Tensor read_cached(const std::string& path, const std::string& format, int64_t rows) {
  if (!fs::exists(path)) return {};
  try {
    const Safetensors st = read_safetensors(path);
    auto it = st.tensors.find("features");
    auto fmt = st.metadata.find("format");
    if (it != st.tensors.end() && fmt != st.metadata.end() && fmt->second == format && it->second.dim() == 2 &&
        it->second.size(0) == rows) {
      return it->second.to(at::kFloat).contiguous();
    }
    log::warn(path + ": cache file does not match what it should hold; computing again");
  } catch (const Error& e) {
    log::warn(path + ": unreadable cache file (" + e.what() + "); computing again");
  }
  return {};
}

void write_cached(const std::string& path, const std::string& format, const at::Tensor& t) {
  try {
    ensure_directory(fs::path(path).parent_path().string());
    write_safetensors(path, {{"features", t}}, {{"format", format}, {"count", std::to_string(t.size(0))}});
  } catch (const Error& e) {
    log::warn(std::string("cannot write the cache (") + (e.path().empty() ? "" : e.path() + ": ") + e.what() +
              "); continuing without it");
  }
}

}  // namespace

at::Tensor cached_tensor(const std::string& path, const std::string& format, int64_t rows,
                         const std::function<at::Tensor()>& compute, const std::string& label) {
  if (!path.empty()) {
    at::Tensor hit = read_cached(path, format, rows);
    if (hit.defined()) {
      log::info(label + ": features from the cache (" + path + ")");
      return hit;
    }
  }
  at::Tensor t = compute();
  if (t.dim() != 2 || t.size(0) != rows) {
    throw Error(Exit::kSoftware, "", label + ": computed " + std::to_string(t.size(0)) + " rows for " +
                                         std::to_string(rows) + " images");
  }
  if (!path.empty()) write_cached(path, format, t);
  return t;
}

}  // namespace xr::nn
