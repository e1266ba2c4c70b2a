// The training run's random streams never share a value: the defect they replace
// seeded snapshot evaluation at 1,000,000 images with minibatch 59,297's stream.
#include <gtest/gtest.h>

#include <cstdint>
#include <unordered_map>
#include <utility>

#include "gan/streams.hpp"

namespace {

using xr::gan::Stream;
using xr::gan::stream_seed;

TEST(GanStreams, TheOldCollisionIsGone) {
  for (uint64_t seed : {0ull, 1ull, 12345ull}) {
    EXPECT_NE(stream_seed(seed, Stream::kEvalNoise, 1000000), stream_seed(seed, Stream::kMinibatch, 59297));
  }
}

TEST(GanStreams, NoTwoStreamsShareAValueOverARunsIndices) {
  // Indices a long run reaches in each stream: every minibatch and epoch, every
  // snapshot's images-seen count (a multiple of 4 here), every grid column.
  std::unordered_map<uint64_t, std::pair<int, uint64_t>> seen;
  auto add = [&](Stream s, uint64_t index) {
    const auto [it, fresh] = seen.emplace(stream_seed(7, s, index), std::make_pair(static_cast<int>(s), index));
    EXPECT_TRUE(fresh) << "stream " << static_cast<int>(s) << " index " << index << " repeats stream "
                       << it->second.first << " index " << it->second.second;
  };
  for (uint64_t i = 0; i < 200000; ++i) {
    add(Stream::kMinibatch, i);
    add(Stream::kEpochOrder, i);
    add(Stream::kEvalNoise, 4 * i);
    add(Stream::kEvalLatents, (i % 4) << 32 | i / 4);
  }
  add(Stream::kGridNoise, 0);
  for (uint64_t k = 0; k < 64; ++k) add(Stream::kGridLatents, k);
  EXPECT_EQ(seen.size(), 4u * 200000 + 1 + 64);
}

TEST(GanStreams, TheSeedChangesEveryStream) {
  EXPECT_NE(stream_seed(1, Stream::kMinibatch, 5), stream_seed(2, Stream::kMinibatch, 5));
  EXPECT_NE(stream_seed(1, Stream::kMinibatch, 5), stream_seed(1, Stream::kMinibatch, 6));
}

}  // namespace
