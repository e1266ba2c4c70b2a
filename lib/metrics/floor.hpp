// The real-vs-real floor of FID and KID: the same metric between two sets of real
// images (two halves of one split, or the training split against the validation
// split), in the same feature space and with the same KID settings as the generated
// set's value. In a random-init feature space a KID of 0.05 means nothing alone; beside
// a floor of 0.004 it reads "far from the data". fid-kid and gan-train share this code.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "metrics/fid.hpp"
#include "metrics/kid.hpp"

namespace xr::metrics {

// A halves floor needs 2 images a half (FID and KID are undefined below 2).
constexpr int64_t kFloorMinImages = 4;

// The documented split rule, for the JSON outputs and the man pages.
extern const char* const kHalvesRule;

// One class's rows split into two halves by position in folder order (sorted file
// names): positions 0, 2, 4, ... form half a, positions 1, 3, 5, ... half b (a gets the
// odd one out). Alternating rather than first/second half because file names often
// run by source or date (the COVID-19 Radiography Database numbers each source's
// images in sequence): both halves then sample the whole range. No seed: the halves
// are a property of the data, the same for every run.
struct Halves {
  std::vector<int64_t> a, b;  // the rows given, in their order
};
Halves split_halves(const std::vector<int64_t>& rows);

struct Floor {
  int64_t n_reference = 0, n_other = 0;
  FidResult fid;
  KidResult kid;
};

// FID and KID between two real sets, `other` in the place of the generated images
// (kid(reference, other, ...) draws its subsets as for a generated set of that size).
// Errors as fid() and kid(): kDataErr for fewer than 2 rows in a set.
Floor real_floor(const at::Tensor& reference, const at::Tensor& other, int kid_subsets, int kid_subset_size,
                 uint64_t seed);

// The halves floor of one class: features [N, D] in folder order, half a the
// reference. kDataErr when N < kFloorMinImages.
Floor halves_floor(const at::Tensor& features, int kid_subsets, int kid_subset_size, uint64_t seed);

// {n_reference, n_other, fid, fid_singular, kid_mean, kid_std, kid_subset_size}; a
// non-finite number is null.
nlohmann::json floor_json(const Floor& f);

}  // namespace xr::metrics
