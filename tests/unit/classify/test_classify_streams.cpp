// inc3-train's random streams: run r's seed and its epoch-shuffle stream are the
// derivations the runs were trained with (finished runs stay reusable), and no value
// is shared between the runs and the streams within them.
#include <gtest/gtest.h>

#include <cstdint>
#include <unordered_set>

#include "classify/streams.hpp"

using namespace xr::classify;

TEST(ClassifyStreams, TheDerivationsAreTheOnesTheRunsWereTrainedWith) {
  EXPECT_EQ(run_seed(1, 3), xr::derive_seed(1, 3));
  EXPECT_EQ(run_stream_seed(run_seed(1, 3), RunStream::kEpochShuffle), xr::derive_seed(xr::derive_seed(1, 3), 5));
}

TEST(ClassifyStreams, NoTwoStreamsShareAValue) {
  for (uint64_t seed : {0ull, 1ull, 12345ull}) {
    std::unordered_set<uint64_t> seen;
    for (int r = 1; r <= 10000; ++r) {
      const uint64_t s = run_seed(seed, r);
      EXPECT_TRUE(seen.insert(s).second) << r;
      EXPECT_TRUE(seen.insert(run_stream_seed(s, RunStream::kEpochShuffle)).second) << r;
    }
  }
}
