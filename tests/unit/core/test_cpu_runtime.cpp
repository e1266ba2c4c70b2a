// tune_cpu_runtime: one OpenBLAS thread (when OpenBLAS is loaded: Debian's LibTorch
// links it), the allocator tuned, and the user's environment respected.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <dlfcn.h>

#include <cstdlib>

#include "core/cpu_runtime.hpp"

namespace {

// A matrix product, so that LibTorch's BLAS is loaded and initialised.
void touch_blas() {
  const torch::Tensor a = torch::ones({64, 64});
  EXPECT_FLOAT_EQ(torch::mm(a, a)[0][0].item<float>(), 64.0f);
}

// Sets OpenBLAS's thread count directly; false when there is no OpenBLAS or it
// cannot run n threads here.
bool set_openblas_threads(int n) {
  auto set = reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (!set) return false;
  set(n);
  return xr::openblas_threads() == n;
}

}  // namespace

TEST(CpuRuntime, OneBlasThreadAndTunedAllocator) {
  touch_blas();
  set_openblas_threads(2);
  unsetenv("OPENBLAS_NUM_THREADS");
  unsetenv("OMP_NUM_THREADS");
  unsetenv("GLIBC_TUNABLES");
  const xr::CpuRuntime r = xr::tune_cpu_runtime();
  EXPECT_TRUE(r.allocator_tuned);
  if (r.blas_threads < 0) GTEST_SKIP() << "this LibTorch does not use OpenBLAS";
  EXPECT_EQ(r.blas_threads, 1);
  EXPECT_EQ(xr::openblas_threads(), 1);
  touch_blas();  // still correct afterwards
}

TEST(CpuRuntime, EnvironmentWins) {
  touch_blas();
  if (!set_openblas_threads(2)) GTEST_SKIP() << "no OpenBLAS, or it cannot run 2 threads here";
  setenv("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=1048576", 1);
  setenv("OPENBLAS_NUM_THREADS", "2", 1);
  const xr::CpuRuntime r = xr::tune_cpu_runtime();
  EXPECT_FALSE(r.allocator_tuned);
  EXPECT_EQ(r.blas_threads, 2);  // left as it was
  unsetenv("GLIBC_TUNABLES");
  unsetenv("OPENBLAS_NUM_THREADS");
}
