#include "metrics/image_quality.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

#include "core/errors.hpp"

namespace xr::metrics {
namespace {

std::string size_text(const GrayImage& g) { return std::to_string(g.width) + "x" + std::to_string(g.height); }

void require_same_size(const GrayImage& x, const GrayImage& y, const char* what) {
  if (x.width != y.width || x.height != y.height || x.empty()) {
    throw Error(Exit::kDataErr, "", std::string(what) + ": images differ in size or are empty (" + size_text(x) +
                                        ", " + size_text(y) + ")");
  }
}

// scipy.ndimage's normalised Gaussian taps exp(-t^2 / (2 sigma^2)), t in [-5, 5].
std::array<double, 2 * kSsimRadius + 1> gaussian_taps() {
  std::array<double, 2 * kSsimRadius + 1> w{};
  double sum = 0;
  for (int t = -kSsimRadius; t <= kSsimRadius; ++t) {
    w[t + kSsimRadius] = std::exp(-0.5 * t * t / (kSsimSigma * kSsimSigma));
    sum += w[t + kSsimRadius];
  }
  for (double& v : w) v /= sum;
  return w;
}

// Separable Gaussian filter over the "valid" region only: output (W-10) x (H-10).
std::vector<double> filter_valid(const std::vector<double>& in, int w, int h) {
  static const auto taps = gaussian_taps();
  const int k = 2 * kSsimRadius + 1;
  const int ow = w - k + 1, oh = h - k + 1;
  std::vector<double> rows(static_cast<size_t>(ow) * h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < ow; ++x) {
      double s = 0;
      for (int t = 0; t < k; ++t) s += taps[t] * in[static_cast<size_t>(y) * w + x + t];
      rows[static_cast<size_t>(y) * ow + x] = s;
    }
  }
  std::vector<double> out(static_cast<size_t>(ow) * oh);
  for (int y = 0; y < oh; ++y) {
    for (int x = 0; x < ow; ++x) {
      double s = 0;
      for (int t = 0; t < k; ++t) s += taps[t] * rows[static_cast<size_t>(y + t) * ow + x];
      out[static_cast<size_t>(y) * ow + x] = s;
    }
  }
  return out;
}

double sum_squared_difference(const GrayImage& x, const GrayImage& y) {
  int64_t ssd = 0;
  for (size_t i = 0; i < x.pixels.size(); ++i) {
    const int64_t d = static_cast<int64_t>(x.pixels[i]) - y.pixels[i];
    ssd += d * d;
  }
  return static_cast<double>(ssd);
}

}  // namespace

double ssim(const GrayImage& x, const GrayImage& y) {
  require_same_size(x, y, "SSIM");
  const int k = 2 * kSsimRadius + 1;
  if (x.width < k || x.height < k) {
    throw Error(Exit::kDataErr, "", "SSIM needs images of at least 11x11 (" + size_text(x) + ")");
  }
  const size_t n = x.pixels.size();
  std::vector<double> a(n), b(n), aa(n), bb(n), ab(n);
  for (size_t i = 0; i < n; ++i) {
    a[i] = x.pixels[i];
    b[i] = y.pixels[i];
    aa[i] = a[i] * a[i];
    bb[i] = b[i] * b[i];
    ab[i] = a[i] * b[i];
  }
  const auto ua = filter_valid(a, x.width, x.height), ub = filter_valid(b, x.width, x.height);
  const auto uaa = filter_valid(aa, x.width, x.height), ubb = filter_valid(bb, x.width, x.height);
  const auto uab = filter_valid(ab, x.width, x.height);
  const double c1 = (kSsimK1 * kSsimRange) * (kSsimK1 * kSsimRange);
  const double c2 = (kSsimK2 * kSsimRange) * (kSsimK2 * kSsimRange);
  double total = 0;
  for (size_t i = 0; i < ua.size(); ++i) {
    const double va = uaa[i] - ua[i] * ua[i];
    const double vb = ubb[i] - ub[i] * ub[i];
    const double cov = uab[i] - ua[i] * ub[i];
    const double num = (2 * ua[i] * ub[i] + c1) * (2 * cov + c2);
    const double den = (ua[i] * ua[i] + ub[i] * ub[i] + c1) * (va + vb + c2);
    total += num / den;
  }
  return total / static_cast<double>(ua.size());
}

double rmse(const GrayImage& x, const GrayImage& y) {
  require_same_size(x, y, "RMSE");
  return std::sqrt(sum_squared_difference(x, y) / static_cast<double>(x.pixels.size()));
}

double sre_db(const GrayImage& x, const GrayImage& y) {
  require_same_size(x, y, "SRE");
  const double n = static_cast<double>(x.pixels.size());
  const double mse = sum_squared_difference(x, y) / n;
  double sum = 0;
  for (uint8_t v : x.pixels) sum += v;
  const double mean = sum / n;
  if (mse == 0) return std::numeric_limits<double>::infinity();
  if (mean == 0) return -std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(mean * mean / mse);
}

NearestMatch nearest_neighbours(const at::Tensor& queries, const at::Tensor& references) {
  if (queries.dim() != 4 || references.dim() != 4 || queries.sizes().slice(1) != references.sizes().slice(1)) {
    throw Error(Exit::kDataErr, "", "nearest neighbours: image sets differ in size");
  }
  const int64_t nq = queries.size(0), nr = references.size(0);
  if (nr == 0) throw Error(Exit::kDataErr, "", "nearest neighbours: no reference image");
  const at::Tensor r = references.reshape({nr, -1}).to(at::kCPU).to(at::kDouble);
  const at::Tensor r_norm = (r * r).sum(1);  // [nr]
  NearestMatch out;
  out.index.resize(static_cast<size_t>(nq));
  out.distance.resize(static_cast<size_t>(nq));
  // |q - r|^2 = |q|^2 + |r|^2 - 2 q.r; every term is an integer below 2^53, so the
  // double arithmetic is exact and the argmin is the true one. Queries go in chunks
  // to bound memory.
  const int64_t chunk = 256;
  for (int64_t q0 = 0; q0 < nq; q0 += chunk) {
    const int64_t q1 = std::min(nq, q0 + chunk);
    const at::Tensor q = queries.slice(0, q0, q1).reshape({q1 - q0, -1}).to(at::kCPU).to(at::kDouble);
    const at::Tensor d2 = (q * q).sum(1, true) + r_norm.unsqueeze(0) - 2.0 * at::mm(q, r.t());
    const at::Tensor d2c = d2.contiguous();
    const double* p = d2c.data_ptr<double>();
    for (int64_t i = 0; i < q1 - q0; ++i) {
      int64_t best = 0;
      for (int64_t j = 1; j < nr; ++j) {
        if (p[i * nr + j] < p[i * nr + best]) best = j;
      }
      out.index[q0 + i] = best;
      out.distance[q0 + i] = std::sqrt(std::max(0.0, p[i * nr + best]));
    }
  }
  return out;
}

}  // namespace xr::metrics
