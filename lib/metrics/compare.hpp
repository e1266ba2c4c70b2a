// What fid-kid computes for two class folders: per class present in both, FID and KID
// in a feature space, and the pixel scores of each generated image against its
// nearest real image of the same class (RMSE, SRE, SSIM, the nearest-neighbour
// distance), plus the mean over classes. In the library so that other tools (the GAN
// trainer, the report) get the same numbers.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/dataset.hpp"
#include "metrics/feature_extractor.hpp"

namespace xr::metrics {

struct CompareOptions {
  int kid_subsets = 100;
  int kid_subset_size = 1000;
  uint64_t seed = 0;       // KID subsets (the same seed for every class)
  int resize_to = 0;       // > 0: every image resized to resize_to x resize_to first
  bool pixel_metrics = true;
  std::string cache_dir;   // "" = no feature cache
  // Real-vs-real floors (metrics/floor.hpp) beside every class's FID and KID: the two
  // halves of the real folder, and the real folder against floor_val_dir (a validation
  // split, "" = none) in the place of the generated images.
  bool floor_halves = true;
  std::string floor_val_dir;
};

struct FolderComparison {
  nlohmann::json results;         // fid-kid's "results" object (see fid-kid(1))
  at::Tensor real_features;       // [N_real, D], folder order
  at::Tensor fake_features;       // [N_fake, D]
};

// Errors (kDataErr, naming the folder or file): a folder without images (the
// floor_val_dir folder included; missing: kNoInput), no class with images in both folders, a compared class with a single image in a folder
// (FID and KID are undefined), images of different sizes without resize_to, an
// unreadable image. Classes in one folder only are skipped with a warning. A floor that
// cannot be computed (a class with fewer than 4 real images for the halves, or fewer
// than 2 in floor_val_dir) is null with a warning, and so is the mean floor then.
FolderComparison compare_folders(FeatureExtractor& fx, const ImageFolder& real, const ImageFolder& fake,
                                 const CompareOptions& options);

}  // namespace xr::metrics
