// xr-augment's random streams, named in one table as gan/streams.hpp names the GAN's:
// image k of class c draws its transform parameters from one stream and, with --pick
// random, its source image from another, so that the parameters do not depend on the
// pick mode. The derivations are the ones the augmented sets were always made with
// (the goldens depend on them).
#pragma once
#include <cstdint>

#include "core/rng.hpp"

namespace xr::augment {

enum class Stream : uint64_t {
  kParams = 0,                      // the transform parameters
  kPick = 0x7069636b00000000ULL,    // "pick": the source image of a random pick
};

// derive_seed(derive_seed(seed ^ stream, c), k).
inline uint64_t stream_seed(uint64_t seed, Stream stream, uint64_t c, uint64_t k) {
  return derive_seed(derive_seed(seed ^ static_cast<uint64_t>(stream), c), k);
}

}  // namespace xr::augment
