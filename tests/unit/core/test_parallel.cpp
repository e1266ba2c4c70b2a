// parallel_for: every item runs exactly once, on as many threads as asked, and the
// first exception propagates to the caller after all threads have joined.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/errors.hpp"
#include "core/parallel.hpp"

TEST(ParallelFor, EveryItemRunsOnce) {
  for (int threads : {0, 1, 2, 3, 8}) {
    const int64_t n = 1000;
    std::vector<std::atomic<int>> hits(n);
    xr::parallel_for(n, [&](int64_t i) { hits[i].fetch_add(1); }, threads);
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "item " << i << ", threads " << threads;
  }
}

TEST(ParallelFor, ZeroAndOneItems) {
  int calls = 0;
  xr::parallel_for(0, [&](int64_t) { ++calls; }, 4);
  EXPECT_EQ(calls, 0);
  xr::parallel_for(1, [&](int64_t i) { calls += static_cast<int>(i) + 1; }, 4);
  EXPECT_EQ(calls, 1);
  xr::parallel_for(-5, [&](int64_t) { ++calls; }, 4);
  EXPECT_EQ(calls, 1);
}

TEST(ParallelFor, UsesSeveralThreads) {
  std::mutex m;
  std::set<std::thread::id> ids;
  std::atomic<int> inside{0}, max_inside{0};
  xr::parallel_for(
      64,
      [&](int64_t) {
        const int now = ++inside;
        int prev = max_inside.load();
        while (now > prev && !max_inside.compare_exchange_weak(prev, now)) {
        }
        {
          std::lock_guard<std::mutex> lock(m);
          ids.insert(std::this_thread::get_id());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        --inside;
      },
      4);
  EXPECT_GE(ids.size(), 2u);
  EXPECT_LE(ids.size(), 4u);
  EXPECT_LE(max_inside.load(), 4);
}

TEST(ParallelFor, ExceptionPropagatesWithItsType) {
  for (int threads : {1, 2, 4}) {
    std::atomic<int> ran{0};
    try {
      xr::parallel_for(
          100,
          [&](int64_t i) {
            ++ran;
            if (i == 10) throw xr::Error(xr::Exit::kDataErr, "img10.png", "bad image");
          },
          threads);
      FAIL() << "no exception";
    } catch (const xr::Error& e) {
      EXPECT_EQ(e.code(), xr::Exit::kDataErr);
      EXPECT_EQ(e.path(), "img10.png");
    }
    // The hand-out stops at the failure on one thread; with several, the others may
    // (on a busy machine) finish every trivial item before the stop is seen.
    EXPECT_GE(ran.load(), 11);
    if (threads == 1) EXPECT_EQ(ran.load(), 11);
  }
}

TEST(ParallelFor, FirstOfSeveralExceptionsIsRethrown) {
  try {
    xr::parallel_for(
        50, [](int64_t i) { throw std::runtime_error("item " + std::to_string(i)); }, 3);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("item ", 0), 0u);
  }
}
