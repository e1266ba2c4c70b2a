#include "core/image_batch.hpp"

#include <ATen/ATen.h>

#include <cstring>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/parallel.hpp"
#include "core/image_io.hpp"

namespace xr {
namespace {

std::string size_text(int w, int h) { return std::to_string(w) + "x" + std::to_string(h); }

ImageBatch load_paths(const std::vector<std::string>& paths, const std::vector<std::string>& rel,
                      std::vector<int64_t> labels, int resize_to) {
  ImageBatch batch;
  batch.labels = std::move(labels);
  batch.rel = rel;
  if (paths.empty()) {
    const int64_t side = resize_to > 0 ? resize_to : 0;
    batch.pixels = at::empty({0, 1, side, side}, at::kByte);
    return batch;
  }
  // The first image fixes the size when no resize is asked for.
  int width = resize_to, height = resize_to;
  if (resize_to <= 0) {
    const ImageSize s = read_image_size(paths[0]);
    width = s.width;
    height = s.height;
  }
  batch.pixels = at::empty({static_cast<int64_t>(paths.size()), 1, height, width}, at::kByte);
  uint8_t* base = batch.pixels.data_ptr<uint8_t>();
  const size_t plane = static_cast<size_t>(width) * height;
  log::Progress progress("loading images", static_cast<int64_t>(paths.size()));
  parallel_for(static_cast<int64_t>(paths.size()), [&](int64_t i) {
    GrayImage img = read_gray8(paths[i]);
    if (resize_to > 0) {
      img = resize(img, resize_to, resize_to);
    } else if (img.width != width || img.height != height) {
      fail_data(paths[i], "image size " + size_text(img.width, img.height) + " differs from " +
                              size_text(width, height) + " of " + paths[0]);
    }
    std::memcpy(base + static_cast<size_t>(i) * plane, img.pixels.data(), plane);
    progress.advance();
  });
  progress.finish();
  return batch;
}

}  // namespace

ImageBatch load_image_folder(const ImageFolder& folder, int resize_to) {
  std::vector<std::string> paths, rel;
  std::vector<int64_t> labels;
  for (const auto& e : folder.images) {
    paths.push_back(e.path);
    rel.push_back(e.rel);
    labels.push_back(e.label);
  }
  return load_paths(paths, rel, std::move(labels), resize_to);
}

at::Tensor to_tensor(const GrayImage& img) {
  at::Tensor t = at::empty({1, img.height, img.width}, at::kByte);
  std::memcpy(t.data_ptr<uint8_t>(), img.pixels.data(), img.pixels.size());
  return t;
}

GrayImage to_gray_image(const at::Tensor& t) {
  at::Tensor c = t.to(at::kCPU).contiguous();
  if (c.scalar_type() != at::kByte) throw Error(Exit::kSoftware, "", "to_gray_image needs a uint8 tensor");
  if (c.dim() == 3) c = c.squeeze(0);
  if (c.dim() != 2) throw Error(Exit::kSoftware, "", "to_gray_image needs [1,H,W] or [H,W]");
  GrayImage img(static_cast<int>(c.size(1)), static_cast<int>(c.size(0)));
  std::memcpy(img.pixels.data(), c.data_ptr<uint8_t>(), img.pixels.size());
  return img;
}

}  // namespace xr
