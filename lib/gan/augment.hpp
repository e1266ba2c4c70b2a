// Adaptive discriminator augmentation (Karras et al. 2020, "Training Generative
// Adversarial Networks with Limited Data"): the differentiable 'bgc' pipeline of the
// reference for one-channel images - x-flip, 90-degree rotations, integer
// translation, isotropic and anisotropic scaling, arbitrary rotation, fractional
// translation (one resampling through a 2x up-sampled image with the sym6 wavelet),
// brightness, contrast and luma flip (hue and saturation do nothing to gray images,
// as in the reference). Every transform is applied to each image with probability
// p times its multiplier; p is a device tensor so the ADA update needs no host sync.
#pragma once
#include <torch/torch.h>

namespace xr::gan {

struct AugmentSpec {
  // Probability multipliers (the reference's 'bgc' set: all 1).
  double xflip = 1, rotate90 = 1, xint = 1, scale = 1, rotate = 1, aniso = 1, xfrac = 1;
  double brightness = 1, contrast = 1, lumaflip = 1;
  // Ranges and standard deviations (the reference's defaults).
  double xint_max = 0.125, scale_std = 0.2, rotate_max = 1.0, aniso_std = 0.2, xfrac_std = 0.125;
  double brightness_std = 0.2, contrast_std = 0.5;
};

// images [N, C, H, W] float in about [-1, 1]; p a 0-dim float tensor on the same device.
// Random draws come from LibTorch's default generator of that device.
torch::Tensor augment(const torch::Tensor& images, const torch::Tensor& p, const AugmentSpec& spec = {});

// The sym6 wavelet low-pass filter the geometric transforms resample with.
const std::vector<double>& sym6_taps();

}  // namespace xr::gan
