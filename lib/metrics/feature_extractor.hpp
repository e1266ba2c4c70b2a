// The feature spaces FID and KID are measured in: 8-bit gray images in, one feature
// vector per image out. The FID network (NVIDIA's TorchScript or converted pytorch-fid
// weights) gives numbers comparable with published ones; torchvision's ImageNet
// Inception-v3, a classifier trained by inc3-train, or a seeded random-init network
// give features that are comparable only with themselves.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <memory>
#include <string>

namespace xr::metrics {

class FeatureExtractor {  // uint8 gray [N,1,H,W] -> features [N,D] float (CPU)
 public:
  virtual ~FeatureExtractor() = default;
  virtual at::Tensor extract(const at::Tensor& pixels_u8) = 0;
  virtual std::string id() const = 0;           // stable: kind + weights hash (+ input size, device type)
  virtual std::string description() const = 0;  // for the JSON output
  virtual bool comparable_with_published() const = 0;
};

// spec: "inception" (the FID network; weights: NVIDIA's TorchScript .pt, or a
// safetensors file converted from pytorch-fid's .pth by scripts/convert_weights.py),
// "torchvision" (ImageNet Inception-v3 pool features; a converted safetensors file),
// "random" (seeded random init, always available), or a path to a classifier written
// by inc3-train (MODEL_DIR or MODEL_DIR/model.safetensors: its Inception base's pool
// features at the model's input size and style).
// input_size: the network's input side for "torchvision" and "random" (0: 299); the
// FID network always uses 299, a classifier its own size.
// Errors: kNoInput when inception/torchvision have no weights (the message says how
// to get them) or a file is missing; kDataErr for a file of the wrong kind; kUsage
// for an unknown spec.
std::unique_ptr<FeatureExtractor> make_feature_extractor(const std::string& spec, const std::string& weights,
                                                         c10::Device device, uint64_t seed, int batch_size,
                                                         int input_size = 0);

}  // namespace xr::metrics
