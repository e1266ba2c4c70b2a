#include "gan/train_data.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include "core/dataset.hpp"
#include "core/errors.hpp"
#include "core/image_batch.hpp"
#include "core/image_io.hpp"

namespace fs = std::filesystem;

namespace xr::gan {

TrainData load_training_data(const std::string& root) {
  const ImageFolder folder = scan_image_folder(root);
  if (folder.images.empty()) fail_data(root, "no images in the data folder");
  if (folder.classes.size() < 2) {
    fail_data(root, "a class-conditional GAN needs at least 2 classes (found " +
                        std::to_string(folder.classes.size()) + ")");
  }
  require_images_in_every_class(folder);
  // Size check from the headers first, so a wrong image is named before decoding all.
  // The data's size is the most common one (the first image may be the odd one out,
  // and naming a good image would send the user to the wrong file).
  std::vector<ImageSize> sizes;
  std::map<std::pair<int, int>, size_t> count;
  for (const auto& e : folder.images) {
    sizes.push_back(read_image_size(e.path));
    count[{sizes.back().width, sizes.back().height}]++;
  }
  std::pair<int, int> common{sizes.front().width, sizes.front().height};
  for (const auto& [wh, n] : count) {
    if (n > count[common]) common = wh;
  }
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i].width != common.first || sizes[i].height != common.second) {
      fail_data(folder.images[i].path, "image size " + std::to_string(sizes[i].width) + "x" +
                                           std::to_string(sizes[i].height) + " differs from the " +
                                           std::to_string(common.first) + "x" + std::to_string(common.second) +
                                           " of " + std::to_string(count[common]) + " of the " +
                                           std::to_string(sizes.size()) + " images");
    }
  }
  const ImageSize first = sizes.front();
  if (first.width != first.height || first.width < 4 || (first.width & (first.width - 1)) != 0) {
    fail_data(folder.images.front().path, "images must be square with a power-of-two side >= 4 (" +
                                              std::to_string(first.width) + "x" + std::to_string(first.height) +
                                              ")");
  }
  ImageBatch batch = load_image_folder(folder);
  TrainData data;
  data.root = root;
  data.classes = folder.classes;
  data.pixels = batch.pixels;
  data.labels = batch.labels;
  return data;
}

ValData load_validation_data(const std::string& root, const TrainData& train) {
  const ImageFolder folder = scan_image_folder(root);
  if (folder.images.empty()) fail_data(root, "no images in the validation folder");
  auto names = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
  };
  std::vector<std::string> a = folder.classes, b = train.classes;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  if (a != b) {
    fail_data(root, "validation classes (" + names(folder.classes) + ") differ from the training classes (" +
                        names(train.classes) + ")");
  }
  const std::vector<int> counts = folder.counts();
  for (size_t c = 0; c < folder.classes.size(); ++c) {
    if (counts[c] < 2) {
      fail_data((fs::path(root) / folder.classes[c]).string(),
                "class '" + folder.classes[c] + "': " + std::to_string(counts[c]) +
                    " validation image(s), KID and FID need at least 2");
    }
  }
  const int side = static_cast<int>(train.pixels.size(2));
  for (const auto& e : folder.images) {
    const ImageSize s = read_image_size(e.path);
    if (s.width != side || s.height != side) {
      fail_data(e.path, "image size " + std::to_string(s.width) + "x" + std::to_string(s.height) +
                            " differs from the training images' " + std::to_string(side) + "x" +
                            std::to_string(side));
    }
  }
  const ImageBatch batch = load_image_folder(folder);
  ValData v;
  v.root = root;
  v.pixels = batch.pixels;
  v.counts.assign(train.classes.size(), 0);
  for (int64_t l : batch.labels) {
    const auto it = std::find(train.classes.begin(), train.classes.end(), folder.classes[l]);
    const int64_t c = it - train.classes.begin();
    v.labels.push_back(c);
    v.counts[c]++;
  }
  return v;
}

}  // namespace xr::gan
