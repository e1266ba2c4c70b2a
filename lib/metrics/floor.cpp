#include "metrics/floor.hpp"

#include <ATen/ATen.h>

#include <cmath>
#include <string>

#include "core/errors.hpp"

namespace xr::metrics {

const char* const kHalvesRule =
    "each class's real images in folder order (sorted file names), alternately into half a (1st, 3rd, ...) "
    "and half b (2nd, 4th, ...); half a is the reference, half b stands where the generated images were";

Halves split_halves(const std::vector<int64_t>& rows) {
  Halves h;
  for (size_t k = 0; k < rows.size(); ++k) (k % 2 == 0 ? h.a : h.b).push_back(rows[k]);
  return h;
}

Floor real_floor(const at::Tensor& reference, const at::Tensor& other, int kid_subsets, int kid_subset_size,
                 uint64_t seed) {
  Floor f;
  f.n_reference = reference.size(0);
  f.n_other = other.size(0);
  f.fid = fid(reference, other);
  f.kid = kid(reference, other, kid_subsets, kid_subset_size, seed);
  return f;
}

Floor halves_floor(const at::Tensor& features, int kid_subsets, int kid_subset_size, uint64_t seed) {
  const int64_t n = features.size(0);
  if (n < kFloorMinImages) {
    throw Error(Exit::kDataErr, "", "a halves floor needs at least " + std::to_string(kFloorMinImages) +
                                        " images (2 a half), not " + std::to_string(n));
  }
  std::vector<int64_t> rows(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) rows[static_cast<size_t>(i)] = i;
  const Halves h = split_halves(rows);
  auto take = [&](const std::vector<int64_t>& r) {
    return features.index_select(0, at::tensor(r, at::TensorOptions().dtype(at::kLong)));
  };
  return real_floor(take(h.a), take(h.b), kid_subsets, kid_subset_size, seed);
}

nlohmann::json floor_json(const Floor& f) {
  auto number = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  return {{"n_reference", f.n_reference},
          {"n_other", f.n_other},
          {"fid", number(f.fid.fid)},
          {"fid_singular", f.fid.singular},
          {"kid_mean", number(f.kid.mean)},
          {"kid_std", number(f.kid.std)},
          {"kid_subset_size", f.kid.subset_size}};
}

}  // namespace xr::metrics
