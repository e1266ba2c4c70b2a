// Frechet Inception Distance (Heusel et al. 2017) between two feature sets:
//   FID = |mu_r - mu_f|^2 + tr(S_r) + tr(S_f) - 2 tr sqrt(S_r^1/2 S_f S_r^1/2),
// the covariances with ddof 1 as numpy's np.cov (pytorch-fid, NVIDIA). The trace of
// the square root is the sum of the square roots of the eigenvalues of a symmetric
// positive semi-definite matrix similar to S_r S_f, from Eigen's symmetric
// eigensolver in double precision: real and stable where scipy's general sqrtm of
// S_r S_f drifts into complex values. Two exact routes to that spectrum:
//  - D x D: S_r = G G^T (pivoted LDLT), eigenvalues of G^T S_f G, which has the
//    spectrum of S_r^1/2 S_f S_r^1/2 (an LDLT costs a fraction of an eigendecomposition);
//  - fewer images than dimensions: with the centred features A [n_r, D], B [n_f, D],
//    the non-zero eigenvalues of S_r S_f are those of M M^T / ((n_r-1)(n_f-1)),
//    M = A B^T, an n x n problem instead of D x D.
#pragma once
#include <ATen/core/Tensor.h>

#include <Eigen/Core>

namespace xr::metrics {

struct FidResult {
  double fid = 0;
  bool singular = false;  // a set has fewer images than feature dimensions (n <= D)
};

// Mean [D] and covariance [D, D] (ddof 1) of features [N, D], N >= 2.
struct FeatureStats {
  Eigen::VectorXd mean;
  Eigen::MatrixXd cov;
  int64_t n = 0;
};
FeatureStats feature_stats(const at::Tensor& features);

// features [N, D] float/double on CPU. Throws xr::Error(kDataErr) for fewer than 2
// rows in a set (the covariance is undefined) or different widths.
FidResult fid(const at::Tensor& real, const at::Tensor& fake);
FidResult fid(const FeatureStats& real, const FeatureStats& fake);

// tr sqrt(A^1/2 B A^1/2) for symmetric positive semi-definite A, B (eigenvalues
// below 0 from rounding count as 0), by the D x D route above.
double trace_sqrt_product(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b);
// The same through A^1/2 from a full eigendecomposition (slower; the textbook route,
// kept to cross-check the fast one).
double trace_sqrt_product_eig(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b);

}  // namespace xr::metrics
