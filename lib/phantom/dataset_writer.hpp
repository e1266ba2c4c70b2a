// A whole synthetic dataset on disk in the COVID-19 Radiography Database layout:
// <root>/<class>/images/<class>-<i>.png and <root>/<class>/masks/<class>-<i>.png.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "phantom/phantom.hpp"

namespace xr::phantom {

struct DatasetOptions {
  int per_class = 0;
  std::vector<std::string> classes;       // names from class_names(); empty: all four
  std::vector<std::string> no_masks_for;  // classes written without a masks/ folder
  RenderOptions render;
  uint64_t seed = 0;
  int threads = 0;  // 0: xr::worker_threads()
};

struct ClassSummary {
  std::string name;
  int images = 0;
  int masks = 0;
};

struct DatasetSummary {
  std::vector<ClassSummary> classes;
  std::vector<std::string> marked;  // file names of images with burnt-in text, sorted
  int64_t images = 0;
};

// Checks the options; throws xr::Error(kUsage) naming the bad value.
void validate(const DatasetOptions& options);

// Renders and writes every image into `root` (which must exist), in parallel; the
// bytes do not depend on the thread count. `on_image` is called once per image
// written, from the worker threads, one call at a time.
DatasetSummary write_dataset(const std::string& root, const DatasetOptions& options,
                             const std::function<void()>& on_image = {});

// "<class>-<i>.png", i counting from 1 as in the database.
std::string image_file_name(const std::string& cls, int64_t index);

}  // namespace xr::phantom
