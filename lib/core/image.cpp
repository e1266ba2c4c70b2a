#include "core/image.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace xr {
namespace {

// The input taps and weights of each output sample along one axis.
struct AxisWeights {
  std::vector<int> first;               // first input index per output sample
  std::vector<std::vector<float>> taps;  // normalised weights from `first` on
};

AxisWeights axis_weights(int in_size, int out_size) {
  AxisWeights w;
  w.first.resize(out_size);
  w.taps.resize(out_size);
  const double scale = static_cast<double>(in_size) / out_size;
  for (int o = 0; o < out_size; ++o) {
    std::vector<float>& taps = w.taps[o];
    if (scale >= 1.0) {
      // Area: the output pixel covers [o*scale, (o+1)*scale) of the input.
      double lo = o * scale, hi = (o + 1) * scale;
      int i0 = static_cast<int>(std::floor(lo));
      int i1 = std::min(in_size, static_cast<int>(std::ceil(hi)));
      w.first[o] = i0;
      for (int i = i0; i < i1; ++i) {
        double cover = std::min<double>(hi, i + 1) - std::max<double>(lo, i);
        taps.push_back(static_cast<float>(cover / scale));
      }
    } else {
      // Bilinear: sample at the output pixel centre mapped into input coordinates.
      double centre = (o + 0.5) * scale - 0.5;
      int i0 = static_cast<int>(std::floor(centre));
      double frac = centre - i0;
      int a = std::clamp(i0, 0, in_size - 1), b = std::clamp(i0 + 1, 0, in_size - 1);
      w.first[o] = a;
      if (b == a) {
        taps.push_back(1.0f);
      } else {
        taps.push_back(static_cast<float>(1.0 - frac));
        taps.push_back(static_cast<float>(frac));
      }
    }
  }
  return w;
}

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
  const AxisWeights wx = axis_weights(img.width, width);
  const AxisWeights wy = axis_weights(img.height, height);

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
