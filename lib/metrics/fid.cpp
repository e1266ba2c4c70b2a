#include "metrics/fid.hpp"

#include <ATen/ATen.h>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <string>

#include "core/errors.hpp"

namespace xr::metrics {
namespace {

// at::Tensor [r, c] double contiguous <-> Eigen column-major: a row-major [r, c] is a
// column-major [c, r], so the copies below go through a transposed map.
using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Eigen::MatrixXd to_eigen(const at::Tensor& t) {
  const at::Tensor c = t.contiguous();
  return Eigen::Map<const RowMajor>(c.data_ptr<double>(), c.size(0), c.size(1));
}

at::Tensor to_tensor(const Eigen::MatrixXd& m) {
  at::Tensor t = at::empty({m.rows(), m.cols()}, at::kDouble);
  Eigen::Map<RowMajor>(t.data_ptr<double>(), m.rows(), m.cols()) = m;
  return t;
}

// Matrix products through LibTorch's BLAS (multithreaded, vectorised for the CPU it
// runs on); Eigen's own product is built for the baseline instruction set here.
Eigen::MatrixXd mm(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return to_eigen(at::mm(to_tensor(a), to_tensor(b)));
}

double sum_sqrt_eigenvalues(const Eigen::MatrixXd& m) {
  const Eigen::MatrixXd sym = 0.5 * (m + m.transpose());
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(sym, Eigen::EigenvaluesOnly);
  if (es.info() != Eigen::Success) throw Error(Exit::kSoftware, "", "FID: eigendecomposition did not converge");
  return es.eigenvalues().cwiseMax(0.0).cwiseSqrt().sum();
}

}  // namespace

FeatureStats feature_stats(const at::Tensor& features) {
  if (!features.defined() || features.dim() != 2) {
    throw Error(Exit::kSoftware, "", "fid: features must be a [N, D] tensor");
  }
  const int64_t n = features.size(0);
  if (n < 2) {
    throw Error(Exit::kDataErr, "", "FID is undefined for fewer than 2 images in a set (" + std::to_string(n) + ")");
  }
  const at::Tensor x = features.to(at::kCPU).to(at::kDouble);
  const at::Tensor mu = x.mean(0);
  const at::Tensor centred = x - mu;
  const at::Tensor cov = at::mm(centred.t(), centred).div_(static_cast<double>(n - 1));
  FeatureStats s;
  s.n = n;
  s.mean = to_eigen(mu.unsqueeze(1)).col(0);
  s.cov = to_eigen(cov);
  s.cov = 0.5 * (s.cov + s.cov.transpose());  // exactly symmetric for the eigensolver
  return s;
}

double trace_sqrt_product(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  // a = P^T L D L^T P, so G = P^T L D^1/2 gives a = G G^T.
  // info() reports a "numerical issue" when rounding makes a pivot of a singular
  // covariance slightly negative; the factors are still complete, and such pivots
  // count as 0 below.
  Eigen::LDLT<Eigen::MatrixXd> ldlt(a);
  const Eigen::VectorXd d_half = ldlt.vectorD().cwiseMax(0.0).cwiseSqrt();
  const Eigen::MatrixXd l = ldlt.matrixL();
  const Eigen::MatrixXd g = ldlt.transpositionsP().transpose() * (l * d_half.asDiagonal());
  return sum_sqrt_eigenvalues(mm(mm(g.transpose(), b), g));
}

double trace_sqrt_product_eig(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> ea(a);
  if (ea.info() != Eigen::Success) throw Error(Exit::kSoftware, "", "FID: eigendecomposition did not converge");
  const Eigen::VectorXd root = ea.eigenvalues().cwiseMax(0.0).cwiseSqrt();
  const Eigen::MatrixXd& v = ea.eigenvectors();
  const Eigen::MatrixXd a_half = mm(v * root.asDiagonal(), v.transpose());
  return sum_sqrt_eigenvalues(mm(mm(a_half, b), a_half));
}

FidResult fid(const FeatureStats& real, const FeatureStats& fake) {
  if (real.mean.size() != fake.mean.size()) {
    throw Error(Exit::kDataErr, "", "FID: feature widths differ (" + std::to_string(real.mean.size()) + " real, " +
                                        std::to_string(fake.mean.size()) + " fake)");
  }
  FidResult r;
  const int64_t d = real.mean.size();
  r.singular = real.n <= d || fake.n <= d;
  const double mean_term = (real.mean - fake.mean).squaredNorm();
  const double traces = real.cov.trace() + fake.cov.trace();
  r.fid = mean_term + traces - 2.0 * trace_sqrt_product(real.cov, fake.cov);
  return r;
}

FidResult fid(const at::Tensor& real_in, const at::Tensor& fake_in) {
  for (const at::Tensor* t : {&real_in, &fake_in}) {
    if (!t->defined() || t->dim() != 2) throw Error(Exit::kSoftware, "", "fid: features must be a [N, D] tensor");
  }
  const int64_t n_r = real_in.size(0), n_f = fake_in.size(0), d = real_in.size(1);
  if (std::min(n_r, n_f) >= d || n_r < 2 || n_f < 2 || fake_in.size(1) != d) {
    return fid(feature_stats(real_in), feature_stats(fake_in));
  }
  // Fewer images than dimensions: the n x n route (see the header).
  const at::Tensor real = real_in.to(at::kCPU).to(at::kDouble), fake = fake_in.to(at::kCPU).to(at::kDouble);
  const at::Tensor mu_r = real.mean(0), mu_f = fake.mean(0);
  const at::Tensor a = real - mu_r, b = fake - mu_f;
  const double c_r = static_cast<double>(n_r - 1), c_f = static_cast<double>(n_f - 1);
  const at::Tensor m = at::mm(a, b.t());
  const at::Tensor k = n_r <= n_f ? at::mm(m, m.t()) : at::mm(m.t(), m);
  FidResult r;
  r.singular = true;
  const double mean_term = (mu_r - mu_f).pow(2).sum().item<double>();
  const double traces = a.pow(2).sum().item<double>() / c_r + b.pow(2).sum().item<double>() / c_f;
  r.fid = mean_term + traces - 2.0 * sum_sqrt_eigenvalues(to_eigen(k)) / std::sqrt(c_r * c_f);
  return r;
}

}  // namespace xr::metrics
