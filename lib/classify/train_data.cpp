#include "classify/train_data.hpp"

#include <ATen/ATen.h>

#include <algorithm>

#include "classify/features.hpp"
#include "core/dataset.hpp"
#include "core/errors.hpp"
#include "core/hash.hpp"
#include "core/log.hpp"

namespace xr::classify {

at::Tensor TrainData::merged_train_pixels() const {
  std::vector<at::Tensor> parts;
  for (const auto& b : train) parts.push_back(b.pixels);
  return at::cat(parts, 0);
}

std::vector<std::vector<int64_t>> TrainData::train_counts() const {
  std::vector<std::vector<int64_t>> out;
  for (const auto& b : train) {
    std::vector<int64_t> c(classes.size(), 0);
    for (int64_t y : b.labels) c[y]++;
    out.push_back(c);
  }
  return out;
}

std::vector<int64_t> TrainData::val_counts() const {
  std::vector<int64_t> c(classes.size(), 0);
  for (int64_t y : val.labels) c[y]++;
  return c;
}

TrainData load_train_data(const std::vector<std::string>& train_dirs, const std::string& val_dir, int image_size) {
  if (train_dirs.empty()) fail_usage("at least one --train folder is needed");
  std::vector<ImageFolder> folders;
  for (const auto& d : train_dirs) folders.push_back(scan_image_folder(d));
  const ImageFolder val = scan_image_folder(val_dir);
  for (size_t i = 1; i < folders.size(); ++i) require_same_classes(folders[0], folders[i]);
  require_same_classes(folders[0], val);
  if (folders[0].classes.size() < 2) fail_data(folders[0].root, "needs at least 2 classes");
  for (const auto& f : folders) require_images_in_every_class(f);
  require_images_in_every_class(val);

  TrainData data;
  data.classes = folders[0].classes;
  data.train_roots = train_dirs;
  data.val_root = val_dir;
  Sha256 h;  // the classes, then each folder's pixels and paths
  for (const auto& c : data.classes) h.update(c + '\n');
  for (const auto& f : folders) {
    data.train.push_back(load_image_folder(f, image_size));
    const auto& b = data.train.back();
    data.train_labels.insert(data.train_labels.end(), b.labels.begin(), b.labels.end());
    h.update(hash_pixels(b.pixels, b.rel));
  }
  data.val = load_image_folder(val, image_size);
  h.update(hash_pixels(data.val.pixels, data.val.rel));
  data.key = short_key(h.hex());
  return data;
}

void log_class_counts(const TrainData& data) {
  const auto tc = data.train_counts();
  const auto vc = data.val_counts();
  std::vector<int64_t> total(data.classes.size(), 0);
  for (size_t c = 0; c < data.classes.size(); ++c) {
    std::string parts;
    for (size_t f = 0; f < tc.size(); ++f) {
      total[c] += tc[f][c];
      if (tc.size() > 1) parts += (f ? " + " : " (") + std::to_string(tc[f][c]);
    }
    if (tc.size() > 1) parts += ")";
    log::info(data.classes[c] + ": train " + std::to_string(total[c]) + parts + ", val " + std::to_string(vc[c]));
  }
  auto ratio = [](const std::vector<int64_t>& v) {
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    return *lo > 0 ? static_cast<double>(*hi) / *lo : 0.0;
  };
  if (ratio(total) > 1.5) log::warn("training classes are imbalanced (largest/smallest " + std::to_string(ratio(total)).substr(0, 4) + "); see --class-weights");
  if (ratio(vc) > 1.5) log::info("validation classes are imbalanced (largest/smallest " + std::to_string(ratio(vc)).substr(0, 4) + ")");
}

nlohmann::json counts_json(const TrainData& data) {
  const auto tc = data.train_counts();
  const auto vc = data.val_counts();
  nlohmann::json out = nlohmann::json::object();
  for (size_t c = 0; c < data.classes.size(); ++c) {
    int64_t total = 0;
    nlohmann::json per_folder = nlohmann::json::array();
    for (const auto& f : tc) {
      total += f[c];
      per_folder.push_back(f[c]);
    }
    out[data.classes[c]] = {{"train", total}, {"train_per_folder", per_folder}, {"val", vc[c]}};
  }
  return out;
}

}  // namespace xr::classify
