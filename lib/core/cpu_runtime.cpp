#include "core/cpu_runtime.hpp"

#include <dlfcn.h>
#include <malloc.h>

#include <ATen/Parallel.h>

#include <climits>
#include <cstdlib>
#include <cstring>
#include <thread>

extern char** environ;

namespace xr {
namespace {

bool env_set(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0';
}

bool any_malloc_env() {
  if (env_set("GLIBC_TUNABLES")) return true;
  for (char** e = environ; e && *e; ++e) {
    if (std::strncmp(*e, "MALLOC_", 7) == 0) return true;
  }
  return false;
}

// OpenBLAS is looked up at run time: LibTorch may be linked against another BLAS
// (MKL in PyTorch's own builds), and the toolkit does not link BLAS itself.
template <class Fn>
Fn openblas_symbol(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, name));
}

}  // namespace

int openblas_threads() {
  auto get = openblas_symbol<int (*)()>("openblas_get_num_threads");
  return get ? get() : -1;
}

CpuRuntime tune_cpu_runtime() {
  CpuRuntime r;
  if (!any_malloc_env()) {
    // No block is served by its own mmap (the heap grows instead), and free memory at
    // the top of the heap is kept up to 2 GiB (mallopt takes an int).
    r.allocator_tuned = mallopt(M_MMAP_MAX, 0) == 1 && mallopt(M_TRIM_THRESHOLD, INT_MAX) == 1;
  }
  if (!env_set("OPENBLAS_NUM_THREADS") && !env_set("OMP_NUM_THREADS")) {
    if (auto set = openblas_symbol<void (*)(int)>("openblas_set_num_threads")) set(1);
  }
  r.blas_threads = openblas_threads();
  return r;
}

namespace {

int cores() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

int g_worker_threads = 0;  // 0: not set, one a core

}  // namespace

void set_worker_threads(int n) {
  g_worker_threads = n > 0 ? n : cores();
  at::set_num_threads(g_worker_threads);
}

int worker_threads() { return g_worker_threads > 0 ? g_worker_threads : cores(); }

}  // namespace xr
