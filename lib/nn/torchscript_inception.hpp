// NVIDIA's TorchScript Inception-v3 (inception-2015-12-05.pt, the StyleGAN2-ADA
// metrics network) called as its metric code does, for FID/KID numbers comparable
// with published ones. Kept apart from inception_v3 because it needs torch/script.h.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <string>

namespace torch::jit {
struct Module;
}

namespace xr::nn {

class TorchScriptFeatures {
 public:
  // Loads the .pt (kNoInput if missing, kDataErr if not a TorchScript archive).
  explicit TorchScriptFeatures(const std::string& path,
                               const torch::Device& device = torch::kCPU);
  ~TorchScriptFeatures();
  TorchScriptFeatures(TorchScriptFeatures&&) noexcept;
  TorchScriptFeatures& operator=(TorchScriptFeatures&&) noexcept;

  // images: [N,3,H,W] (or [N,1,H,W], repeated to 3 channels) holding 0..255 values,
  // any dtype; the model resizes internally. Returns [N,2048] float on the CPU:
  // model(images, return_features=True), under no-grad.
  torch::Tensor features(const torch::Tensor& images);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  torch::Device device_;
  std::unique_ptr<torch::jit::Module> module_;
};

}  // namespace xr::nn
