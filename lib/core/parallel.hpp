// A parallel loop over independent items for the tools' own CPU work (image
// stages); LibTorch work uses LibTorch's own threads instead.
#pragma once
#include <cstdint>
#include <functional>

namespace xr {

// Calls fn(i) for i in [0, n) on `threads` threads (0: xr::worker_threads()).
// Items are handed out one by one, so uneven items balance. The first exception
// thrown by any fn stops the hand-out and is rethrown here after all threads join.
void parallel_for(int64_t n, const std::function<void(int64_t)>& fn, int threads = 0);

}  // namespace xr
