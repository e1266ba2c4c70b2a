// The random streams of a GAN training run. Each is derived from the run's seed by
// its name first and by its index second, so that no two streams share a value. Bare
// offsets added to the index once did: snapshot evaluation, seeded with 0xe7a1 +
// images seen, replayed at the 1,000,000-image snapshot the noise of minibatch 59,297
// (seeded with 1,000,000 + its index).
#pragma once
#include <cstdint>

#include "core/rng.hpp"

namespace xr::gan {

enum class Stream : uint64_t {
  kEpochOrder = 1,  // the order of the training images, by epoch
  kMinibatch,       // every draw of a minibatch (labels, latents, noise, augmentation), by minibatch
  kEvalLatents,     // the metrics' latents, by class << 32 | sample
  kEvalNoise,       // the metrics' per-pixel noise, by images seen
  kGridNoise,       // the snapshot grids' per-pixel noise
  kGridLatents,     // the snapshot grids' latents, by column
};

inline uint64_t stream_seed(uint64_t seed, Stream stream, uint64_t index = 0) {
  return derive_seed(derive_seed(seed, static_cast<uint64_t>(stream)), index);
}

}  // namespace xr::gan
