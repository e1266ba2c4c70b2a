// --device resolution: cpu always works, cuda without a CUDA device is exit 69,
// auto falls back to the CPU, anything else is a usage error.
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include "core/device.hpp"
#include "core/errors.hpp"

TEST(Device, CpuAlwaysResolves) {
  EXPECT_TRUE(xr::resolve_device("cpu").is_cpu());
  EXPECT_EQ(xr::describe_device(xr::resolve_device("cpu")).rfind("cpu (", 0), 0u);
}

TEST(Device, AutoAndCudaFollowAvailability) {
  if (torch::cuda::is_available()) {
    EXPECT_TRUE(xr::resolve_device("auto").is_cuda());
    EXPECT_TRUE(xr::resolve_device("cuda").is_cuda());
    return;
  }
  EXPECT_TRUE(xr::resolve_device("auto").is_cpu());
  try {
    xr::resolve_device("cuda");
    FAIL() << "no error without CUDA";
  } catch (const xr::Error& e) {
    EXPECT_EQ(static_cast<int>(e.code()), 69);
  }
}

TEST(Device, UnknownChoiceIsUsageError) {
  try {
    xr::resolve_device("tpu");
    FAIL() << "no error";
  } catch (const xr::Error& e) {
    EXPECT_EQ(static_cast<int>(e.code()), 64);
  }
}
