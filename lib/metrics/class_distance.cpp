#include "metrics/class_distance.hpp"

namespace xr::metrics {

ClassDistance class_distance(const at::Tensor& reference, const at::Tensor& other, const KidSettings& k) {
  return {fid(reference, other), kid(reference, other, k.subsets, k.subset_size, k.seed)};
}

std::optional<Floor> class_halves_floor(const at::Tensor& reference, const KidSettings& k) {
  if (reference.size(0) < kFloorMinImages) return std::nullopt;
  return halves_floor(reference, k.subsets, k.subset_size, k.seed);
}

Floor class_real_floor(const at::Tensor& reference, const at::Tensor& other, const KidSettings& k) {
  return real_floor(reference, other, k.subsets, k.subset_size, k.seed);
}

}  // namespace xr::metrics
