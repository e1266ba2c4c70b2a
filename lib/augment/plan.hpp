// Which images xr-augment writes: per class, N new images, each from one source image
// of that class, with its own random stream and a file name that says the source,
// the index and the seed. Planning is separate from the pixel work so that the
// output depends only on the seed, never on the thread count.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/dataset.hpp"

namespace xr::augment {

enum class SourcePick {
  kRoundRobin,  // image k of a class comes from source k mod n (sources in file order)
  kRandom,      // each image's source drawn uniformly, with replacement, by seed
};

// Parses "round-robin" / "random"; throws xr::Error(kUsage) otherwise.
SourcePick parse_source_pick(const std::string& text);

struct AugmentJob {
  int label = 0;
  int index = 0;              // k: 0..per_class-1 within the class
  size_t source = 0;          // index into ImageFolder::images
  uint64_t param_seed = 0;    // seeds the Rng that draws this image's parameters
  std::string rel;            // output "<class>/<stem>_aug<k>_s<seed>.png"
};

// Jobs for every class in class order, then k. Streams: the parameters of image k of
// class c come from derive_seed(derive_seed(seed, c), k); a random source pick from a
// separate stream, so the parameters do not depend on the pick mode. Every class must
// have an image (require_images_in_every_class) and per_class must be positive.
std::vector<AugmentJob> plan_augmentation(const ImageFolder& folder, int per_class, uint64_t seed,
                                          SourcePick pick);

// "<stem>_aug<k>_s<seed>.png", k zero-padded to the digits of per_class - 1 so that
// the names sort in k order.
std::string augmented_file_name(const std::string& stem, int k, int per_class, uint64_t seed);

}  // namespace xr::augment
