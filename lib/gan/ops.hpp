// The low-level operators of StyleGAN2 written with plain LibTorch ops, so that
// autograd differentiates them (twice where R1 and path-length need it) on any
// device without custom kernels: FIR up/down-sampling (upfirdn2d), convolution
// with resampling, bias + activation with gain and clamp, modulated convolution,
// and a bilinear sampler (grid_sample's double derivative is missing in LibTorch).
#pragma once
#include <torch/torch.h>

#include <array>
#include <vector>

namespace xr::gan {

// A normalised FIR filter: 1-D taps for a separable filter (>= 8 taps, as the
// reference treats long wavelets), else the 2-D outer product, summing to 1.
torch::Tensor setup_filter(const std::vector<double>& taps);

// Pads (negative: crops) by pad = {x0, x1, y0, y1} after inserting up-1 zeros between
// pixels, convolves with `f` (flipped unless flip_filter, scaled by gain), keeps every
// down-th pixel. f is 1-D (separable) or 2-D.
torch::Tensor upfirdn2d(const torch::Tensor& x, const torch::Tensor& f, int up = 1, int down = 1,
                        std::array<int, 4> pad = {0, 0, 0, 0}, bool flip_filter = false,
                        double gain = 1.0);
torch::Tensor upsample2d(const torch::Tensor& x, const torch::Tensor& f, int up = 2,
                         std::array<int, 4> pad = {0, 0, 0, 0}, bool flip_filter = false,
                         double gain = 1.0);
torch::Tensor downsample2d(const torch::Tensor& x, const torch::Tensor& f, int down = 2,
                           std::array<int, 4> pad = {0, 0, 0, 0}, bool flip_filter = false,
                           double gain = 1.0);

// Correlation of x with w (padding `padding` each side), with FIR up-sampling before
// or down-sampling after, through the cheapest of the equivalent forms (transposed
// convolution for up, strided for down).
torch::Tensor conv2d_resample(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& f,
                              int up, int down, int padding, int64_t groups = 1);

enum class Act { kLinear, kLrelu };

// x + b (over dim 1), activation (leaky ReLU slope 0.2), times gain (gain < 0: the
// activation's own, sqrt(2) for lrelu, 1 for linear), clamped to [-clamp, clamp]
// when clamp >= 0.
torch::Tensor bias_act(const torch::Tensor& x, const torch::Tensor& b, Act act, double gain = -1,
                       double clamp = -1);

// x * rsqrt(mean(x^2 over dim 1) + 1e-8).
torch::Tensor normalize_2nd_moment(const torch::Tensor& x);

// Modulated (and demodulated) convolution of StyleGAN2. fused: one grouped
// convolution with per-sample weights; otherwise the activations are scaled before
// and after a shared convolution (what training uses). noise (or undefined) is added.
torch::Tensor modulated_conv2d(const torch::Tensor& x, const torch::Tensor& weight,
                               const torch::Tensor& styles, const torch::Tensor& noise, int up,
                               int padding, const torch::Tensor& resample_filter, bool demodulate,
                               bool fused);

// Bilinear sampling of x [N,C,H,W] at grid [N,Ho,Wo,2] (x, y in [-1, 1], pixel centres,
// align_corners false, zeros outside): grid_sample's semantics from gather and index
// arithmetic, so that it has first and second derivatives in x and grid.
torch::Tensor bilinear_sample(const torch::Tensor& x, const torch::Tensor& grid);

// Minibatch standard deviation: `channels` extra feature maps holding the standard
// deviation of the features over groups of `group_size` samples.
torch::Tensor minibatch_std(const torch::Tensor& x, int group_size, int channels);

}  // namespace xr::gan
