// --device auto|cpu|cuda resolved to a LibTorch device, with the sysexits code 69
// when CUDA is asked for and absent.
#pragma once
#include <c10/core/Device.h>
#include <string>

namespace xr {

c10::Device resolve_device(const std::string& choice);
std::string describe_device(const c10::Device& device);  // "cpu (2 threads)", "cuda:0 (NVIDIA H100 ...)"

}  // namespace xr
