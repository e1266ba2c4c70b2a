// The reduced precision of a GAN's highest-resolution blocks (the reference's mixed
// precision, networks.py's use_fp16 with num_fp16_res): the choice, whether a device
// can train in it (probed with a tiny G and D), and the name a run records.
#pragma once
#include <torch/torch.h>

#include <string>

namespace xr::gan {

// Reduced precision for the blocks at the highest resolutions (NetConfig::num_fp16_res),
// the reference's mixed precision: their activations, convolutions and clamps in
// `dtype`, everything else (mapping, epilogue, images between blocks, parameters,
// gradients) in float32. Honoured on any device that can train in the dtype.
struct Precision {
  bool enabled = false;
  torch::Dtype dtype = torch::kHalf;
};

// "fp16" | "bf16" | "fp32" (off) -> Precision; kUsage otherwise.
Precision parse_precision(const std::string& name);

// The precision a run on `device` uses: "auto" is fp16 on CUDA (the reference's choice)
// and fp32 elsewhere; fp16/bf16/fp32 as asked when the device can train in it (see
// precision_support_error), else kUnavailable naming the device and the failing op.
std::string resolve_precision(const std::string& name, const torch::Device& device);

// Empty when a tiny G and D in `dtype` on `device` run forward, backward and the double
// backward of R1 and path length; else LibTorch's first complaint (LibTorch 1.13 on the
// CPU has no float16 convolution: '"slow_conv_transpose2d_out_cpu" not implemented for
// 'Half''). Cached per device and dtype; the default CPU generator is left as it was.
std::string precision_support_error(torch::Dtype dtype, const torch::Device& device);

}  // namespace xr::gan
