#include "augment/plan.hpp"

#include <filesystem>

#include "augment/streams.hpp"
#include "core/errors.hpp"
#include "core/rng.hpp"

namespace fs = std::filesystem;

namespace xr::augment {

SourcePick parse_source_pick(const std::string& text) {
  if (text == "round-robin") return SourcePick::kRoundRobin;
  if (text == "random") return SourcePick::kRandom;
  fail_usage("--pick must be round-robin or random (" + text + ")");
}

std::string augmented_file_name(const std::string& stem, int k, int per_class, uint64_t seed) {
  const size_t digits = std::to_string(per_class > 1 ? per_class - 1 : 0).size();
  std::string index = std::to_string(k);
  if (index.size() < digits) index.insert(0, digits - index.size(), '0');
  return stem + "_aug" + index + "_s" + std::to_string(seed) + ".png";
}

std::vector<AugmentJob> plan_augmentation(const ImageFolder& folder, int per_class, uint64_t seed,
                                          SourcePick pick) {
  if (per_class <= 0) fail_usage("--per-class must be positive (" + std::to_string(per_class) + ")");
  std::vector<std::vector<size_t>> by_class(folder.classes.size());
  for (size_t i = 0; i < folder.images.size(); ++i) by_class[folder.images[i].label].push_back(i);
  std::vector<AugmentJob> jobs;
  jobs.reserve(by_class.size() * static_cast<size_t>(per_class));
  for (size_t c = 0; c < by_class.size(); ++c) {
    const auto& sources = by_class[c];
    if (sources.empty()) {
      fail_data((fs::path(folder.root) / folder.classes[c]).string(), "class has no images");
    }
    for (int k = 0; k < per_class; ++k) {
      AugmentJob job;
      job.label = static_cast<int>(c);
      job.index = k;
      job.param_seed = stream_seed(seed, Stream::kParams, c, static_cast<uint64_t>(k));
      if (pick == SourcePick::kRoundRobin) {
        job.source = sources[static_cast<size_t>(k) % sources.size()];
      } else {
        Rng rng(stream_seed(seed, Stream::kPick, c, static_cast<uint64_t>(k)));
        job.source = sources[rng.below(sources.size())];
      }
      const std::string stem = fs::path(folder.images[job.source].path).stem().string();
      job.rel = folder.classes[c] + "/" + augmented_file_name(stem, k, per_class, seed);
      jobs.push_back(std::move(job));
    }
  }
  return jobs;
}

}  // namespace xr::augment
