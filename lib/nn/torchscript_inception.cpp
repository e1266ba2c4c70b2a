// Calls NVIDIA's TorchScript Inception-v3 exactly as StyleGAN2-ADA's metric_utils
// does: detector(images, return_features=True), images [N,3,H,W] in 0..255.
#include "nn/torchscript_inception.hpp"

#include <torch/script.h>

#include <sys/stat.h>

#include "core/errors.hpp"

namespace xr::nn {

TorchScriptFeatures::TorchScriptFeatures(const std::string& path, const torch::Device& device)
    : path_(path), device_(device) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) fail_missing(path, "no such TorchScript file");
  if (S_ISDIR(st.st_mode)) fail_data(path, "is a folder, not a TorchScript file");
  try {
    module_ = std::make_unique<torch::jit::Module>(torch::jit::load(path, device));
  } catch (const c10::Error& e) {
    std::string what = e.what_without_backtrace();
    if (auto nl = what.find('\n'); nl != std::string::npos) what.resize(nl);
    fail_data(path, "not a loadable TorchScript archive (" + what + ")");
  }
  module_->eval();
}

TorchScriptFeatures::~TorchScriptFeatures() = default;
TorchScriptFeatures::TorchScriptFeatures(TorchScriptFeatures&&) noexcept = default;
TorchScriptFeatures& TorchScriptFeatures::operator=(TorchScriptFeatures&&) noexcept = default;

torch::Tensor TorchScriptFeatures::features(const torch::Tensor& images) {
  if (images.dim() != 4 || (images.size(1) != 1 && images.size(1) != 3)) {
    fail_data(path_, "TorchScript features: images must be [N,1,H,W] or [N,3,H,W] (got " +
                         c10::str(images.sizes()) + ")");
  }
  auto x = images;
  if (x.size(1) == 1) x = x.repeat({1, 3, 1, 1});
  // NVIDIA's network takes uint8 (its metric code passes uint8) or float 0..255.
  if (x.scalar_type() != torch::kByte) x = x.to(torch::kFloat);
  torch::NoGradGuard no_grad;
  torch::jit::IValue out;
  try {
    out = module_->forward({x.to(device_)}, {{"return_features", true}});
  } catch (const c10::Error& e) {
    std::string what = e.what_without_backtrace();
    if (auto nl = what.find('\n'); nl != std::string::npos) what.resize(nl);
    fail_data(path_, "TorchScript model failed on input " + c10::str(x.sizes()) + " (" + what + ")");
  }
  if (!out.isTensor()) fail_data(path_, "TorchScript model did not return a tensor");
  auto f = out.toTensor();
  if (f.dim() != 2 || f.size(0) != x.size(0)) {
    fail_data(path_, "TorchScript model returned " + c10::str(f.sizes()) + ", expected [" +
                         std::to_string(x.size(0)) + ", D] features");
  }
  return f.to(torch::kCPU, torch::kFloat);
}

}  // namespace xr::nn
