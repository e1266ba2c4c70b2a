// Pixel-level image quality between a generated image and a real one: SSIM (Wang et
// al. 2004), RMSE and SRE, and the matching of each generated image with its nearest
// real image by pixel (L2) distance, which is both the pairing the three scores use
// and the memorisation check (a distance of 0 is a copy of a training image).
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "core/image.hpp"

namespace xr::metrics {

// SSIM constants of Wang et al. 2004, as skimage's structural_similarity with
// gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255.
constexpr int kSsimRadius = 5;  // 11x11 window: skimage's truncate 3.5 at sigma 1.5
constexpr double kSsimSigma = 1.5;
constexpr double kSsimK1 = 0.01, kSsimK2 = 0.03, kSsimRange = 255.0;

// Mean SSIM over the pixels whose whole window lies inside the image (skimage crops
// the 5-pixel border the same way). Both images the same size, at least 11x11;
// otherwise xr::Error(kDataErr).
double ssim(const GrayImage& x, const GrayImage& y);

// sqrt(sum (x - y)^2 / n), in grey levels.
double rmse(const GrayImage& x, const GrayImage& y);

// Signal-to-reconstruction error ratio in dB with x the reference (the real image):
//   SRE = 10 log10( mean(x)^2 / (|x - y|^2 / n) ).
// +inf when the images are equal, -inf when x is all black and they differ.
double sre_db(const GrayImage& x, const GrayImage& y);

// For each query image, the index of the nearest reference image by L2 pixel distance
// and that distance (sqrt of the sum of squared differences, in grey levels; exact:
// integer sums in double). queries [Nq,1,H,W], references [Nr,1,H,W] uint8, same H, W.
// Ties go to the lowest reference index.
struct NearestMatch {
  std::vector<int64_t> index;
  std::vector<double> distance;
};
NearestMatch nearest_neighbours(const at::Tensor& queries, const at::Tensor& references);

}  // namespace xr::metrics
