#include "core/image.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/resample_taps.hpp"

namespace xr {
namespace {

uint8_t to_u8(float v) { return static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L)); }

}  // namespace

GrayImage crop(const GrayImage& img, const Box& box) {
  if (box.empty() || box.x0 < 0 || box.y0 < 0 || box.x1 > img.width || box.y1 > img.height) {
    throw std::invalid_argument("crop box outside the image");
  }
  GrayImage out(box.width(), box.height());
  for (int y = 0; y < out.height; ++y) {
    const uint8_t* src = &img.pixels[static_cast<size_t>(y + box.y0) * img.width + box.x0];
    std::copy(src, src + out.width, &out.pixels[static_cast<size_t>(y) * out.width]);
  }
  return out;
}

GrayImage resize(const GrayImage& img, int width, int height) {
  if (img.empty() || width <= 0 || height <= 0) throw std::invalid_argument("resize of an empty image");
  if (width == img.width && height == img.height) return img;
  const AxisTaps wx = axis_taps(img.width, width);
  const AxisTaps wy = axis_taps(img.height, height);

  // Horizontal pass into floats, then vertical pass with rounding.
  std::vector<float> tmp(static_cast<size_t>(width) * img.height);
  for (int y = 0; y < img.height; ++y) {
    const uint8_t* row = &img.pixels[static_cast<size_t>(y) * img.width];
    float* out = &tmp[static_cast<size_t>(y) * width];
    for (int x = 0; x < width; ++x) {
      const auto& taps = wx.taps[x];
      const uint8_t* src = row + wx.first[x];
      float acc = 0.f;
      for (size_t k = 0; k < taps.size(); ++k) acc += taps[k] * src[k];
      out[x] = acc;
    }
  }
  GrayImage out(width, height);
  std::vector<float> acc(width);
  for (int y = 0; y < height; ++y) {
    std::fill(acc.begin(), acc.end(), 0.f);
    const auto& taps = wy.taps[y];
    for (size_t k = 0; k < taps.size(); ++k) {
      const float* src = &tmp[static_cast<size_t>(wy.first[y] + k) * width];
      const float t = taps[k];
      for (int x = 0; x < width; ++x) acc[x] += t * src[x];
    }
    uint8_t* dst = &out.pixels[static_cast<size_t>(y) * width];
    for (int x = 0; x < width; ++x) dst[x] = to_u8(acc[x]);
  }
  return out;
}

}  // namespace xr
