// The one on-disk cache of computed tensors (image features): a safetensors file a
// key, holding the tensor "features" and the caller's format name. The feature cache
// of fid-kid and gan-train (metrics/feature_cache: keyed by the extractor and the
// files' contents) and inc3-train's frozen-base features (classify/features: keyed by
// the pixels, the weights and the input size) both keep their tensors through it.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <string>

namespace xr::nn {

// The tensor [rows, D] stored at `path` when a readable file of this `format` with
// that many rows is there (as float); else compute() (which must return [rows, D]),
// stored at `path` atomically. An unreadable or mismatched file is recomputed with a
// warning; a cache that cannot be written only warns. `label` names the tensor in the
// log ("<label>: features from the cache (<path>)"). An empty path turns the cache off.
at::Tensor cached_tensor(const std::string& path, const std::string& format, int64_t rows,
                         const std::function<at::Tensor()>& compute, const std::string& label);

}  // namespace xr::nn
