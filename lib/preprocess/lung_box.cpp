#include "preprocess/lung_box.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace xr {
namespace {

// The input taps of each output sample along one axis, exactly as xr::resize
// computes them (core/image.cpp): area coverage when shrinking, bilinear with
// half-integer centres and clamped ends when enlarging; weights as floats.
struct AxisTaps {
  std::vector<int> first;               // first input index per output sample
  std::vector<std::vector<float>> taps;  // weights from `first` on
};

AxisTaps axis_taps(int in_size, int out_size) {
  AxisTaps w;
  w.first.resize(out_size);
  w.taps.resize(out_size);
  const double scale = static_cast<double>(in_size) / out_size;
  for (int o = 0; o < out_size; ++o) {
    std::vector<float>& taps = w.taps[o];
    if (scale >= 1.0) {
      const double lo = o * scale, hi = (o + 1) * scale;
      const int i0 = static_cast<int>(std::floor(lo));
      const int i1 = std::min(in_size, static_cast<int>(std::ceil(hi)));
      w.first[o] = i0;
      for (int i = i0; i < i1; ++i) {
        const double cover = std::min<double>(hi, i + 1) - std::max<double>(lo, i);
        taps.push_back(static_cast<float>(cover / scale));
      }
    } else {
      const double centre = (o + 0.5) * scale - 0.5;
      const int i0 = static_cast<int>(std::floor(centre));
      const double frac = centre - i0;
      const int a = std::clamp(i0, 0, in_size - 1), b = std::clamp(i0 + 1, 0, in_size - 1);
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

}  // namespace

double aspect_difference(int w1, int h1, int w2, int h2) {
  if (w1 <= 0 || h1 <= 0 || w2 <= 0 || h2 <= 0) throw std::invalid_argument("aspect of an empty image");
  // Cross-multiplied (r1 / r2 = w1*h2 / (w2*h1)), larger over smaller so that the
  // difference does not depend on which of the two is the mask.
  const double a = static_cast<double>(w1) * h2, b = static_cast<double>(w2) * h1;
  return std::max(a, b) / std::min(a, b) - 1.0;
}

Box threshold_box(const GrayImage& mask, int threshold, int64_t* count) {
  int x0 = mask.width, y0 = mask.height, x1 = 0, y1 = 0;
  int64_t n = 0;
  const int w = mask.width;
  for (int y = 0; y < mask.height; ++y) {
    const uint8_t* row = &mask.pixels[static_cast<size_t>(y) * w];
    // Count first, branch-free (it vectorises); look for the ends only in rows
    // that have lung, from both sides.
    int in_row = 0;
    for (int x = 0; x < w; ++x) in_row += row[x] >= threshold;
    if (in_row == 0) continue;
    n += in_row;
    int first = 0, last = w - 1;
    while (row[first] < threshold) ++first;
    while (row[last] < threshold) --last;
    x0 = std::min(x0, first);
    x1 = std::max(x1, last + 1);
    y0 = std::min(y0, y);
    y1 = y + 1;
  }
  if (count) *count = n;
  if (n == 0) return Box{};
  return Box{x0, y0, x1, y1};
}

Box resized_threshold_box(const GrayImage& mask, int width, int height, int threshold, int64_t* count) {
  if (mask.empty() || width <= 0 || height <= 0) throw std::invalid_argument("resize of an empty mask");
  if (width == mask.width && height == mask.height) return threshold_box(mask, threshold, count);
  const AxisTaps wx = axis_taps(mask.width, width);
  const AxisTaps wy = axis_taps(mask.height, height);
  // Horizontal pass, as xr::resize's, only for mask rows with a non-zero pixel (a
  // zero row gives exact zeros).
  std::vector<float> tmp(static_cast<size_t>(width) * mask.height);
  std::vector<char> row_used(mask.height, 0);
  for (int y = 0; y < mask.height; ++y) {
    const uint8_t* row = &mask.pixels[static_cast<size_t>(y) * mask.width];
    int any = 0;
    for (int x = 0; x < mask.width; ++x) any |= row[x];
    if (!any) continue;
    row_used[y] = 1;
    float* out = &tmp[static_cast<size_t>(y) * width];
    for (int x = 0; x < width; ++x) {
      const auto& taps = wx.taps[x];
      const uint8_t* src = row + wx.first[x];
      float acc = 0.f;
      for (size_t k = 0; k < taps.size(); ++k) acc += taps[k] * src[k];
      out[x] = acc;
    }
  }
  // Vertical pass: the same sums in the same order (adding a zero row's 0 changes
  // nothing, so those are skipped), compared with threshold - 0.5 instead of rounded.
  const float cut = static_cast<float>(threshold) - 0.5f;
  int x0 = width, y0 = height, x1 = 0, y1 = 0;
  int64_t n = 0;
  std::vector<float> acc(width);
  for (int y = 0; y < height; ++y) {
    const auto& taps = wy.taps[y];
    bool any = false;
    for (size_t k = 0; k < taps.size(); ++k) any = any || row_used[wy.first[y] + k];
    if (!any) continue;
    std::fill(acc.begin(), acc.end(), 0.f);
    for (size_t k = 0; k < taps.size(); ++k) {
      if (!row_used[wy.first[y] + k]) continue;
      const float* src = &tmp[static_cast<size_t>(wy.first[y] + k) * width];
      const float t = taps[k];
      for (int x = 0; x < width; ++x) acc[x] += t * src[x];
    }
    int in_row = 0;
    for (int x = 0; x < width; ++x) in_row += acc[x] >= cut;
    if (in_row == 0) continue;
    n += in_row;
    int first = 0, last = width - 1;
    while (acc[first] < cut) ++first;
    while (acc[last] < cut) --last;
    x0 = std::min(x0, first);
    x1 = std::max(x1, last + 1);
    y0 = std::min(y0, y);
    y1 = y + 1;
  }
  if (count) *count = n;
  if (n == 0) return Box{};
  return Box{x0, y0, x1, y1};
}

LungBox lung_box(const GrayImage& mask, int image_width, int image_height, const MaskRules& rules) {
  LungBox out;
  if (mask.empty() || image_width <= 0 || image_height <= 0) {
    throw std::invalid_argument("lung_box of an empty image or mask");
  }
  if (aspect_difference(mask.width, mask.height, image_width, image_height) > rules.aspect_tolerance) {
    out.verdict = MaskVerdict::kAspectMismatch;
    return out;
  }
  int64_t count = 0;
  out.box = resized_threshold_box(mask, image_width, image_height, rules.threshold, &count);
  out.area_fraction = static_cast<double>(count) / (static_cast<double>(image_width) * image_height);
  // An empty box always counts as empty, even with min_area 0: there is nothing to crop.
  if (out.box.empty() || out.area_fraction < rules.min_area) out.verdict = MaskVerdict::kEmpty;
  return out;
}

}  // namespace xr
