// CPU run-time settings that every tool applies before its work (tool_main), because
// the defaults of the libraries underneath waste much of a small machine:
//
// - OpenBLAS (Debian's libopenblas0-pthread, under LibTorch) runs its own pthread
//   pool beside LibTorch's OpenMP threads. LibTorch already parallelises each
//   operation, so BLAS threads only oversubscribe the cores and spin while idle
//   (system time: 7.4 of gan-train's 26.8 CPU seconds on 2 cores, 7.9 of 18.6 on 1).
// - glibc's malloc gives large freed blocks (mmap'd ones: 128 KiB and up, the
//   threshold rising to 32 MiB) back to the kernel, so each training step maps,
//   faults in and zeroes its large activations again (3.5 million minor page faults
//   for fid-kid on 192 images). Kept in the process instead, the memory is reused,
//   not given back, until the tool exits; the peak resident size stays about the same.
//
// Measured side by side on 2 cores (tests/bench/cpu_runtime_bench.sh, results in
// tests/bench/results/core.md): gan-train 2.08x, fid-kid 1.38x, inc3-train 1.41x.
//
// A setting the user made in the environment wins: OPENBLAS_NUM_THREADS (or
// OMP_NUM_THREADS, which OpenBLAS also reads) leaves the BLAS threads alone, and
// GLIBC_TUNABLES or a MALLOC_*_ variable leaves malloc alone.
#pragma once

namespace xr {

struct CpuRuntime {
  bool allocator_tuned = false;  // malloc keeps freed memory for reuse
  int blas_threads = -1;         // OpenBLAS threads after tuning; -1: no OpenBLAS loaded
};

CpuRuntime tune_cpu_runtime();

// The one writer of the thread count: LibTorch's intra-op threads and the tools' own
// parallel loops (parallel_for) both use n; n <= 0 means one a core. The entry point
// sets it from --threads; gan-train's resume sets the run's recorded count.
void set_worker_threads(int n);

// The thread count set_worker_threads last set (before any call: one a core).
int worker_threads();

// OpenBLAS's thread count, -1 when the process has no OpenBLAS (a CUDA build on
// PyTorch's own LibTorch, which uses MKL).
int openblas_threads();

}  // namespace xr
