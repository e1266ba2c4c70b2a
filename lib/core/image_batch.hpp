// Image folders as tensors: what the classifier, the GAN and the feature
// extractors read. Decoding runs on the tool's worker threads.
#pragma once
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "core/dataset.hpp"
#include "core/image.hpp"

namespace xr {

struct ImageBatch {
  at::Tensor pixels;            // [N, 1, H, W] uint8, on the CPU
  std::vector<int64_t> labels;  // class index per image
  std::vector<std::string> rel; // "<class>/<file>" per image
};

// Loads every image of `folder` as 8-bit gray (see image_io.hpp for the conversion).
// With resize_to > 0 each image is resized to resize_to x resize_to; otherwise all
// images must share one size, and the first that differs is a kDataErr naming it
// and both sizes. An unreadable image is a kDataErr naming it.
ImageBatch load_image_folder(const ImageFolder& folder, int resize_to = 0);

at::Tensor to_tensor(const GrayImage& img);      // [1, H, W] uint8
GrayImage to_gray_image(const at::Tensor& t);    // from [1,H,W] or [H,W] uint8 (CPU)

}  // namespace xr
