#include "core/device.hpp"

#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include "core/errors.hpp"

namespace xr {

c10::Device resolve_device(const std::string& choice) {
  if (choice == "cpu") return c10::Device(c10::kCPU);
  const bool cuda = torch::cuda::is_available();
  if (choice == "cuda") {
    if (!cuda) throw Error(Exit::kUnavailable, "", "--device cuda: no CUDA device is available");
    return c10::Device(c10::kCUDA, 0);
  }
  if (choice == "auto") return cuda ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
  fail_usage("--device: unknown device (" + choice + ")");
}

std::string describe_device(const c10::Device& device) {
  if (device.is_cpu()) return "cpu (" + std::to_string(at::get_num_threads()) + " threads)";
  return device.str();
}

}  // namespace xr
