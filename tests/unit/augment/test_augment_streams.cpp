// xr-augment's two random streams: the derivations the augmented sets were made with
// (so the goldens hold), and no value shared between the parameter and the pick
// streams over the classes and images a large run reaches.
#include <gtest/gtest.h>

#include <cstdint>
#include <unordered_set>

#include "augment/streams.hpp"

using xr::augment::Stream;
using xr::augment::stream_seed;

TEST(AugmentStreams, TheDerivationsAreTheOnesTheSetsWereMadeWith) {
  for (uint64_t seed : {0ull, 7ull, 12345ull}) {
    EXPECT_EQ(stream_seed(seed, Stream::kParams, 2, 9), xr::derive_seed(xr::derive_seed(seed, 2), 9));
    EXPECT_EQ(stream_seed(seed, Stream::kPick, 2, 9),
              xr::derive_seed(xr::derive_seed(seed ^ 0x7069636b00000000ULL, 2), 9));
  }
}

TEST(AugmentStreams, NoTwoStreamsShareAValue) {
  for (uint64_t seed : {0ull, 7ull}) {
    std::unordered_set<uint64_t> seen;
    for (uint64_t c = 0; c < 16; ++c) {
      for (uint64_t k = 0; k < 20000; ++k) {
        EXPECT_TRUE(seen.insert(stream_seed(seed, Stream::kParams, c, k)).second) << c << " " << k;
        EXPECT_TRUE(seen.insert(stream_seed(seed, Stream::kPick, c, k)).second) << c << " " << k;
      }
    }
  }
}
