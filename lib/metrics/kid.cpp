#include "metrics/kid.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/rng.hpp"

namespace xr::metrics {
namespace {

at::Tensor as_double_matrix(const at::Tensor& t, const char* name) {
  if (!t.defined() || t.dim() != 2) {
    throw Error(Exit::kSoftware, "", std::string("kid: ") + name + " features must be a [N, D] tensor");
  }
  return t.to(at::kCPU).to(at::kDouble).contiguous();
}

// k(a_i, b_j) = (a_i . b_j / d + 1)^3 for every pair: [rows of a, rows of b].
at::Tensor poly_kernel(const at::Tensor& a, const at::Tensor& b, double d) {
  at::Tensor k = at::mm(a, b.t());
  k.div_(d).add_(1.0);
  return k * k * k;
}

// `count` distinct indices of [0, n) in random order: a partial Fisher-Yates shuffle.
std::vector<int64_t> sample_without_replacement(Rng& rng, int64_t n, int64_t count) {
  std::vector<int64_t> idx(static_cast<size_t>(n));
  std::iota(idx.begin(), idx.end(), 0);
  for (int64_t i = 0; i < count; ++i) {
    const int64_t j = i + static_cast<int64_t>(rng.below(static_cast<uint64_t>(n - i)));
    std::swap(idx[i], idx[j]);
  }
  idx.resize(static_cast<size_t>(count));
  return idx;
}

at::Tensor index_tensor(const std::vector<int64_t>& idx) {
  return at::tensor(idx, at::TensorOptions().dtype(at::kLong));
}

// Sums sum_{i,j in s} K(a_i, b_j) for every subset s at once, as w_a(s)^T K w_b(s),
// building K a block of rows at a time so that memory stays small: [subsets].
at::Tensor subset_kernel_sums(const at::Tensor& a, const at::Tensor& b, const at::Tensor& wa,
                              const at::Tensor& wb, double d) {
  const int64_t n_a = a.size(0), n_b = b.size(0);
  const int64_t block = std::max<int64_t>(1, (int64_t{8} << 20) / std::max<int64_t>(1, n_b));
  at::Tensor total = at::zeros({wa.size(1)}, at::kDouble);
  for (int64_t r0 = 0; r0 < n_a; r0 += block) {
    const int64_t r1 = std::min(n_a, r0 + block);
    at::Tensor k = poly_kernel(a.slice(0, r0, r1), b, d);  // [block, n_b]
    total += (at::mm(k, wb) * wa.slice(0, r0, r1)).sum(0);
  }
  return total;
}

}  // namespace

double mmd2_unbiased(const at::Tensor& x_in, const at::Tensor& y_in) {
  const at::Tensor x = as_double_matrix(x_in, "first");
  const at::Tensor y = as_double_matrix(y_in, "second");
  const int64_t m = x.size(0);
  if (m < 2 || y.size(0) != m || y.size(1) != x.size(1)) {
    throw Error(Exit::kSoftware, "", "mmd2_unbiased needs two [m, D] sets of the same shape, m >= 2");
  }
  const double d = static_cast<double>(x.size(1));
  const at::Tensor kxx = poly_kernel(x, x, d), kyy = poly_kernel(y, y, d), kxy = poly_kernel(x, y, d);
  const double sxx = kxx.sum().item<double>() - kxx.diagonal().sum().item<double>();
  const double syy = kyy.sum().item<double>() - kyy.diagonal().sum().item<double>();
  const double sxy = kxy.sum().item<double>();
  const double md = static_cast<double>(m);
  return (sxx + syy) / (md * (md - 1)) - 2.0 * sxy / (md * md);
}

std::vector<double> kid_subset_values(const at::Tensor& real_in, const at::Tensor& fake_in, int subsets,
                                      int subset_size, uint64_t seed, KidMethod method) {
  if (subsets < 1) throw Error(Exit::kUsage, "", "KID needs at least 1 subset (" + std::to_string(subsets) + ")");
  if (subset_size < 2) {
    throw Error(Exit::kUsage, "", "KID subset size must be at least 2 (" + std::to_string(subset_size) + ")");
  }
  const at::Tensor real = as_double_matrix(real_in, "real");
  const at::Tensor fake = as_double_matrix(fake_in, "fake");
  const int64_t n_real = real.size(0), n_fake = fake.size(0);
  if (real.size(1) != fake.size(1)) {
    throw Error(Exit::kDataErr, "", "KID: feature widths differ (" + std::to_string(real.size(1)) + " real, " +
                                        std::to_string(fake.size(1)) + " fake)");
  }
  if (n_real < 2 || n_fake < 2) {
    throw Error(Exit::kDataErr, "", "KID is undefined for fewer than 2 images in a set (" +
                                        std::to_string(n_real) + " real, " + std::to_string(n_fake) + " fake)");
  }
  const int64_t m = std::min<int64_t>({n_real, n_fake, subset_size});
  const double d = static_cast<double>(real.size(1));

  // Draw every subset first (fake, then real, as NVIDIA's loop), so that the
  // numbers do not depend on which of the two evaluation paths below runs.
  Rng rng(seed);
  std::vector<std::vector<int64_t>> idx_fake, idx_real;
  for (int s = 0; s < subsets; ++s) {
    idx_fake.push_back(sample_without_replacement(rng, n_fake, m));
    idx_real.push_back(sample_without_replacement(rng, n_real, m));
  }

  std::vector<double> values(static_cast<size_t>(subsets));
  // Kernel entries needed: per subset 3 m^2; the whole matrices once: n_r^2 + n_f^2 + n_r n_f.
  const double per_subset_cost = 3.0 * static_cast<double>(m) * m * subsets;
  const double whole_cost = static_cast<double>(n_real) * n_real + static_cast<double>(n_fake) * n_fake +
                            static_cast<double>(n_real) * n_fake;
  if (method == KidMethod::kAuto) {
    method = whole_cost < per_subset_cost ? KidMethod::kWholeMatrices : KidMethod::kPerSubset;
  }
  if (method == KidMethod::kWholeMatrices) {
    // Each kernel matrix is built once (in row blocks) and every subset's sums come
    // from indicator vectors: far cheaper when the sets are not much larger than m.
    at::Tensor w_real = at::zeros({n_real, subsets}, at::kDouble);
    at::Tensor w_fake = at::zeros({n_fake, subsets}, at::kDouble);
    auto wr = w_real.accessor<double, 2>();
    auto wf = w_fake.accessor<double, 2>();
    for (int s = 0; s < subsets; ++s) {
      for (int64_t i : idx_real[s]) wr[i][s] = 1.0;
      for (int64_t i : idx_fake[s]) wf[i][s] = 1.0;
    }
    const at::Tensor diag_real = (real * real).sum(1).div_(d).add_(1.0).pow(3);
    const at::Tensor diag_fake = (fake * fake).sum(1).div_(d).add_(1.0).pow(3);
    const at::Tensor sxx = subset_kernel_sums(fake, fake, w_fake, w_fake, d) - at::mv(w_fake.t(), diag_fake);
    const at::Tensor syy = subset_kernel_sums(real, real, w_real, w_real, d) - at::mv(w_real.t(), diag_real);
    const at::Tensor sxy = subset_kernel_sums(fake, real, w_fake, w_real, d);
    const double md = static_cast<double>(m);
    const at::Tensor v = (sxx + syy) / (md * (md - 1)) - sxy * (2.0 / (md * md));
    for (int s = 0; s < subsets; ++s) values[s] = v[s].item<double>();
  } else {
    for (int s = 0; s < subsets; ++s) {
      values[s] = mmd2_unbiased(fake.index_select(0, index_tensor(idx_fake[s])),
                                real.index_select(0, index_tensor(idx_real[s])));
    }
  }

  return values;
}

KidResult kid(const at::Tensor& real, const at::Tensor& fake, int subsets, int subset_size, uint64_t seed) {
  const std::vector<double> values = kid_subset_values(real, fake, subsets, subset_size, seed);
  KidResult r;
  r.subsets = subsets;
  r.subset_size = static_cast<int>(std::min<int64_t>({real.size(0), fake.size(0), subset_size}));
  r.subset_shrunk = r.subset_size < subset_size;
  double sum = 0;
  for (double v : values) sum += v;
  r.mean = sum / subsets;
  double sq = 0;
  for (double v : values) sq += (v - r.mean) * (v - r.mean);
  r.std = std::sqrt(sq / subsets);
  return r;
}

}  // namespace xr::metrics
