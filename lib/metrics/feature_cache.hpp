// Features of whole image folders, cached on disk so that a GAN run comparing every
// snapshot with the same real set extracts that set once. The key is a SHA-256 over
// the extractor's id, the resize rule and, for every image in folder order, its
// relative path and the SHA-256 of its file CONTENTS (not size and mtime: a copied or
// re-touched folder still hits, an edited image never does).
#pragma once
#include <ATen/core/Tensor.h>

#include <string>

#include "core/dataset.hpp"
#include "metrics/feature_extractor.hpp"

namespace xr::metrics {

// $XDG_CACHE_HOME/xr-toolkit, else $HOME/.cache/xr-toolkit, else "" (no cache).
std::string default_cache_dir();

std::string folder_cache_key(const FeatureExtractor& fx, const ImageFolder& folder, int resize_to = 0);

// Features [N, D] float of every image of `folder` (folder order). cache_dir "" turns
// the cache off. Cache files: <cache_dir>/features/<key>.safetensors, written
// atomically; an unreadable or mismatched cache file is recomputed with a warning,
// and a cache folder that cannot be written only warns. resize_to > 0 resizes every
// image to resize_to x resize_to first (see load_image_folder).
at::Tensor folder_features(FeatureExtractor& fx, const ImageFolder& folder, const std::string& cache_dir,
                           int resize_to = 0);
// The same with the folder's pixels already loaded ([N,1,H,W] uint8, folder order, the
// same resize_to), so that a cache miss does not read the images again.
at::Tensor folder_features(FeatureExtractor& fx, const ImageFolder& folder, const std::string& cache_dir,
                           const at::Tensor& pixels, int resize_to);

}  // namespace xr::metrics
