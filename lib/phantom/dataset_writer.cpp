#include "phantom/dataset_writer.hpp"

#include <algorithm>
#include <filesystem>
#include <mutex>

#include "core/atomic_file.hpp"
#include "core/errors.hpp"
#include "core/parallel.hpp"
#include "core/image_io.hpp"

namespace fs = std::filesystem;

namespace xr::phantom {
namespace {

std::string known_classes() {
  std::string s;
  for (const auto& c : class_names()) s += (s.empty() ? "'" : ", '") + c + "'";
  return s;
}

std::vector<std::string> chosen_classes(const DatasetOptions& o) {
  return o.classes.empty() ? class_names() : o.classes;
}

}  // namespace

std::string image_file_name(const std::string& cls, int64_t index) {
  return cls + "-" + std::to_string(index + 1) + ".png";
}

void validate(const DatasetOptions& o) {
  if (o.per_class < 1) fail_usage("--per-class must be at least 1 (" + std::to_string(o.per_class) + ")");
  if (o.render.size < 32 || o.render.size > 4096) {
    fail_usage("--size must be in [32, 4096] (" + std::to_string(o.render.size) + ")");
  }
  if (o.render.mask_size != 0 && (o.render.mask_size < 16 || o.render.mask_size > 4096)) {
    fail_usage("--mask-size must be 0 or in [16, 4096] (" + std::to_string(o.render.mask_size) + ")");
  }
  if (!(o.render.difficulty >= 0 && o.render.difficulty <= 1)) {
    fail_usage("--difficulty must be in [0, 1] (" + std::to_string(o.render.difficulty) + ")");
  }
  if (!(o.render.marker_fraction >= 0 && o.render.marker_fraction <= 1)) {
    fail_usage("--marker-fraction must be in [0, 1] (" + std::to_string(o.render.marker_fraction) + ")");
  }
  std::vector<std::string> seen;
  for (const auto& c : o.classes) {
    if (class_index(c) < 0) fail_usage("unknown class '" + c + "' (known: " + known_classes() + ")");
    if (std::find(seen.begin(), seen.end(), c) != seen.end()) fail_usage("class '" + c + "' given twice");
    seen.push_back(c);
  }
  const auto chosen = chosen_classes(o);
  for (const auto& c : o.no_masks_for) {
    if (std::find(chosen.begin(), chosen.end(), c) == chosen.end()) {
      fail_usage("--no-masks-for '" + c + "' is not one of the classes written (known: " + known_classes() + ")");
    }
  }
}

DatasetSummary write_dataset(const std::string& root, const DatasetOptions& o,
                             const std::function<void()>& on_image) {
  validate(o);
  const auto classes = chosen_classes(o);
  DatasetSummary summary;
  std::vector<bool> with_masks;
  for (const auto& c : classes) {
    const bool masks = std::find(o.no_masks_for.begin(), o.no_masks_for.end(), c) == o.no_masks_for.end();
    with_masks.push_back(masks);
    ensure_directory((fs::path(root) / c / "images").string());
    if (masks) ensure_directory((fs::path(root) / c / "masks").string());
    summary.classes.push_back({c, o.per_class, masks ? o.per_class : 0});
  }

  const int64_t total = static_cast<int64_t>(classes.size()) * o.per_class;
  std::vector<char> marked(static_cast<size_t>(total), 0);
  std::mutex progress_mutex;
  parallel_for(
      total,
      [&](int64_t k) {
        const size_t c = static_cast<size_t>(k / o.per_class);
        const int64_t i = k % o.per_class;
        const int idx = class_index(classes[c]);
        const Phantom p = render_phantom(static_cast<Finding>(idx), image_seed(o.seed, idx, i), o.render,
                                         with_masks[c]);
        const std::string name = image_file_name(classes[c], i);
        write_png_gray8((fs::path(root) / classes[c] / "images" / name).string(), p.image);
        if (with_masks[c]) write_png_gray8((fs::path(root) / classes[c] / "masks" / name).string(), p.mask);
        marked[static_cast<size_t>(k)] = p.marked;
        if (on_image) {
          std::lock_guard<std::mutex> lock(progress_mutex);
          on_image();
        }
      },
      o.threads);

  for (int64_t k = 0; k < total; ++k) {
    if (marked[static_cast<size_t>(k)]) {
      summary.marked.push_back(image_file_name(classes[static_cast<size_t>(k / o.per_class)], k % o.per_class));
    }
  }
  std::sort(summary.marked.begin(), summary.marked.end());
  summary.images = total;
  return summary;
}

}  // namespace xr::phantom
