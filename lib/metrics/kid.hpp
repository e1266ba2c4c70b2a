// Kernel Inception Distance (Binkowski et al. 2018) as NVIDIA's StyleGAN2-ADA metric
// code, clean-fid and torch-fidelity compute it: the unbiased MMD^2 estimate with the
// cubic polynomial kernel k(x, y) = (x.y / d + 1)^3, averaged over random subsets.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace xr::metrics {

struct KidResult {
  double mean = 0, std = 0;   // over subsets; std with ddof 0 (torch-fidelity, clean-fid)
  int subsets = 0;
  int subset_size = 0;        // the size used: min(n_real, n_fake, requested)
  bool subset_shrunk = false; // a set was smaller than the requested subset size
};

// features [N, D] float/double on CPU (other devices are copied). Unbiased MMD^2
// with kernel (x.y/d + 1)^3 over `subsets` random subsets of size
// min(n_real, n_fake, subset_size), drawn without replacement, seeded. Throws
// xr::Error(kDataErr) when a set has fewer than 2 rows (the estimate is undefined)
// or the feature widths differ, kUsage for subsets < 1 or subset_size < 2.
KidResult kid(const at::Tensor& real, const at::Tensor& fake, int subsets = 100, int subset_size = 1000,
              uint64_t seed = 0);

// How kid() evaluates the subsets; both give the same numbers up to rounding.
// kAuto picks the cheaper: kPerSubset builds three m x m kernel matrices per subset;
// kWholeMatrices builds the full kernel matrices once (a block of rows at a time)
// and reads every subset's sums from them, far cheaper when the sets are not much
// larger than the subset size (the usual case: 1000 images a class).
enum class KidMethod { kAuto, kPerSubset, kWholeMatrices };

// The per-subset MMD^2 values kid() averages, with the same subsets for a seed.
std::vector<double> kid_subset_values(const at::Tensor& real, const at::Tensor& fake, int subsets, int subset_size,
                                      uint64_t seed, KidMethod method = KidMethod::kAuto);

// The unbiased MMD^2 estimate of one pair of equal-sized sets x, y [m, D], m >= 2:
//   sum_{i!=j} k(x_i,x_j)/(m(m-1)) + sum_{i!=j} k(y_i,y_j)/(m(m-1)) - 2 sum_{i,j} k(x_i,y_j)/m^2
double mmd2_unbiased(const at::Tensor& x, const at::Tensor& y);

}  // namespace xr::metrics
