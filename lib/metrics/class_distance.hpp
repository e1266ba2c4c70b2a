// One class's distance between generated and real images in a feature space, FID and
// KID, and the halves floor that says what such a distance is worth: the per-class
// computation that fid-kid (compare_folders) and gan-train's snapshot metrics share,
// so that both give the same numbers for the same features and seed.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <optional>

#include "metrics/fid.hpp"
#include "metrics/floor.hpp"
#include "metrics/kid.hpp"

namespace xr::metrics {

struct KidSettings {
  int subsets = 100;
  int subset_size = 1000;
  uint64_t seed = 0;  // the same for every class: the same features give the same numbers
};

struct ClassDistance {
  FidResult fid;
  KidResult kid;
};

// FID and KID of `other` against `reference` (features [N, D] each, N >= 2; kDataErr
// otherwise, as fid() and kid()).
ClassDistance class_distance(const at::Tensor& reference, const at::Tensor& other, const KidSettings& k);

// The halves floor of one class's reference features (halves_floor); none when there
// are fewer than kFloorMinImages rows.
std::optional<Floor> class_halves_floor(const at::Tensor& reference, const KidSettings& k);

// The reference against another real set in the place of the generated images
// (real_floor), with the same KID settings.
Floor class_real_floor(const at::Tensor& reference, const at::Tensor& other, const KidSettings& k);

}  // namespace xr::metrics
