// inc3-train's random streams, named in one table as gan/streams.hpp names the GAN's:
// run r of a model folder draws from derive_seed(--seed, r); within a run, each
// stream below from derive_seed(run seed, stream). The values are the ones the runs
// were always trained with (finished runs stay reusable and results the same).
#pragma once
#include <cstdint>

#include "core/rng.hpp"

namespace xr::classify {

// The seed of run `run` (1-based) of a model folder: the weights' initialisation.
inline uint64_t run_seed(uint64_t seed, int run) { return derive_seed(seed, static_cast<uint64_t>(run)); }

enum class RunStream : uint64_t {
  kEpochShuffle = 0x5,  // the order of the training images in each epoch
};

inline uint64_t run_stream_seed(uint64_t run_seed, RunStream stream) {
  return derive_seed(run_seed, static_cast<uint64_t>(stream));
}

}  // namespace xr::classify
