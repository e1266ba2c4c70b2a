#include "gan/precision.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <map>
#include <mutex>

#include "core/errors.hpp"
#include "gan/networks.hpp"

namespace xr::gan {

Precision parse_precision(const std::string& name) {
  if (name == "fp16") return {true, torch::kHalf};
  if (name == "bf16") return {true, torch::kBFloat16};
  if (name == "fp32") return {false, torch::kFloat32};
  throw Error(Exit::kUsage, "", "--precision must be auto, fp16, bf16 or fp32 (" + name + ")");
}

std::string precision_support_error(torch::Dtype dtype, const torch::Device& device) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, int>, std::string> known;  // (device, dtype) -> reason
  const std::lock_guard<std::mutex> lock(mutex);
  const auto key = std::make_pair(device.str(), static_cast<int>(dtype));
  if (auto it = known.find(key); it != known.end()) return it->second;
  // Initialisation draws from the default CPU generator: give its state back, so that
  // probing does not change a seeded run. Nothing here draws on the device.
  at::Generator gen = at::detail::getDefaultCPUGenerator();
  const torch::Tensor gen_state = gen.get_state();
  std::string reason;
  try {
    torch::AutoGradMode grad_mode(true);
    NetConfig cfg;  // 8x8: the b8 blocks reduced, the rest float32, as at full size
    cfg.resolution = 8;
    cfg.c_dim = 2;
    cfg.z_dim = cfg.w_dim = 8;
    cfg.map_depth = cfg.d_map_depth = 1;
    cfg.cbase = 64;
    cfg.cmax = 8;
    cfg.mbstd_group = 2;
    cfg.num_fp16_res = 1;
    Generator g(cfg);
    Discriminator d(cfg);
    g->to(device);
    d->to(device);
    g->precision = d->precision = Precision{true, dtype};
    const torch::Tensor z = torch::randn({2, cfg.z_dim}).to(device), c = torch::eye(2).to(device);
    const torch::Tensor ws = g->mapping->forward(z, c);
    const torch::Tensor img = g->synthesis->forward(ws, NoiseMode::kConst, false, g->precision);
    const torch::Tensor pl_grad = torch::autograd::grad({img.square().sum()}, {ws}, {}, true, true)[0];
    const torch::Tensor real = img.detach().requires_grad_(true);
    const torch::Tensor r1_grad = torch::autograd::grad({d->forward(real, c).sum()}, {real}, {}, true, true)[0];
    const torch::Tensor loss =
        torch::softplus(d->forward(img, c)).mean() + pl_grad.square().sum() + r1_grad.square().sum();
    loss.backward();
    if (!torch::isfinite(loss).item<bool>()) reason = "the probe's loss is not finite";
  } catch (const c10::Error& e) {
    reason = e.what_without_backtrace();
    reason = reason.substr(0, reason.find('\n'));
  }
  gen.set_state(gen_state);
  known[key] = reason;
  return reason;
}

std::string resolve_precision(const std::string& name, const torch::Device& device) {
  const std::string chosen = name == "auto" ? (device.is_cuda() ? "fp16" : "fp32") : name;
  const Precision p = parse_precision(chosen);
  if (!p.enabled) return chosen;
  const std::string why = precision_support_error(p.dtype, device);
  if (!why.empty()) {
    throw Error(Exit::kUnavailable, "",
                "--precision " + chosen + " cannot train on " + device.str() + " with this LibTorch (" + why +
                    "); use --precision fp32" + (chosen == "fp16" ? " or bf16" : ""));
  }
  return chosen;
}

}  // namespace xr::gan
